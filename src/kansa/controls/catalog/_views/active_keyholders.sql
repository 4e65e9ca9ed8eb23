-- depends: keyholders
-- Keys active at the end of the as-of date: assigned on or before it and not revoked by then.
-- Shared by the key-distribution controls (one person, one device, locations) and the
-- phishing-resistant MFA control, so a key counts as held the same way everywhere.
select *
from keyholders
where (assigned_at at time zone {{ tz }})::date <= {{ as_of }}
  and (revoked_at is null or (revoked_at at time zone {{ tz }})::date > {{ as_of }})
