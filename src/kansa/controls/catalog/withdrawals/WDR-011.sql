-- name: population
select w.withdrawal_id
from withdrawals w
join wallets wl on wl.wallet_id = w.wallet_id
where wl.tier in ('warm', 'cold')
  and w.status not in ('rejected', 'cancelled')
  and (w.requested_at at time zone 'UTC')::date <= {{ as_of }}

-- name: test
-- the destination was not on the wallet's allow-list when the request was made (never added,
-- removed, or added only later)
with changes as (
    select wallet_id, action, effective_at, change_id,
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from address_allowlist_changes
),
requests as (
    select w.withdrawal_id, w.kind, w.wallet_id, wl.tier, w.asset, w.amount, w.destination_address,
        w.requested_at, w.status,
        case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(w.destination_address) else w.destination_address end as norm_destination
    from withdrawals w
    join wallets wl on wl.wallet_id = w.wallet_id
    where wl.tier in ('warm', 'cold')
      and w.status not in ('rejected', 'cancelled')
      and (w.requested_at at time zone 'UTC')::date <= {{ as_of }}
),
last_change as (
    select r.withdrawal_id, c.action, c.change_id, c.effective_at
    from requests r
    join changes c
      on c.wallet_id = r.wallet_id and c.norm_address = r.norm_destination and c.effective_at <= r.requested_at
    qualify row_number() over (partition by r.withdrawal_id order by c.effective_at desc, c.change_id desc) = 1
)
select
    r.withdrawal_id, r.kind, r.wallet_id, r.tier, r.asset, r.amount, r.destination_address,
    r.requested_at, r.status,
    l.action as last_allowlist_action, l.change_id as last_allowlist_change_id,
    l.effective_at as last_allowlist_change_at
from requests r
left join last_change l on l.withdrawal_id = r.withdrawal_id
where l.action is null or l.action <> 'add'
order by r.withdrawal_id
