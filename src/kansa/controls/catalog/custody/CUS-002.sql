-- name: population
-- one row per asset and day of customer holdings
select asset, as_of
from customer_ledger_daily
where as_of <= {{ as_of }}

-- name: test
-- customer amount not in cold wallets = customer ledger total - cold customer wallets (>= 0);
-- performance-guarantee wallets of the same asset must hold at least that much (PSA 63-11-2)
with needs as (
    select
        h.asset,
        h.as_of,
        h.total_customer_amount,
        coalesce(t.cold_amount, 0) as cold_amount,
        greatest(h.total_customer_amount - coalesce(t.cold_amount, 0), 0) as non_cold_customer_amount,
        coalesce(t.guarantee_amount, 0) as guarantee_amount
    from customer_ledger_daily h
    left join wallet_balances_daily t on t.asset = h.asset and t.as_of = h.as_of
    where h.as_of <= {{ as_of }}
)
select
    asset,
    as_of,
    total_customer_amount,
    cold_amount,
    non_cold_customer_amount,
    guarantee_amount,
    non_cold_customer_amount - guarantee_amount as shortfall
from needs
where guarantee_amount < non_cold_customer_amount
order by asset, as_of
