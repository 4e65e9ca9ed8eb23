-- name: population
-- warm/cold withdrawals (not rejected or cancelled) whose destination was on the wallet's
-- allow-list when requested (those that were not are WDR-011's)
with changes as (
    select wallet_id, action, effective_at, change_id,
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from address_allowlist_changes
),
requests as (
    select w.withdrawal_id, w.wallet_id, w.requested_at,
        case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(w.destination_address) else w.destination_address end as norm_destination
    from withdrawals w
    join wallets wl on wl.wallet_id = w.wallet_id
    where wl.tier in ('warm', 'cold')
      and w.status not in ('rejected', 'cancelled')
      and (w.requested_at at time zone 'UTC')::date <= {{ as_of }}
),
last_change as (
    select r.withdrawal_id, c.action
    from requests r
    join changes c
      on c.wallet_id = r.wallet_id and c.norm_address = r.norm_destination and c.effective_at <= r.requested_at
    qualify row_number() over (partition by r.withdrawal_id order by c.effective_at desc, c.change_id desc) = 1
)
select withdrawal_id from last_change where action = 'add'

-- name: test
-- listed, but for less than cooling_off_hours when the request was made (a tie passes)
with changes as (
    select wallet_id, action, effective_at, change_id,
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from address_allowlist_changes
),
requests as (
    select w.withdrawal_id, w.wallet_id, wl.tier, w.asset, w.amount, w.destination_address, w.requested_at,
        case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(w.destination_address) else w.destination_address end as norm_destination
    from withdrawals w
    join wallets wl on wl.wallet_id = w.wallet_id
    where wl.tier in ('warm', 'cold')
      and w.status not in ('rejected', 'cancelled')
      and (w.requested_at at time zone 'UTC')::date <= {{ as_of }}
),
last_change as (
    select r.*, c.action, c.change_id, c.effective_at as listed_at
    from requests r
    join changes c
      on c.wallet_id = r.wallet_id and c.norm_address = r.norm_destination and c.effective_at <= r.requested_at
    qualify row_number() over (partition by r.withdrawal_id order by c.effective_at desc, c.change_id desc) = 1
)
select
    withdrawal_id, wallet_id, tier, asset, amount, destination_address, requested_at,
    change_id as allowlist_change_id, listed_at,
    (epoch(requested_at) - epoch(listed_at)) / 3600.0 as hours_listed_before_request,
    {{ cooling_off_hours }} as cooling_off_hours
from last_change
where action = 'add' and epoch(requested_at) - epoch(listed_at) < {{ cooling_off_hours }} * 3600
order by withdrawal_id
