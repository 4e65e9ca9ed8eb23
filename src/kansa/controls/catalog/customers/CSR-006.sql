-- name: population
select withdrawal_id
from withdrawals
where kind = 'customer' and status not in ('rejected', 'cancelled')
  and (requested_at at time zone {{ tz }})::date <= {{ as_of }}
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from customer_kyc) then error('customer_kyc holds no rows: CSR-006 has nothing to test against')
    else false end

-- name: test
-- the customer's KYC row in force on the request day (the latest with as_of on or before it):
-- none, not verified above the unverified limit, or high risk above the daily limit (the
-- customer's running total of that asset over the UTC day, this withdrawal included)
with unverified_limits as (
    select upper(trim(split_part(x, '=', 1))) as asset, cast(trim(split_part(x, '=', 2)) as decimal(38, 0)) as max_amount
    from (select unnest(str_split({{ unverified_limits }}, ';')) as x)
    where trim(x) <> ''
),
high_risk_limits as (
    select upper(trim(split_part(x, '=', 1))) as asset, cast(trim(split_part(x, '=', 2)) as decimal(38, 0)) as max_amount
    from (select unnest(str_split({{ high_risk_daily_limits }}, ';')) as x)
    where trim(x) <> ''
),
requests as (
    select w.withdrawal_id, w.customer_id, w.asset, w.amount, w.requested_at,
        (w.requested_at at time zone {{ tz }})::date as request_day,
        sum(w.amount) over (
            partition by w.customer_id, w.asset, (w.requested_at at time zone {{ tz }})::date
            order by w.requested_at, w.withdrawal_id rows between unbounded preceding and current row
        ) as day_total
    from withdrawals w
    where w.kind = 'customer' and w.status not in ('rejected', 'cancelled')
      and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
),
with_kyc as (
    select r.*, k.status as kyc_status, k.risk_rating, k.as_of as kyc_as_of,
        coalesce(u.max_amount, 0) as unverified_limit, coalesce(h.max_amount, 0) as high_risk_daily_limit
    from requests r
    left join customer_kyc k on k.customer_id = r.customer_id and k.as_of <= r.request_day
    left join unverified_limits u on u.asset = upper(r.asset)
    left join high_risk_limits h on h.asset = upper(r.asset)
    qualify row_number() over (partition by r.withdrawal_id order by k.as_of desc nulls last) = 1
)
select * from (
    select
        withdrawal_id, customer_id, asset, amount, requested_at, day_total, kyc_status, risk_rating,
        kyc_as_of, unverified_limit, high_risk_daily_limit,
        case
            when kyc_status is null then 'no KYC record'
            when kyc_status <> 'verified' and amount > unverified_limit then 'customer not verified'
            when risk_rating = 'high' and day_total > high_risk_daily_limit then 'high-risk customer above daily limit'
        end as reason
    from with_kyc
)
where reason is not null
order by withdrawal_id
