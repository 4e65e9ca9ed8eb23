-- name: population
-- every key named by a wallet's deployed policy (descriptor fingerprints, Safe owners)
select p.wallet_id, p.key_fingerprint
from wallet_policy_keys p
where p.wallet_id in (select wallet_id from wallets where (created_at at time zone {{ tz }})::date <= {{ as_of }})

-- name: test
-- a policy key must have exactly one keyholder record of the same wallet, active at the end of
-- the as-of date (a key that can sign must have someone answerable for it)
with policy_keys as (
    select p.wallet_id, p.key_fingerprint
    from wallet_policy_keys p
    where p.wallet_id in (select wallet_id from wallets where (created_at at time zone {{ tz }})::date <= {{ as_of }})
),
matches as (
    select
        p.wallet_id,
        p.key_fingerprint,
        k.wallet_id as holder_wallet_id,
        k.person_id,
        k.revoked_at,
        k.wallet_id = p.wallet_id
            and (k.assigned_at at time zone {{ tz }})::date <= {{ as_of }}
            and (k.revoked_at is null or (k.revoked_at at time zone {{ tz }})::date > {{ as_of }}) as active_here
    from policy_keys p
    left join keyholders k on lower(k.key_fingerprint) = p.key_fingerprint
)
select
    wallet_id,
    key_fingerprint,
    count(*) filter (where active_here) as active_keyholders,
    count(holder_wallet_id) as keyholder_records,
    string_agg(distinct holder_wallet_id, ';' order by holder_wallet_id) as registered_wallet_ids,
    string_agg(distinct person_id, ';' order by person_id) as person_ids,
    max(revoked_at) as revoked_at
from matches
group by wallet_id, key_fingerprint
having count(*) filter (where active_here) <> 1
order by wallet_id, key_fingerprint
