-- name: population
-- one row per asset and day present in the customer ledger or in customer wallets
select asset, as_of from customer_balances where as_of <= {{ as_of }}
union
select b.asset, b.as_of
from wallet_balances b
join wallets w on w.wallet_id = b.wallet_id
where w.purpose = 'customer' and b.as_of <= {{ as_of }}

-- name: test
with ledger as (
    select asset, as_of, sum(balance) as ledger_amount
    from customer_balances
    where as_of <= {{ as_of }}
    group by asset, as_of
),
onchain as (
    select b.asset, b.as_of, sum(b.balance) as wallet_amount
    from wallet_balances b
    join wallets w on w.wallet_id = b.wallet_id
    where w.purpose = 'customer' and b.as_of <= {{ as_of }}
    group by b.asset, b.as_of
),
joined as (
    select
        coalesce(l.asset, o.asset) as asset,
        coalesce(l.as_of, o.as_of) as as_of,
        coalesce(l.ledger_amount, 0) as ledger_amount,
        coalesce(o.wallet_amount, 0) as wallet_amount
    from ledger l
    full join onchain o on o.asset = l.asset and o.as_of = l.as_of
)
select
    asset,
    as_of,
    ledger_amount,
    wallet_amount,
    wallet_amount - ledger_amount as difference,
    {{ tolerance_bps }} as tolerance_bps
from joined
where abs(wallet_amount - ledger_amount) * 10000 > {{ tolerance_bps }} * abs(ledger_amount)
order by asset, as_of
