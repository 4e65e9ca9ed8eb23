-- name: population
-- active privileged grants at the end of the as-of date
select g.grant_id
from role_grants g
join roles r on r.role_id = g.role_id
join accounts a on a.account_id = g.account_id
where r.privileged
  and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
  and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
  and (a.disabled_at is null or (a.disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (a.expires_at is null or (a.expires_at at time zone 'UTC')::date > {{ as_of }})

-- name: test
-- last confirmed (by review, or by the grant itself) more than review_days ago
select
    g.grant_id, g.account_id, a.person_id, g.role_id, g.granted_at, g.last_reviewed_at,
    {{ as_of }} - (coalesce(g.last_reviewed_at, g.granted_at) at time zone 'UTC')::date as days_since_review,
    {{ review_days }} as review_days
from role_grants g
join roles r on r.role_id = g.role_id
join accounts a on a.account_id = g.account_id
where r.privileged
  and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
  and (g.revoked_at is null or (g.revoked_at at time zone 'UTC')::date > {{ as_of }})
  and (a.disabled_at is null or (a.disabled_at at time zone 'UTC')::date > {{ as_of }})
  and (a.expires_at is null or (a.expires_at at time zone 'UTC')::date > {{ as_of }})
  and {{ as_of }} - (coalesce(g.last_reviewed_at, g.granted_at) at time zone 'UTC')::date > {{ review_days }}
order by g.grant_id
