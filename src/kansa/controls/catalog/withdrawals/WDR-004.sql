-- name: population
-- signed withdrawals with at least one approval
select distinct s.withdrawal_id
from signed_transactions s
join withdrawal_approvals a on a.withdrawal_id = s.withdrawal_id
where a.decision = 'approve' and (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- every approval strictly before the first signature (an approval at the same instant is late)
with first_signed as (
    select withdrawal_id, min(signed_at) as first_signed_at, string_agg(txid, ';' order by txid) as txids
    from signed_transactions
    where withdrawal_id is not null and (signed_at at time zone {{ tz }})::date <= {{ as_of }}
    group by withdrawal_id
)
select
    f.withdrawal_id,
    f.txids,
    f.first_signed_at,
    count(*) filter (where a.approved_at is null or a.approved_at >= f.first_signed_at) as late_approvals,
    max(a.approved_at) as last_approved_at,
    string_agg(a.approval_id, ';' order by a.approval_id) filter (
        where a.approved_at is null or a.approved_at >= f.first_signed_at
    ) as late_approval_ids
from first_signed f
join withdrawal_approvals a on a.withdrawal_id = f.withdrawal_id
where a.decision = 'approve'
group by f.withdrawal_id, f.txids, f.first_signed_at
having count(*) filter (where a.approved_at is null or a.approved_at >= f.first_signed_at) > 0
order by f.withdrawal_id
