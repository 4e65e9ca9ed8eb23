-- name: population
-- every key fingerprint named by a wallet policy or by the keyholder register
with policy_keys as (
    select w.wallet_id, lower(fp) as key_fingerprint
    from wallets w, unnest(regexp_extract_all(w.descriptor, '\[([0-9a-fA-F]{8})', 1)) as t(fp)
    where w.descriptor is not null
    union
    select w.wallet_id, lower(trim(o)) from wallets w, unnest(string_split(w.safe_owners, ';')) as t(o)
    where w.safe_owners is not null and trim(o) <> ''
    union
    select wallet_id, lower(key_fingerprint) from keyholders
)
select distinct key_fingerprint from policy_keys

-- name: test
-- the same master key (descriptor fingerprint) or Safe owner in wallets of different tiers
with policy_keys as (
    select w.wallet_id, lower(fp) as key_fingerprint
    from wallets w, unnest(regexp_extract_all(w.descriptor, '\[([0-9a-fA-F]{8})', 1)) as t(fp)
    where w.descriptor is not null
    union
    select w.wallet_id, lower(trim(o)) from wallets w, unnest(string_split(w.safe_owners, ';')) as t(o)
    where w.safe_owners is not null and trim(o) <> ''
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
