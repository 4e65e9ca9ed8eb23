-- name: population
-- people holding at least one active grant at the end of the as-of date
select distinct person_id from active_grants where person_id is not null

-- name: test
-- a grant is active at the end of the as-of date if granted, not revoked, and its account is
-- still enabled (not disabled, not expired); role_conflicts pairs are unordered
with active as (
    select grant_id, role_id, person_id, account_id from active_grants where person_id is not null
)
select
    x.person_id,
    c.role_a,
    c.role_b,
    c.reason,
    string_agg(distinct x.grant_id, ';' order by x.grant_id) as grants_role_a,
    string_agg(distinct y.grant_id, ';' order by y.grant_id) as grants_role_b,
    string_agg(distinct x.account_id, ';' order by x.account_id) as accounts_role_a,
    string_agg(distinct y.account_id, ';' order by y.account_id) as accounts_role_b
from role_conflicts c
join active x on x.role_id = c.role_a
join active y on y.role_id = c.role_b and y.person_id = x.person_id
group by x.person_id, c.role_a, c.role_b, c.reason
order by x.person_id, c.role_a, c.role_b
