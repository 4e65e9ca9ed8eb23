-- name: population
-- phishing-test clicks on or before the as-of date by people with privileged access at the
-- time of the click or later
with clicks as (
    select t.*, coalesce(t.clicked_at, t.sent_at) as click_time
    from phishing_tests t
    where t.clicked and (coalesce(t.clicked_at, t.sent_at) at time zone {{ tz }})::date <= {{ as_of }}
)
select distinct c.test_id
from clicks c
join privileged_access_spans p
  on p.person_id = c.person_id
 and (p.span_start at time zone {{ tz }})::date <= {{ as_of }}
 and (p.span_end is null or p.span_end > c.click_time)

-- name: test
-- phishing_remediation due within max_days (UTC days) of the click; late once the as-of date is
-- past the deadline without a completion on or before it
with clicks as (
    select t.*, coalesce(t.clicked_at, t.sent_at) as click_time,
           (coalesce(t.clicked_at, t.sent_at) at time zone {{ tz }})::date as clicked_on
    from phishing_tests t
    where t.clicked and (coalesce(t.clicked_at, t.sent_at) at time zone {{ tz }})::date <= {{ as_of }}
),
privileged_clicks as (
    select distinct c.test_id, c.person_id, c.sent_at, c.click_time, c.clicked_on,
           c.clicked_on + {{ max_days }} as deadline
    from clicks c
    join privileged_access_spans p
      on p.person_id = c.person_id
     and (p.span_start at time zone {{ tz }})::date <= {{ as_of }}
     and (p.span_end is null or p.span_end > c.click_time)
),
remediated as (
    select c.test_id, min(t.completed_on) as remediated_on
    from privileged_clicks c
    join training_records t
      on t.person_id = c.person_id
     and t.course = 'phishing_remediation'
     and t.completed_on >= c.clicked_on
     and t.completed_on <= {{ as_of }}
    group by c.test_id
)
select
    c.test_id, c.person_id, s.employment_type, s.vendor, c.sent_at, c.click_time as clicked_at,
    c.deadline, r.remediated_on
from privileged_clicks c
left join remediated r on r.test_id = c.test_id
left join staff s on s.person_id = c.person_id
where {{ as_of }} > c.deadline and (r.remediated_on is null or r.remediated_on > c.deadline)
order by c.test_id
