-- name: population
-- one row per asset and day of customer holdings
select asset, as_of, sum(balance) as total_customer_amount
from customer_balances
where as_of <= {{ as_of }}
group by asset, as_of

-- name: test
with holdings as (
    select asset, as_of, sum(balance) as total_customer_amount
    from customer_balances
    where as_of <= {{ as_of }}
    group by asset, as_of
),
cold as (
    select b.asset, b.as_of, sum(b.balance) as cold_amount
    from wallet_balances b
    join wallets w on w.wallet_id = b.wallet_id
    where w.tier = 'cold' and w.purpose = 'customer' and b.as_of <= {{ as_of }}
    group by b.asset, b.as_of
)
select
    h.asset,
    h.as_of,
    coalesce(c.cold_amount, 0) as cold_amount,
    h.total_customer_amount,
    coalesce(c.cold_amount, 0) / h.total_customer_amount as cold_share,
    {{ min_cold_share }} as min_cold_share
from holdings h
left join cold c on c.asset = h.asset and c.as_of = h.as_of
where h.total_customer_amount > 0
  and coalesce(c.cold_amount, 0) < {{ min_cold_share }} * h.total_customer_amount
order by h.asset, h.as_of
