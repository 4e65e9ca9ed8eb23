-- name: population
-- enabled privileged accounts (flagged privileged, or holding an active privileged role)
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
select account_id from privileged

-- name: test
-- no login for more than max_dormant_days (an account never used counts from its creation)
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
select account_id, person_id, system, account_type, privileged_roles, created_at, last_login_at,
       {{ as_of }} - (coalesce(last_login_at, created_at) at time zone 'UTC')::date as dormant_days,
       {{ max_dormant_days }} as max_dormant_days
from privileged
where {{ as_of }} - (coalesce(last_login_at, created_at) at time zone 'UTC')::date > {{ max_dormant_days }}
order by account_id
