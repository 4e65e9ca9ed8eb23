-- name: population
-- people with an active grant of a system-risk, development, operations or infosec duty
select distinct a.person_id
from role_grants g
join roles r on r.role_id = g.role_id
join accounts a on a.account_id = g.account_id
where a.person_id is not null
  and r.duty in ('system_risk', 'developer', 'system_admin', 'infosec')
  and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
  and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
  and (a.disabled_at is null or (a.disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (a.expires_at is null or (a.expires_at at time zone 'UTC')::date > {{ as_of }})

-- name: test
-- operations = system_admin duty; more than one of the four duties held at once
select
    a.person_id,
    count(distinct r.duty) as duties,
    string_agg(distinct r.duty, ';' order by r.duty) as duty_list,
    string_agg(distinct g.role_id, ';' order by g.role_id) as role_ids,
    string_agg(distinct g.grant_id, ';' order by g.grant_id) as grant_ids
from role_grants g
join roles r on r.role_id = g.role_id
join accounts a on a.account_id = g.account_id
where a.person_id is not null
  and r.duty in ('system_risk', 'developer', 'system_admin', 'infosec')
  and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
  and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
  and (a.disabled_at is null or (a.disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (a.expires_at is null or (a.expires_at at time zone 'UTC')::date > {{ as_of }})
group by a.person_id
having count(distinct r.duty) > 1
order by a.person_id
