-- name: population
-- normal and standard changes deployed on or before the as-of date
select ticket_id
from change_tickets
where kind in ('normal', 'standard') and deployed_at is not null
  and (deployed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- approved (by someone, at a recorded time) no later than the deployment
select ticket_id, system, kind, title, requested_by, approved_by, approved_at, deployed_at, status,
       case
           when approved_by is null then 'no approver'
           when approved_at is null then 'approval time missing'
           else 'approved after deployment'
       end as reason
from change_tickets
where kind in ('normal', 'standard') and deployed_at is not null
  and (deployed_at at time zone {{ tz }})::date <= {{ as_of }}
  and (approved_by is null or approved_at is null or approved_at > deployed_at)
order by ticket_id
