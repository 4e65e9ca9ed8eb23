-- name: population
-- events that belong to a session and name a device
select event_id
from auth_events
where session_id is not null and device_id is not null
  and (event_time at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- the session's device is the one of its latest successful login or MFA; any other event of the
-- session from another device without authenticating again is a hijacked session
with events as (
    select *
    from auth_events
    where session_id is not null and device_id is not null
      and (event_time at time zone {{ tz }})::date <= {{ as_of }}
),
tracked as (
    select
        *,
        last_value(case when event_type in ('login', 'mfa') and result = 'success' then device_id end ignore nulls)
            over (partition by session_id order by event_time, seq, event_id
                  rows between unbounded preceding and current row) as authenticated_device,
        first_value(event_time) over (partition by session_id order by event_time, seq, event_id) as session_started_at
    from events
)
select
    event_id, host, seq, account_id, session_id, event_type, event_time, device_id,
    authenticated_device, session_started_at, result
from tracked
where not (event_type in ('login', 'mfa') and result = 'success')
  and authenticated_device is not null
  and device_id <> authenticated_device
order by event_time, event_id
