-- name: population
select action_id from admin_actions
where privileged and (action_time at time zone 'UTC')::date <= {{ as_of }}

-- name: test
select action_id, host, seq, account_id, action_time, action, target, session_id
from admin_actions
where privileged
  and (action_time at time zone 'UTC')::date <= {{ as_of }}
  and (ticket_id is null or trim(ticket_id) = '')
order by action_time, action_id
