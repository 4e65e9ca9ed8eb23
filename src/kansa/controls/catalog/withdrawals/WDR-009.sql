-- name: population
select change_id from address_allowlist_changes where (effective_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- a second person approved before (or at) the moment the change took effect
select change_id, wallet_id, address, action, requested_by, approved_by, requested_at, approved_at,
       effective_at, reason
from (
    select *,
        case
            when approved_by is null then 'not approved'
            when approved_by = requested_by then 'approved by the requester'
            when approved_at is null then 'approval time missing'
            when approved_at > effective_at then 'approved after taking effect'
        end as reason
    from address_allowlist_changes
    where (effective_at at time zone {{ tz }})::date <= {{ as_of }}
) c
where reason is not null
order by change_id
