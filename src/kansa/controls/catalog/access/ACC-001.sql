-- name: population
-- people holding a grant at some moment of the period
with grants as (
    select a.person_id, g.granted_at as span_start,
           least(g.revoked_at, a.disabled_at, a.expires_at) as span_end
    from role_grants g
    join accounts a on a.account_id = g.account_id
    where a.person_id is not null
)
select distinct person_id
from grants
where (span_start at time zone {{ tz }})::date <= {{ as_of }}
  and (span_end is null
       or (span_end at time zone {{ tz }})::date > {{ as_of }} - {{ period_days }})
  and (span_end is null or span_end > span_start)

-- name: test
-- each grant is an interval [granted_at, first of revoked_at, disabled_at, expires_at); two
-- grants of a conflicting pair (unordered) conflict when the intervals share an instant that
-- falls in the period: after the start of day as_of - period_days + 1 and before the end of as_of
with spans as (
    select g.grant_id, g.role_id, g.account_id, a.person_id, g.granted_at as span_start,
           least(g.revoked_at, a.disabled_at, a.expires_at) as span_end
    from role_grants g
    join accounts a on a.account_id = g.account_id
    where a.person_id is not null
),
pairs as (
    select
        x.person_id, c.role_a, c.role_b, c.reason,
        x.grant_id as grant_a, y.grant_id as grant_b, x.account_id as account_a,
        y.account_id as account_b,
        greatest(x.span_start, y.span_start) as overlap_start,
        case when x.span_end is null then y.span_end
             when y.span_end is null then x.span_end
             else least(x.span_end, y.span_end) end as overlap_end
    from role_conflicts c
    join spans x on x.role_id = c.role_a
    join spans y on y.role_id = c.role_b and y.person_id = x.person_id
)
select
    person_id, role_a, role_b, reason,
    string_agg(distinct grant_a, ';' order by grant_a) as grants_role_a,
    string_agg(distinct grant_b, ';' order by grant_b) as grants_role_b,
    string_agg(distinct account_a, ';' order by account_a) as accounts_role_a,
    string_agg(distinct account_b, ';' order by account_b) as accounts_role_b,
    min(overlap_start) as first_overlap_start,
    max(overlap_end) as last_overlap_end
from pairs
where (overlap_end is null or overlap_end > overlap_start)
  and (overlap_start at time zone {{ tz }})::date <= {{ as_of }}
  and (overlap_end is null or (overlap_end at time zone {{ tz }})::date > {{ as_of }} - {{ period_days }})
group by person_id, role_a, role_b, reason
order by person_id, role_a, role_b
