-- name: population
-- enabled shared accounts
select account_id
from accounts
where account_type = 'shared'
  and (created_at at time zone 'UTC')::date <= {{ as_of }}
  and (disabled_at is null or (disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (expires_at is null or (expires_at at time zone 'UTC')::date > {{ as_of }})

-- name: test
-- a shared account that is privileged (flagged, or holding an active privileged role)
with enabled as (
    select *
    from accounts
    where (created_at at time zone 'UTC')::date <= {{ as_of }}
      and (disabled_at is null or (disabled_at at time zone 'UTC')::date > {{ as_of }})
      and (expires_at is null or (expires_at at time zone 'UTC')::date > {{ as_of }})
),
privileged_roles as (
    select g.account_id, string_agg(distinct g.role_id, ';' order by g.role_id) as privileged_roles
    from role_grants g
    join roles r on r.role_id = g.role_id
    where r.privileged
      and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
      and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
    group by g.account_id
),
privileged as (
    select e.*, p.privileged_roles
    from enabled e
    left join privileged_roles p on p.account_id = e.account_id
    where e.privileged or p.account_id is not null
)
select account_id, system, privileged as flagged_privileged, privileged_roles, mfa_method,
       last_login_at
from privileged
where account_type = 'shared'
order by account_id
