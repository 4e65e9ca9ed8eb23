-- depends: accounts, role_grants, roles
-- When each person had privileged access, one row per span: a privileged account (from its
-- creation until disabled or expired) or a privileged role grant (until revoked or its account
-- ended). span_end NULL = still open. No as-of filter: PPL-003 asks about any time after a click.
select a.person_id, a.created_at as span_start, least(a.disabled_at, a.expires_at) as span_end
from accounts a
where a.privileged and a.person_id is not null
union all
select a.person_id, g.granted_at, least(g.revoked_at, a.disabled_at, a.expires_at)
from role_grants g
join roles r on r.role_id = g.role_id
join accounts a on a.account_id = g.account_id
where r.privileged and a.person_id is not null
