-- name: population
-- wallets with at least one active key at the end of the as-of date
select distinct wallet_id
from active_keyholders

-- name: test
-- cold wallets: every active key in its own location; other tiers: at least min_locations
-- distinct locations (or one per key when the wallet has fewer keys)
with per_wallet as (
    select
        a.wallet_id,
        w.tier,
        count(*) as active_keys,
        count(distinct a.location) as locations,
        string_agg(distinct a.location, ';' order by a.location) as location_list
    from active_keyholders a
    left join wallets w on w.wallet_id = a.wallet_id
    group by a.wallet_id, w.tier
)
select
    wallet_id,
    tier,
    active_keys,
    locations,
    case when tier = 'cold' then active_keys else least({{ min_locations }}, active_keys) end as required_locations,
    location_list
from per_wallet
where locations < case when tier = 'cold' then active_keys else least({{ min_locations }}, active_keys) end
order by wallet_id
