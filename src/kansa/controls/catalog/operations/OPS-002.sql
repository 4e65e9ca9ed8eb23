-- name: population
select ticket_id
from change_tickets
where kind = 'emergency' and deployed_at is not null
  and (deployed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- post-implementation review due within max_days (UTC days) of deployment; late once the as-of
-- date is past the deadline and no review happened by it
with emergency as (
    select *, (deployed_at at time zone {{ tz }})::date + {{ max_days }} as deadline,
           (reviewed_at at time zone {{ tz }})::date as reviewed_on
    from change_tickets
    where kind = 'emergency' and deployed_at is not null
      and (deployed_at at time zone {{ tz }})::date <= {{ as_of }}
)
select ticket_id, system, title, requested_by, approved_by, deployed_at, deadline, reviewed_at, status
from emergency
where {{ as_of }} > deadline and (reviewed_on is null or reviewed_on > deadline)
order by ticket_id
