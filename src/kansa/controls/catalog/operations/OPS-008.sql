-- name: population
select action_id from admin_actions where (action_time at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- the acting account exists and was enabled (created, not disabled, not expired) at the time
select
    x.action_id, x.host, x.seq, x.account_id, x.action_time, x.action, x.target, x.ticket_id,
    a.created_at, a.disabled_at, a.expires_at,
    case
        when a.account_id is null then 'unknown account'
        when a.created_at > x.action_time then 'before the account existed'
        when a.disabled_at <= x.action_time then 'account disabled'
        else 'account expired'
    end as reason
from admin_actions x
left join accounts a on a.account_id = x.account_id
where (x.action_time at time zone {{ tz }})::date <= {{ as_of }}
  and (a.account_id is null
       or a.created_at > x.action_time
       or a.disabled_at <= x.action_time
       or a.expires_at <= x.action_time)
order by x.action_time, x.action_id
