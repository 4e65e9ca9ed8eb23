-- name: population
-- grants of privileged roles to a person's account, made on or before the as-of date
select g.grant_id
from role_grants g
join roles r on r.role_id = g.role_id
join accounts a on a.account_id = g.account_id
where r.privileged and a.person_id is not null
  and (g.granted_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- no privileged_access training completed on or before the UTC day of the grant
with grants as (
    select g.grant_id, g.account_id, g.role_id, g.granted_at, a.person_id
    from role_grants g
    join roles r on r.role_id = g.role_id
    join accounts a on a.account_id = g.account_id
    where r.privileged and a.person_id is not null
      and (g.granted_at at time zone {{ tz }})::date <= {{ as_of }}
),
trained as (
    select g.grant_id, max(t.completed_on) as trained_on
    from grants g
    join training_records t
      on t.person_id = g.person_id
     and t.course = 'privileged_access'
     and t.completed_on <= (g.granted_at at time zone {{ tz }})::date
    group by g.grant_id
)
select g.grant_id, g.person_id, g.account_id, g.role_id, g.granted_at, f.first_trained_on
from grants g
left join trained t on t.grant_id = g.grant_id
left join first_training f on f.person_id = g.person_id and f.course = 'privileged_access'
where t.grant_id is null
order by g.grant_id
