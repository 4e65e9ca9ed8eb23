-- name: population
-- people with at least one enabled account at the end of the as-of date
select distinct person_id
from enabled_accounts
where person_id is not null

-- name: test
-- no security_awareness completion in the max_age_days before the as-of date (a tie passes)
with people as (
    select person_id, count(*) as enabled_accounts
    from enabled_accounts
    where person_id is not null
    group by person_id
),
latest as (
    select person_id, max(completed_on) as last_completed_on
    from training_records
    where course = 'security_awareness' and completed_on <= {{ as_of }}
    group by person_id
)
select
    p.person_id, s.employment_type, s.vendor, p.enabled_accounts, l.last_completed_on,
    {{ as_of }} - l.last_completed_on as days_since_training,
    {{ max_age_days }} as max_age_days
from people p
left join latest l on l.person_id = p.person_id
left join staff s on s.person_id = p.person_id
where l.last_completed_on is null or {{ as_of }} - l.last_completed_on > {{ max_age_days }}
order by p.person_id
