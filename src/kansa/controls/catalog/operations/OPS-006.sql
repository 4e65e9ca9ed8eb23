-- name: population
-- devices with signing access, except classes that cannot run EDR (judged by OPS-012)
with no_edr as (
    select trim(c) as device_class
    from unnest(string_split({{ no_edr_classes }}, ';')) as t(c)
    where trim(c) <> ''
)
select device_id from endpoints
where signing_access and coalesce(device_class, 'general_purpose') not in (select device_class from no_edr)

-- name: test
-- EDR installed and seen within max_days (UTC days) of the as-of date
with no_edr as (
    select trim(c) as device_class
    from unnest(string_split({{ no_edr_classes }}, ';')) as t(c)
    where trim(c) <> ''
)
select device_id, person_id, device_type, device_class, location, edr_installed, edr_last_seen,
       {{ as_of }} - (edr_last_seen at time zone {{ tz }})::date as days_since_seen,
       case
           when not coalesce(edr_installed, false) then 'no EDR'
           when edr_last_seen is null then 'EDR never seen'
           else 'EDR not seen recently'
       end as reason
from endpoints
where signing_access
  and coalesce(device_class, 'general_purpose') not in (select device_class from no_edr)
  and (not coalesce(edr_installed, false)
       or edr_last_seen is null
       or {{ as_of }} - (edr_last_seen at time zone {{ tz }})::date > {{ max_days }})
order by device_id
