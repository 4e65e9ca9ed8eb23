-- name: population
-- grants of privileged roles made on or before the as-of date
select g.grant_id
from role_grants g
join roles r on r.role_id = g.role_id
where r.privileged and (g.granted_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- the first reason that applies; a ticket is checked in change_tickets, never taken on its id
with kinds as (
    select trim(k) as change_type
    from unnest(string_split({{ grant_ticket_types }}, ';')) as t(k)
    where trim(k) <> ''
),
checked as (
    select
        g.grant_id, g.account_id, a.person_id as grantee_person_id, g.role_id, r.name as role_name,
        r.system as role_system, g.granted_at, g.ticket_id, g.approved_by,
        t.system as ticket_system, t.change_type as ticket_change_type, t.status as ticket_status,
        t.requested_by as ticket_requested_by, t.approved_by as ticket_approved_by,
        t.approved_at as ticket_approved_at,
        case
            when g.ticket_id is null or trim(g.ticket_id) = '' then 'no ticket'
            when g.approved_by is null then 'no approver'
            when g.approved_by = a.person_id then 'approved by the grantee'
            when t.ticket_id is null then 'ticket not found in change_tickets'
            when t.approved_by is null or t.approved_at is null or t.status in ('open', 'rejected')
                then 'ticket not approved'
            when t.approved_at >= g.granted_at then 'ticket approved at or after the grant'
            when t.approved_by = t.requested_by then 'ticket approved by its requester'
            when t.approved_by = a.person_id then 'ticket approved by the grantee'
            when t.change_type is null then 'ticket does not state its kind of change (change_type)'
            when t.change_type not in (select change_type from kinds)
                then 'ticket is not an access ticket (' || t.change_type || ')'
            when t.system is distinct from r.system then 'ticket is for another system'
        end as reason
    from role_grants g
    join roles r on r.role_id = g.role_id
    left join accounts a on a.account_id = g.account_id
    left join change_tickets t on t.ticket_id = g.ticket_id
    where r.privileged and (g.granted_at at time zone {{ tz }})::date <= {{ as_of }}
)
select *
from checked
where reason is not null
order by grant_id
