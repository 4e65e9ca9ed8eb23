-- name: population
select withdrawal_id
from withdrawals
where kind = 'customer' and status not in ('rejected', 'cancelled')
  and (requested_at at time zone {{ tz }})::date <= {{ as_of }}
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from customer_logins) then error('customer_logins holds no rows: CSR-002 has nothing to test against')
    else false end

-- name: test
-- a customer withdrawal within window_minutes of the customer's first successful login after at
-- least dormancy_days without one; a customer with no earlier login in the data is not judged
with ok_logins as (
    select customer_id, logged_in_at,
        lag(logged_in_at) over (partition by customer_id order by logged_in_at, login_id) as previous_login_at
    from customer_logins
    where result = 'success'
),
reactivations as (
    select * from ok_logins
    where previous_login_at is not null
      and logged_in_at - previous_login_at >= to_days(cast({{ dormancy_days }} as integer))
)
select
    w.withdrawal_id, w.customer_id, w.asset, w.amount, w.requested_at,
    r.previous_login_at, r.logged_in_at as reactivated_at,
    date_diff('day', r.previous_login_at, r.logged_in_at) as dormant_days
from withdrawals w
join reactivations r on r.customer_id = w.customer_id
where w.kind = 'customer' and w.status not in ('rejected', 'cancelled')
  and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
  and r.logged_in_at <= w.requested_at
  and w.requested_at - r.logged_in_at <= to_minutes(cast({{ window_minutes }} as bigint))
qualify row_number() over (partition by w.withdrawal_id order by r.logged_in_at desc) = 1
order by w.withdrawal_id
