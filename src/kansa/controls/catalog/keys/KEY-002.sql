-- name: population
select wallet_id from wallets where (created_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
with required as (
    select
        wallet_id,
        asset,
        tier,
        purpose,
        approved_threshold,
        approved_keys,
        case tier
            when 'hot' then {{ min_threshold_hot }}
            when 'warm' then {{ min_threshold_warm }}
            when 'cold' then {{ min_threshold_cold }}
        end as min_threshold
    from wallets
    where (created_at at time zone {{ tz }})::date <= {{ as_of }}
)
select wallet_id, asset, tier, purpose, approved_threshold, approved_keys, min_threshold
from required
where approved_threshold is null or approved_threshold < min_threshold
order by wallet_id
