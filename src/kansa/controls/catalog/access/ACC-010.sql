-- name: population
-- active privileged grants at the end of the as-of date
select grant_id from active_grants where role_privileged

-- name: test
-- last confirmed (by review, or by the grant itself) more than review_days ago
select
    grant_id, account_id, person_id, role_id, granted_at, last_reviewed_at,
    {{ as_of }} - (coalesce(last_reviewed_at, granted_at) at time zone {{ tz }})::date as days_since_review,
    {{ review_days }} as review_days
from active_grants
where role_privileged
  and {{ as_of }} - (coalesce(last_reviewed_at, granted_at) at time zone {{ tz }})::date > {{ review_days }}
order by grant_id
