-- name: population
-- enabled shared accounts
select account_id from enabled_accounts where account_type = 'shared'

-- name: test
-- a shared account that is privileged (flagged, or holding an active privileged role)
select account_id, system, privileged as flagged_privileged, privileged_roles, mfa_method,
       last_login_at
from privileged_accounts
where account_type = 'shared'
order by account_id
