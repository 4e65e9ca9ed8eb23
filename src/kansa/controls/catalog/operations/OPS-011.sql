-- name: population
select ticket_id from change_tickets
where approved_by is not null and (approved_at is null or (approved_at at time zone {{ tz }})::date <= {{ as_of }})

-- name: test
select ticket_id, system, kind, title, requested_by, approved_by, approved_at, deployed_at, status
from change_tickets
where approved_by is not null
  and (approved_at is null or (approved_at at time zone {{ tz }})::date <= {{ as_of }})
  and approved_by = requested_by
order by ticket_id
