-- name: population
-- one row per wallet and person holding an active key at the end of the as-of date
select distinct wallet_id, person_id
from active_keyholders

-- name: test
select
    wallet_id,
    person_id,
    count(*) as active_keys,
    string_agg(key_fingerprint, ';' order by key_fingerprint) as key_fingerprints,
    string_agg(distinct device_id, ';' order by device_id) as device_ids
from active_keyholders
group by wallet_id, person_id
having count(*) > 1
order by wallet_id, person_id
