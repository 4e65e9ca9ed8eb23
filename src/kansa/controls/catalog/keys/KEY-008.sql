-- name: population
-- every key fingerprint named by a wallet policy or by the keyholder register
select key_fingerprint from wallet_policy_keys
union
select lower(key_fingerprint) from keyholders

-- name: test
-- the same master key (descriptor fingerprint) or Safe owner in wallets of different tiers
with policy_keys as (
    select wallet_id, key_fingerprint from wallet_policy_keys
    union
    select wallet_id, lower(key_fingerprint) from keyholders
)
select
    p.key_fingerprint,
    count(distinct w.tier) as tiers,
    string_agg(distinct w.tier, ';' order by w.tier) as tier_list,
    string_agg(distinct p.wallet_id, ';' order by p.wallet_id) as wallet_ids
from policy_keys p
join wallets w on w.wallet_id = p.wallet_id
group by p.key_fingerprint
having count(distinct w.tier) > 1
order by p.key_fingerprint
