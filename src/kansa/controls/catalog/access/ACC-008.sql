-- name: population
-- enabled vendor accounts
select account_id
from accounts
where account_type = 'vendor'
  and (created_at at time zone 'UTC')::date <= {{ as_of }}
  and (disabled_at is null or (disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (expires_at is null or (expires_at at time zone 'UTC')::date > {{ as_of }})

-- name: test
-- no expiry, or an expiry more than max_vendor_days (UTC days) after creation
select
    account_id, person_id, system, privileged, created_at, expires_at,
    (expires_at at time zone 'UTC')::date - (created_at at time zone 'UTC')::date as days_granted,
    {{ max_vendor_days }} as max_vendor_days
from accounts
where account_type = 'vendor'
  and (created_at at time zone 'UTC')::date <= {{ as_of }}
  and (disabled_at is null or (disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (expires_at is null or (expires_at at time zone 'UTC')::date > {{ as_of }})
  and (expires_at is null
       or (expires_at at time zone 'UTC')::date - (created_at at time zone 'UTC')::date > {{ max_vendor_days }})
order by account_id
