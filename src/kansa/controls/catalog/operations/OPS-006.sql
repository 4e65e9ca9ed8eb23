-- name: population
select device_id from endpoints where signing_access

-- name: test
-- EDR installed and seen within max_days (UTC days) of the as-of date
select device_id, person_id, device_type, location, edr_installed, edr_last_seen,
       {{ as_of }} - (edr_last_seen at time zone 'UTC')::date as days_since_seen,
       case
           when not coalesce(edr_installed, false) then 'no EDR'
           when edr_last_seen is null then 'EDR never seen'
           else 'EDR not seen recently'
       end as reason
from endpoints
where signing_access
  and (not coalesce(edr_installed, false)
       or edr_last_seen is null
       or {{ as_of }} - (edr_last_seen at time zone 'UTC')::date > {{ max_days }})
order by device_id
