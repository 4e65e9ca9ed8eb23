-- name: population
select key_fingerprint
from active_keyholders

-- name: test
select
    k.key_fingerprint,
    k.wallet_id,
    k.person_id,
    s.background_checked_on,
    {{ as_of }} - s.background_checked_on as check_age_days,
    {{ max_age_days }} as max_age_days
from active_keyholders k
left join staff s on s.person_id = k.person_id
where s.background_checked_on is null or {{ as_of }} - s.background_checked_on > {{ max_age_days }}
order by k.key_fingerprint
