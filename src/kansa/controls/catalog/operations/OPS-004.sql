-- name: population
select host from log_sources

-- name: test
select host, system, clock_skew_ms, {{ max_skew_ms }} as max_skew_ms
from log_sources
where clock_skew_ms is null or abs(clock_skew_ms) > {{ max_skew_ms }}
order by host
