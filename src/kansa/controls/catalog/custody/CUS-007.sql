-- name: population
select wallet_id, as_of from wallet_balances where as_of <= {{ as_of }}

-- name: test
with totals as (
    select asset, as_of, sum(balance) as asset_total, count(*) as wallets
    from wallet_balances
    where as_of <= {{ as_of }}
    group by asset, as_of
)
select
    b.wallet_id,
    b.as_of,
    b.asset,
    b.balance,
    t.asset_total,
    t.wallets as asset_wallets,
    b.balance / t.asset_total as wallet_share,
    {{ max_wallet_share }} as max_wallet_share
from wallet_balances b
join totals t on t.asset = b.asset and t.as_of = b.as_of
where b.as_of <= {{ as_of }}
  and t.asset_total > 0
  and b.balance > {{ max_wallet_share }} * t.asset_total
order by b.as_of, b.wallet_id
