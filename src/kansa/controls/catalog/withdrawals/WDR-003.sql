-- name: population
-- executed (approved/signed/broadcast) withdrawals from warm/cold wallets, hot ones above the
-- asset's auto-approval limit ("ASSET=amount;..." in smallest units; an asset without a limit
-- has no auto-approval), and every executed withdrawal that carries an approval
with limits as (
    select trim(split_part(item, '=', 1)) as asset, min(cast(trim(split_part(item, '=', 2)) as decimal(38, 0))) as auto_limit
    from unnest(string_split({{ auto_approve_limits }}, ';')) as t(item)
    where trim(item) <> ''
    group by 1
)
select w.withdrawal_id
from withdrawals w
join wallets wl on wl.wallet_id = w.wallet_id
left join limits l on l.asset = w.asset
where (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
  and w.status in ('approved', 'signed', 'broadcast')
  and (wl.tier in ('warm', 'cold') or l.auto_limit is null or w.amount > l.auto_limit
       or exists (select 1 from withdrawal_approvals a
                  where a.withdrawal_id = w.withdrawal_id and a.decision = 'approve'
                    and (a.approved_at at time zone {{ tz }})::date <= {{ as_of }}))

-- name: test
with limits as (
    -- one limit per asset: an asset listed twice keeps the lower (stricter) limit, so a
    -- withdrawal is never counted twice
    select trim(split_part(item, '=', 1)) as asset, min(cast(trim(split_part(item, '=', 2)) as decimal(38, 0))) as auto_limit
    from unnest(string_split({{ auto_approve_limits }}, ';')) as t(item)
    where trim(item) <> ''
    group by 1
),
sweep_tiers as (
    select trim(t) as tier from unnest(string_split({{ sweep_source_tiers }}, ';')) as s(t) where trim(t) <> ''
),
-- the exchange's own cold addresses (registry), compared as in controls-spec.md
cold_addresses as (
    select distinct wl.asset, wl.purpose,
        case when regexp_matches(wa.address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(wa.address) else wa.address end as norm_address
    from wallet_addresses wa
    join wallets wl on wl.wallet_id = wa.wallet_id
    where wl.tier = 'cold'
),
executed as (
    select w.withdrawal_id, w.kind, w.status, w.wallet_id, wl.tier, wl.purpose, w.asset, w.amount,
           w.destination_address, l.auto_limit, w.requested_by, ra.person_id as requester_person_id,
           case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
                then lower(w.destination_address) else w.destination_address end as norm_destination,
           (wl.tier in ('warm', 'cold') or l.auto_limit is null or w.amount > l.auto_limit) as needs_count
    from withdrawals w
    join wallets wl on wl.wallet_id = w.wallet_id
    left join limits l on l.asset = w.asset
    left join accounts ra on ra.account_id = w.requested_by
    where (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
      and w.status in ('approved', 'signed', 'broadcast')
),
tested as (
    select e.*,
        ({{ sweep_exemption }} and e.kind = 'internal'
         and e.tier in (select tier from sweep_tiers)
         and exists (select 1 from cold_addresses c
                     where c.norm_address = e.norm_destination and c.asset = e.asset
                       and c.purpose = e.purpose)) as is_sweep
    from executed e
),
-- approvers' role grants as intervals, with the duty each carries
approver_spans as (
    select a.person_id, g.granted_at as span_start,
           least(g.revoked_at, a.disabled_at, a.expires_at) as span_end
    from role_grants g
    join roles r on r.role_id = g.role_id
    join accounts a on a.account_id = g.account_id
    where r.duty = {{ approver_duty }} and a.person_id is not null
),
judged as (
    select a.*, t.requester_person_id, t.requested_by,
        (a.approver_person_id = t.requester_person_id or a.approver_account_id = t.requested_by) as by_requester,
        exists (select 1 from approver_spans s
                where s.person_id = a.approver_person_id and s.span_start <= a.approved_at
                  and (s.span_end is null or a.approved_at < s.span_end)) as held_role
    from tested t
    join withdrawal_approvals a on a.withdrawal_id = t.withdrawal_id
    where a.decision = 'approve' and (a.approved_at at time zone {{ tz }})::date <= {{ as_of }}
),
approvals as (
    select
        withdrawal_id,
        count(distinct approver_person_id) filter (
            where held_role and not coalesce(by_requester, false)
        ) as independent_approvers,
        count(*) filter (where by_requester) as approvals_by_requester,
        count(*) filter (where not held_role) as approvals_without_role,
        string_agg(approval_id, ';' order by approval_id) filter (where not held_role) as approval_ids_without_role
    from judged
    group by withdrawal_id
)
select
    t.withdrawal_id, t.kind, t.status, t.wallet_id, t.tier, t.asset, t.amount, t.auto_limit,
    t.requested_by, t.requester_person_id, t.is_sweep,
    coalesce(a.independent_approvers, 0) as independent_approvers,
    coalesce(a.approvals_by_requester, 0) as approvals_by_requester,
    coalesce(a.approvals_without_role, 0) as approvals_without_role,
    a.approval_ids_without_role,
    {{ min_approvals }} as min_approvals
from tested t
left join approvals a on a.withdrawal_id = t.withdrawal_id
where (t.needs_count and not t.is_sweep and coalesce(a.independent_approvers, 0) < {{ min_approvals }})
   or coalesce(a.approvals_by_requester, 0) > 0
   or coalesce(a.approvals_without_role, 0) > 0
order by t.withdrawal_id
