-- name: population
-- enabled accounts of people who hold an active key, an active approver/custodian role, or who
-- approved a withdrawal
with people as (
    select person_id from active_keyholders
    union
    select e.person_id
    from active_grants g
    join enabled_accounts e on e.account_id = g.account_id
    where e.person_id is not null and g.role_duty in ('withdrawal_approver', 'key_custodian')
    union
    select approver_person_id from withdrawal_approvals
    where (approved_at at time zone {{ tz }})::date <= {{ as_of }}
)
select e.account_id from enabled_accounts e join people p on p.person_id = e.person_id

-- name: test
with people as (
    select person_id, 'keyholder' as why from active_keyholders
    union
    select e.person_id, g.role_duty
    from active_grants g
    join enabled_accounts e on e.account_id = g.account_id
    where e.person_id is not null and g.role_duty in ('withdrawal_approver', 'key_custodian')
    union
    select approver_person_id, 'approved withdrawals' from withdrawal_approvals
    where (approved_at at time zone {{ tz }})::date <= {{ as_of }}
),
reasons as (
    select person_id, string_agg(distinct why, ';' order by why) as reasons from people group by person_id
)
select e.account_id, e.person_id, e.system, e.account_type, e.mfa_method, r.reasons
from enabled_accounts e
join reasons r on r.person_id = e.person_id
where e.mfa_method is null or e.mfa_method not in ('webauthn', 'hardware_key')
order by e.account_id
