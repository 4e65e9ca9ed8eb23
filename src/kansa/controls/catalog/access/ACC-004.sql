-- name: population
-- enabled accounts of people who hold an active key, an active approver/custodian role, or who
-- approved a withdrawal
with enabled as (
    select *
    from accounts
    where person_id is not null
      and (created_at at time zone 'UTC')::date <= {{ as_of }}
      and (disabled_at is null or (disabled_at at time zone 'UTC')::date > {{ as_of }})
      and (expires_at is null or (expires_at at time zone 'UTC')::date > {{ as_of }})
),
people as (
    select person_id from keyholders
    where (assigned_at at time zone 'UTC')::date <= {{ as_of }}
      and (revoked_at is null or (revoked_at at time zone 'UTC')::date > {{ as_of }})
    union
    select e.person_id
    from role_grants g
    join roles r on r.role_id = g.role_id
    join enabled e on e.account_id = g.account_id
    where r.duty in ('withdrawal_approver', 'key_custodian')
      and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
      and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
    union
    select approver_person_id from withdrawal_approvals
    where (approved_at at time zone 'UTC')::date <= {{ as_of }}
)
select e.account_id from enabled e join people p on p.person_id = e.person_id

-- name: test
with enabled as (
    select *
    from accounts
    where person_id is not null
      and (created_at at time zone 'UTC')::date <= {{ as_of }}
      and (disabled_at is null or (disabled_at at time zone 'UTC')::date > {{ as_of }})
      and (expires_at is null or (expires_at at time zone 'UTC')::date > {{ as_of }})
),
people as (
    select person_id, 'keyholder' as why from keyholders
    where (assigned_at at time zone 'UTC')::date <= {{ as_of }}
      and (revoked_at is null or (revoked_at at time zone 'UTC')::date > {{ as_of }})
    union
    select e.person_id, r.duty
    from role_grants g
    join roles r on r.role_id = g.role_id
    join enabled e on e.account_id = g.account_id
    where r.duty in ('withdrawal_approver', 'key_custodian')
      and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
      and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
    union
    select approver_person_id, 'approved withdrawals' from withdrawal_approvals
    where (approved_at at time zone 'UTC')::date <= {{ as_of }}
),
reasons as (
    select person_id, string_agg(distinct why, ';' order by why) as reasons from people group by person_id
)
select e.account_id, e.person_id, e.system, e.account_type, e.mfa_method, r.reasons
from enabled e
join reasons r on r.person_id = e.person_id
where e.mfa_method is null or e.mfa_method not in ('webauthn', 'hardware_key')
order by e.account_id
