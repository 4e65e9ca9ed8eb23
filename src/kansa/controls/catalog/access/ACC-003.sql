-- name: population
-- enabled privileged accounts (flagged privileged, or holding an active privileged role)
select account_id from privileged_accounts

-- name: test
-- a non-interactive service account (interactive_login explicitly false) is judged on its
-- key-based authentication; every other account on its second factor
with key_methods as (
    select trim(m) as auth_method
    from unnest(string_split({{ service_key_methods }}, ';')) as t(m)
    where trim(m) <> ''
),
judged as (
    select account_id, person_id, system, account_type, privileged as flagged_privileged,
           privileged_roles, mfa_method, interactive_login, auth_method, last_login_at,
           ({{ service_account_rule }} and account_type = 'service'
            and interactive_login is not distinct from false) as non_interactive_service
    from privileged_accounts
)
select
    account_id, person_id, system, account_type, flagged_privileged, privileged_roles, mfa_method,
    interactive_login, auth_method, last_login_at,
    case
        when non_interactive_service and auth_method is null
            then 'non-interactive service account: authentication method not recorded'
        when non_interactive_service
            then 'non-interactive service account without key-based authentication (' || auth_method || ')'
        else 'no MFA'
    end as reason
from judged
where (non_interactive_service and (auth_method is null
                                    or auth_method not in (select auth_method from key_methods)))
   or (not non_interactive_service and (mfa_method is null or mfa_method = 'none'))
order by account_id
