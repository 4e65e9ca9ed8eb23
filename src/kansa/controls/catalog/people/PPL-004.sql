-- name: population
select key_fingerprint from keyholders where (assigned_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- no keyholder training completed on or before the UTC day the key was assigned
with trained as (
    select k.key_fingerprint, max(t.completed_on) as trained_on
    from keyholders k
    join training_records t
      on t.person_id = k.person_id
     and t.course = 'keyholder'
     and t.completed_on <= (k.assigned_at at time zone {{ tz }})::date
    group by k.key_fingerprint
)
select k.key_fingerprint, k.wallet_id, k.person_id, k.assigned_at, f.first_trained_on
from keyholders k
left join trained t on t.key_fingerprint = k.key_fingerprint
left join first_training f on f.person_id = k.person_id and f.course = 'keyholder'
where (k.assigned_at at time zone {{ tz }})::date <= {{ as_of }} and t.key_fingerprint is null
order by k.key_fingerprint
