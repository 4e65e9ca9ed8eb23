-- depends: role_grants, accounts, roles
-- Role grants active at the end of the as-of date: granted on or before it, not revoked by
-- then, and the account neither disabled nor expired. Each carries the account's person_id and
-- the role's privileged flag and duty (NULL when the role is not in the register). Shared so
-- that segregation-of-duties, review and privileged-access controls agree on "active".
select g.*, a.person_id, r.privileged as role_privileged, r.duty as role_duty
from role_grants g
join accounts a on a.account_id = g.account_id
left join roles r on r.role_id = g.role_id
where (g.granted_at at time zone {{ tz }})::date <= {{ as_of }}
  and (g.revoked_at is null or (g.revoked_at at time zone {{ tz }})::date > {{ as_of }})
  and (a.disabled_at is null or (a.disabled_at at time zone {{ tz }})::date > {{ as_of }})
  and (a.expires_at is null or (a.expires_at at time zone {{ tz }})::date > {{ as_of }})
