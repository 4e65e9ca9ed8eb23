-- name: population
-- enabled privileged accounts (flagged privileged, or holding an active privileged role)
select account_id from privileged_accounts

-- name: test
select account_id, person_id, system, account_type, privileged as flagged_privileged,
       privileged_roles, mfa_method, last_login_at
from privileged_accounts
where mfa_method is null or mfa_method = 'none'
order by account_id
