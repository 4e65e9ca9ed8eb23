-- name: population
-- one row per asset and day present in the customer ledger or in customer wallets
select asset, as_of from customer_balances where as_of <= {{ as_of }}
union
select asset, as_of from wallet_balances_daily where customer_wallets > 0 and as_of <= {{ as_of }}

-- name: test
with tolerances as (
    -- "ASSET=amount;..." in smallest units; an asset listed twice keeps the lower (stricter)
    select trim(split_part(item, '=', 1)) as asset, min(cast(trim(split_part(item, '=', 2)) as decimal(38, 0))) as tolerance_amount
    from unnest(string_split({{ tolerance_amounts }}, ';')) as t(item)
    where trim(item) <> ''
    group by 1
),
ledger as (
    select asset, as_of, total_customer_amount as ledger_amount
    from customer_ledger_daily
    where as_of <= {{ as_of }}
),
onchain as (
    select asset, as_of, customer_amount as wallet_amount
    from wallet_balances_daily
    where customer_wallets > 0 and as_of <= {{ as_of }}
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
    {{ tolerance_bps }} as tolerance_bps,
    coalesce(t.tolerance_amount, 0) as tolerance_amount
from joined
left join tolerances t using (asset)
-- an exception only when the difference exceeds both allowances (the larger one holds)
where abs(wallet_amount - ledger_amount) * 10000 > {{ tolerance_bps }} * abs(ledger_amount)
  and abs(wallet_amount - ledger_amount) > coalesce(t.tolerance_amount, 0)
order by asset, as_of
