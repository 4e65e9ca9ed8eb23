-- name: population
-- executed (approved/signed/broadcast) withdrawals from warm/cold wallets, and hot ones above
-- the asset's auto-approval limit ("ASSET=amount;..." in smallest units; an asset without a
-- limit has no auto-approval)
with limits as (
    -- one limit per asset: an asset listed twice keeps the lower (stricter) limit, so a
    -- withdrawal is never counted twice
    select trim(split_part(item, '=', 1)) as asset, min(cast(trim(split_part(item, '=', 2)) as decimal(38, 0))) as auto_limit
    from unnest(string_split({{ auto_approve_limits }}, ';')) as t(item)
    where trim(item) <> ''
    group by 1
)
select w.withdrawal_id
from withdrawals w
join wallets wl on wl.wallet_id = w.wallet_id
left join limits l on l.asset = w.asset
where (w.requested_at at time zone 'UTC')::date <= {{ as_of }}
  and w.status in ('approved', 'signed', 'broadcast')
  and (wl.tier in ('warm', 'cold') or l.auto_limit is null or w.amount > l.auto_limit)

-- name: test
with limits as (
    -- one limit per asset: an asset listed twice keeps the lower (stricter) limit, so a
    -- withdrawal is never counted twice
    select trim(split_part(item, '=', 1)) as asset, min(cast(trim(split_part(item, '=', 2)) as decimal(38, 0))) as auto_limit
    from unnest(string_split({{ auto_approve_limits }}, ';')) as t(item)
    where trim(item) <> ''
    group by 1
),
tested as (
    select w.withdrawal_id, w.kind, w.status, w.wallet_id, wl.tier, w.asset, w.amount, l.auto_limit,
           w.requested_by, ra.person_id as requester_person_id
    from withdrawals w
    join wallets wl on wl.wallet_id = w.wallet_id
    left join limits l on l.asset = w.asset
    left join accounts ra on ra.account_id = w.requested_by
    where (w.requested_at at time zone 'UTC')::date <= {{ as_of }}
      and w.status in ('approved', 'signed', 'broadcast')
      and (wl.tier in ('warm', 'cold') or l.auto_limit is null or w.amount > l.auto_limit)
),
approvals as (
    select
        t.withdrawal_id,
        count(distinct a.approver_person_id) filter (
            where a.approver_person_id is distinct from t.requester_person_id
              and a.approver_account_id is distinct from t.requested_by
        ) as independent_approvers,
        count(*) filter (
            where a.approver_person_id = t.requester_person_id or a.approver_account_id = t.requested_by
        ) as approvals_by_requester
    from tested t
    join withdrawal_approvals a on a.withdrawal_id = t.withdrawal_id
    where a.decision = 'approve' and (a.approved_at at time zone 'UTC')::date <= {{ as_of }}
    group by t.withdrawal_id
)
select
    t.withdrawal_id, t.kind, t.status, t.wallet_id, t.tier, t.asset, t.amount, t.auto_limit,
    t.requested_by, t.requester_person_id,
    coalesce(a.independent_approvers, 0) as independent_approvers,
    coalesce(a.approvals_by_requester, 0) as approvals_by_requester,
    {{ min_approvals }} as min_approvals
from tested t
left join approvals a on a.withdrawal_id = t.withdrawal_id
where coalesce(a.independent_approvers, 0) < {{ min_approvals }}
   or coalesce(a.approvals_by_requester, 0) > 0
order by t.withdrawal_id
