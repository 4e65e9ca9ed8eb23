-- depends: withdrawals, wallets, address_allowlist_changes
-- Every warm/cold withdrawal requested on or before the as-of date (not rejected or cancelled)
-- with the last allow-list change of its wallet for its destination effective at or before the
-- request (last_action 'add' = listed; NULL = never listed). Addresses compare as in
-- controls-spec.md: 0x and bech32 case-insensitively, base58 exactly. Shared because WDR-011
-- (not listed) and WDR-006 (listed too recently) partition the same withdrawals.
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
      and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
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
    l.action as last_action, l.change_id as last_change_id, l.effective_at as last_change_at
from requests r
left join last_change l on l.withdrawal_id = r.withdrawal_id
