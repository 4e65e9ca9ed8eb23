-- name: population
-- one row per wallet and device holding an active key at the end of the as-of date
select distinct wallet_id, device_id
from active_keyholders

-- name: test
select
    wallet_id,
    device_id,
    count(*) as active_keys,
    string_agg(key_fingerprint, ';' order by key_fingerprint) as key_fingerprints,
    string_agg(distinct person_id, ';' order by person_id) as person_ids
from active_keyholders
group by wallet_id, device_id
having count(*) > 1
order by wallet_id, device_id
