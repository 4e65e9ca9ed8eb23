-- name: population
-- people with an active grant of a system-risk, development, operations or infosec duty
select distinct person_id
from active_grants
where person_id is not null
  and role_duty in ('system_risk', 'developer', 'system_admin', 'infosec')

-- name: test
-- operations = system_admin duty; more than one of the four duties held at once
select
    person_id,
    count(distinct role_duty) as duties,
    string_agg(distinct role_duty, ';' order by role_duty) as duty_list,
    string_agg(distinct role_id, ';' order by role_id) as role_ids,
    string_agg(distinct grant_id, ';' order by grant_id) as grant_ids
from active_grants
where person_id is not null
  and role_duty in ('system_risk', 'developer', 'system_admin', 'infosec')
group by person_id
having count(distinct role_duty) > 1
order by person_id
