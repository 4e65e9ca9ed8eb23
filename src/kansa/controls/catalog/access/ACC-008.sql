-- name: population
-- enabled vendor accounts
select account_id from enabled_accounts where account_type = 'vendor'

-- name: test
-- no expiry, or an expiry more than max_vendor_days (UTC days) after creation
select
    account_id, person_id, system, privileged, created_at, expires_at,
    (expires_at at time zone {{ tz }})::date - (created_at at time zone {{ tz }})::date as days_granted,
    {{ max_vendor_days }} as max_vendor_days
from enabled_accounts
where account_type = 'vendor'
  and (expires_at is null
       or (expires_at at time zone {{ tz }})::date - (created_at at time zone {{ tz }})::date > {{ max_vendor_days }})
order by account_id
