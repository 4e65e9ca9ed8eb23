-- name: population
-- one row per asset and day of customer holdings
select asset, as_of, total_customer_amount
from customer_ledger_daily
where as_of <= {{ as_of }}

-- name: test
select
    h.asset,
    h.as_of,
    coalesce(c.cold_amount, 0) as cold_amount,
    h.total_customer_amount,
    coalesce(c.cold_amount, 0) / h.total_customer_amount as cold_share,
    {{ min_cold_share }} as min_cold_share
from customer_ledger_daily h
left join wallet_balances_daily c on c.asset = h.asset and c.as_of = h.as_of and c.cold_wallets > 0
where h.as_of <= {{ as_of }}
  and h.total_customer_amount > 0
  and coalesce(c.cold_amount, 0) < {{ min_cold_share }} * h.total_customer_amount
order by h.asset, h.as_of
