-- name: population
-- one row per asset and calendar day from the asset's first ledger day to the as-of date
with assets as (
    select asset, min(as_of) as first_day
    from customer_balances
    where as_of <= {{ as_of }}
    group by asset
)
select a.asset, cast(d.day as date) as as_of
from assets a,
     unnest(generate_series(cast(a.first_day as timestamp), cast({{ as_of }} as timestamp), interval 1 day)) as d(day)

-- name: test
with assets as (
    select asset, min(as_of) as first_day, max(as_of) as last_day
    from customer_balances
    where as_of <= {{ as_of }}
    group by asset
),
expected as (
    select a.asset, a.first_day, cast(d.day as date) as as_of
    from assets a,
         unnest(generate_series(cast(a.first_day as timestamp), cast({{ as_of }} as timestamp), interval 1 day)) as d(day)
),
present as (
    select distinct asset, as_of from customer_balances where as_of <= {{ as_of }}
)
select e.asset, e.as_of, e.first_day as first_record_day
from expected e
left join present p on p.asset = e.asset and p.as_of = e.as_of
where p.asset is null
order by e.asset, e.as_of
