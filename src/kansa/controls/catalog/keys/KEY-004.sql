-- name: population
-- keys of people who left on or before the as-of date
select k.key_fingerprint
from keyholders k
join staff s on s.person_id = k.person_id
where s.left_on <= {{ as_of }} and (k.assigned_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- late: the as-of date is past the deadline and the key was not revoked by the deadline
-- ("within N days" = UTC calendar days after left_on)
with leaver_keys as (
    select
        k.key_fingerprint,
        k.wallet_id,
        k.person_id,
        k.key_role,
        s.left_on,
        s.left_on + {{ max_days }} as deadline,
        k.revoked_at,
        (k.revoked_at at time zone {{ tz }})::date as revoked_on
    from keyholders k
    join staff s on s.person_id = k.person_id
    where s.left_on <= {{ as_of }} and (k.assigned_at at time zone {{ tz }})::date <= {{ as_of }}
)
select
    key_fingerprint,
    wallet_id,
    person_id,
    key_role,
    left_on,
    deadline,
    revoked_at,
    least(revoked_on, {{ as_of }}) - left_on as days_after_leaving
from leaver_keys
where {{ as_of }} > deadline and (revoked_on is null or revoked_on > deadline)
order by key_fingerprint
