-- name: population
-- enabled privileged accounts (flagged privileged, or holding an active privileged role)
select account_id from privileged_accounts

-- name: test
-- no login for more than max_dormant_days (an account never used counts from its creation)
select account_id, person_id, system, account_type, privileged_roles, created_at, last_login_at,
       {{ as_of }} - (coalesce(last_login_at, created_at) at time zone {{ tz }})::date as dormant_days,
       {{ max_dormant_days }} as max_dormant_days
from privileged_accounts
where {{ as_of }} - (coalesce(last_login_at, created_at) at time zone {{ tz }})::date > {{ max_dormant_days }}
order by account_id
