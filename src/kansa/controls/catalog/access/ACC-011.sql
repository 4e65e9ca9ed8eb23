-- name: population
-- successful logins by accounts of people who left on or before the as-of date
select e.event_id
from auth_events e
join accounts a on a.account_id = e.account_id
join staff s on s.person_id = a.person_id
where e.event_type = 'login' and e.result = 'success' and s.left_on <= {{ as_of }}
  and (e.event_time at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- a successful login on a UTC day after the person's last day
select
    e.event_id, e.host, e.seq, e.account_id, a.person_id, s.left_on, e.event_time, e.device_id,
    e.session_id, (e.event_time at time zone {{ tz }})::date - s.left_on as days_after_leaving
from auth_events e
join accounts a on a.account_id = e.account_id
join staff s on s.person_id = a.person_id
where e.event_type = 'login' and e.result = 'success'
  and (e.event_time at time zone {{ tz }})::date > s.left_on
  and (e.event_time at time zone {{ tz }})::date <= {{ as_of }}
order by e.event_time, e.event_id
