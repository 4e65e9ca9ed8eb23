-- depends: accounts
-- Accounts enabled at the end of the as-of date: created on or before it, and neither disabled
-- nor expired by then (least(disabled_at, expires_at) ends access). Shared because "enabled"
-- must mean the same in every access, people and key control.
select *
from accounts
where (created_at at time zone {{ tz }})::date <= {{ as_of }}
  and (disabled_at is null or (disabled_at at time zone {{ tz }})::date > {{ as_of }})
  and (expires_at is null or (expires_at at time zone {{ tz }})::date > {{ as_of }})
