-- name: population
select device_id from endpoints where signing_access

-- name: test
select device_id, person_id, device_type, location, edr_installed, edr_last_seen
from endpoints
where signing_access and coalesce(untrusted_software, true)
order by device_id
