-- name: population
-- every day with customer yen balances or trust balances
select as_of from customer_yen_balances where as_of <= {{ as_of }}
union
select as_of from yen_trust_balances where as_of <= {{ as_of }}
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from customer_yen_balances) then error('customer_yen_balances holds no rows: FIA-001 has nothing to test against')
    else false end

-- name: test
-- yen owed to customers (each customer's positive balance: a negative balance is a ledger error,
-- never an offset) against the principal in the customer money trusts, per day
with owed as (
    select as_of, sum(greatest(balance, 0)) as yen_owed, count(*) filter (where balance < 0) as negative_balances
    from customer_yen_balances
    where as_of <= {{ as_of }}
    group by as_of
),
held as (
    select as_of, sum(balance) as yen_in_trust, count(*) as trust_accounts
    from yen_trust_balances
    where as_of <= {{ as_of }}
    group by as_of
),
days as (
    select coalesce(o.as_of, h.as_of) as as_of,
        coalesce(o.yen_owed, 0) as yen_owed, coalesce(h.yen_in_trust, 0) as yen_in_trust,
        coalesce(h.trust_accounts, 0) as trust_accounts, coalesce(o.negative_balances, 0) as negative_balances
    from owed o
    full join held h on h.as_of = o.as_of
)
select
    as_of, yen_owed, yen_in_trust, yen_owed - yen_in_trust as shortfall, trust_accounts,
    negative_balances, {{ min_coverage }} as min_coverage
from days
where yen_in_trust < {{ min_coverage }} * yen_owed
order by as_of
