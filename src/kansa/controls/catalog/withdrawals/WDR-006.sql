-- name: population
-- warm/cold withdrawals (not rejected or cancelled) whose destination was on the wallet's
-- allow-list when requested (those that were not are WDR-011's)
select withdrawal_id from allowlist_at_request where last_action = 'add'

-- name: test
-- listed, but for less than cooling_off_hours when the request was made (a tie passes)
select
    withdrawal_id, wallet_id, tier, asset, amount, destination_address, requested_at,
    last_change_id as allowlist_change_id, last_change_at as listed_at,
    (epoch(requested_at) - epoch(last_change_at)) / 3600.0 as hours_listed_before_request,
    {{ cooling_off_hours }} as cooling_off_hours
from allowlist_at_request
where last_action = 'add' and epoch(requested_at) - epoch(last_change_at) < {{ cooling_off_hours }} * 3600
order by withdrawal_id
