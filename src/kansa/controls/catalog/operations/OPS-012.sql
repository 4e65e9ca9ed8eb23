-- name: population
with sealed as (
    select trim(c) as device_class
    from unnest(string_split({{ sealed_classes }}, ';')) as t(c)
    where trim(c) <> ''
)
select device_id from endpoints where device_class in (select device_class from sealed)

-- name: test
-- the first reason that applies; the seal is due within max_seal_days (UTC days) of as_of
with sealed as (
    select trim(c) as device_class
    from unnest(string_split({{ sealed_classes }}, ';')) as t(c)
    where trim(c) <> ''
),
locations as (
    select trim(l) as location
    from unnest(string_split({{ secure_locations }}, ';')) as t(l)
    where trim(l) <> ''
),
checked as (
    select
        e.device_id, e.device_class, e.device_type, e.person_id as custodian_person_id,
        s.left_on as custodian_left_on, e.location, e.tamper_seal_checked_at, e.tamper_seal_intact,
        {{ as_of }} - (e.tamper_seal_checked_at at time zone {{ tz }})::date as days_since_seal_check,
        case
            when e.device_class = 'hardware_signer' and e.person_id is null then 'no custodian'
            when e.person_id is not null and s.person_id is null then 'custodian not in staff'
            when s.left_on is not null and s.left_on <= {{ as_of }} then 'custodian has left'
            when e.location is null or trim(e.location) = '' then 'location not recorded'
            when (select count(*) from locations) > 0
                 and e.location not in (select location from locations)
                then 'location not approved'
            when e.tamper_seal_checked_at is null then 'tamper seal never inspected'
            when e.tamper_seal_intact is null then 'tamper seal inspection has no verdict'
            when not e.tamper_seal_intact then 'tamper seal broken'
            when {{ as_of }} - (e.tamper_seal_checked_at at time zone {{ tz }})::date > {{ max_seal_days }}
                then 'tamper seal not inspected recently'
        end as reason
    from endpoints e
    left join staff s on s.person_id = e.person_id
    where e.device_class in (select device_class from sealed)
)
select * from checked where reason is not null order by device_id
