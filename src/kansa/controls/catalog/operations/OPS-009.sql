-- name: population
select action_id from admin_actions
where privileged and (action_time at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- the first reason that applies; a ticket is checked in change_tickets, never taken on its id
with kinds as (
    select trim(k) as change_type
    from unnest(string_split({{ action_ticket_types }}, ';')) as t(k)
    where trim(k) <> ''
),
checked as (
    select
        x.action_id, x.host, x.seq, x.account_id, a.person_id as actor_person_id, x.action_time,
        x.action, x.target, x.session_id, x.ticket_id, s.system as host_system,
        t.system as ticket_system, t.kind as ticket_kind, t.change_type as ticket_change_type,
        t.requested_by as ticket_requested_by, t.approved_by as ticket_approved_by,
        t.approved_at as ticket_approved_at,
        case
            when x.ticket_id is null or trim(x.ticket_id) = '' then 'no ticket'
            when t.ticket_id is null then 'ticket not found in change_tickets'
            when t.approved_by is null or t.approved_at is null or t.status in ('open', 'rejected')
                then 'ticket not approved'
            when t.kind = 'emergency'
                 and t.approved_at > x.action_time + to_hours({{ emergency_approval_hours }})
                then 'emergency ticket approved too long after the action'
            when t.kind is distinct from 'emergency' and t.approved_at >= x.action_time
                then 'ticket approved at or after the action'
            when t.approved_by = t.requested_by then 'ticket approved by its requester'
            when t.approved_by = a.person_id then 'ticket approved by the actor'
            when t.change_type is null then 'ticket does not state its kind of change (change_type)'
            when t.change_type not in (select change_type from kinds)
                then 'ticket kind does not cover admin work (' || t.change_type || ')'
            when s.system is null then 'host not in log_sources: system unknown'
            when t.system is distinct from s.system then 'ticket is for another system'
        end as reason
    from admin_actions x
    left join accounts a on a.account_id = x.account_id
    left join log_sources s on s.host = x.host
    left join change_tickets t on t.ticket_id = x.ticket_id
    where x.privileged and (x.action_time at time zone {{ tz }})::date <= {{ as_of }}
)
select *
from checked
where reason is not null
order by action_time, action_id
