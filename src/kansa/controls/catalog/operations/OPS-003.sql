-- name: population
-- one row per log stream (dataset and host) with events on or before the as-of date
select distinct 'auth_events' as dataset, host from auth_events
where (event_time at time zone {{ tz }})::date <= {{ as_of }}
union
select distinct 'admin_actions', host from admin_actions
where (action_time at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- sequence numbers of each host's stream (auth_events and admin_actions numbered separately)
-- must run without gaps; a gap is reported by its first missing number
with events as (
    select 'auth_events' as dataset, host, seq, event_time as event_at from auth_events
    where (event_time at time zone {{ tz }})::date <= {{ as_of }}
    union all
    select 'admin_actions', host, seq, action_time from admin_actions
    where (action_time at time zone {{ tz }})::date <= {{ as_of }}
),
ordered as (
    select dataset, host, seq, event_at,
           lag(seq) over (partition by dataset, host order by seq) as previous_seq,
           lag(event_at) over (partition by dataset, host order by seq) as previous_at
    from events
)
select
    host,
    previous_seq + 1 as gap_start,
    seq - 1 as gap_end,
    seq - previous_seq - 1 as missing_events,
    dataset,
    previous_at as last_event_before_gap,
    event_at as first_event_after_gap
from ordered
where seq - previous_seq > 1
order by host, gap_start
