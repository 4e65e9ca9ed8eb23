-- name: population
select host from log_sources

-- name: test
select host, system, retention_days, earliest_event_at, {{ min_retention_days }} as min_retention_days
from log_sources
where retention_days is null or retention_days < {{ min_retention_days }}
order by host
