-- depends: enabled_accounts, active_grants
-- The catalog's "privileged account" (controls-spec.md): an enabled account flagged privileged,
-- or holding an active grant of a privileged role; privileged_roles lists those roles (';').
-- Shared because MFA, dormancy and shared-account controls must test the same population.
with privileged_roles as (
    select account_id, string_agg(distinct role_id, ';' order by role_id) as privileged_roles
    from active_grants
    where role_privileged
    group by account_id
)
select e.*, p.privileged_roles
from enabled_accounts e
left join privileged_roles p on p.account_id = e.account_id
where e.privileged or p.account_id is not null
