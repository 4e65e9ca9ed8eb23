-- name: population
-- one row per customer, asset and UTC day with a withdrawal (not rejected or cancelled)
select distinct customer_id, asset, (requested_at at time zone {{ tz }})::date as day
from withdrawals
where kind = 'customer'
  and status not in ('rejected', 'cancelled')
  and (requested_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- more than velocity_limit_count withdrawals in one UTC day (exactly the limit passes)
select
    customer_id,
    asset,
    (requested_at at time zone {{ tz }})::date as day,
    count(*) as withdrawals,
    sum(amount) as total_amount,
    {{ velocity_limit_count }} as velocity_limit_count
from withdrawals
where kind = 'customer'
  and status not in ('rejected', 'cancelled')
  and (requested_at at time zone {{ tz }})::date <= {{ as_of }}
group by customer_id, asset, (requested_at at time zone {{ tz }})::date
having count(*) > {{ velocity_limit_count }}
order by day, customer_id, asset
