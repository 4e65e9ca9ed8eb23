-- name: population
-- warm/cold withdrawals requested on or before the as-of date, not rejected or cancelled
select withdrawal_id from allowlist_at_request

-- name: test
-- the destination was not on the wallet's allow-list when the request was made (never added,
-- removed, or added only later)
select
    withdrawal_id, kind, wallet_id, tier, asset, amount, destination_address,
    requested_at, status,
    last_action as last_allowlist_action, last_change_id as last_allowlist_change_id,
    last_change_at as last_allowlist_change_at
from allowlist_at_request
where last_action is null or last_action <> 'add'
order by withdrawal_id
