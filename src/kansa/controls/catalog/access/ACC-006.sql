-- name: population
-- grants of privileged roles made on or before the as-of date
select g.grant_id
from role_grants g
join roles r on r.role_id = g.role_id
where r.privileged and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}

-- name: test
select
    g.grant_id, g.account_id, a.person_id as grantee_person_id, g.role_id, r.name as role_name,
    g.granted_at, g.ticket_id, g.approved_by,
    case
        when g.ticket_id is null or trim(g.ticket_id) = '' then 'no ticket'
        when g.approved_by is null then 'no approver'
        when g.approved_by = a.person_id then 'approved by the grantee'
    end as reason
from role_grants g
join roles r on r.role_id = g.role_id
left join accounts a on a.account_id = g.account_id
where r.privileged
  and (g.granted_at at time zone 'UTC')::date <= {{ as_of }}
  and (g.ticket_id is null or trim(g.ticket_id) = '' or g.approved_by is null
       or g.approved_by = a.person_id)
order by g.grant_id
