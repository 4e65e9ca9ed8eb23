-- name: population
-- signed withdrawals that carry at least one approval
select distinct s.withdrawal_id
from signed_transactions s
join withdrawal_approvals a on a.withdrawal_id = s.withdrawal_id
where a.decision = 'approve' and (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- what was signed must be exactly what every approver reviewed
select
    s.withdrawal_id,
    s.txid,
    s.payload_hash as signed_payload_hash,
    count(*) as mismatching_approvals,
    string_agg(a.approval_id, ';' order by a.approval_id) as approval_ids,
    string_agg(a.approver_person_id, ';' order by a.approval_id) as approver_person_ids,
    string_agg(coalesce(a.approved_payload_hash, '(none)'), ';' order by a.approval_id) as approved_payload_hashes,
    s.signed_at
from signed_transactions s
join withdrawal_approvals a on a.withdrawal_id = s.withdrawal_id
where a.decision = 'approve'
  and (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}
  and lower(a.approved_payload_hash) is distinct from lower(s.payload_hash)
group by s.withdrawal_id, s.txid, s.payload_hash, s.signed_at
qualify row_number() over (partition by s.withdrawal_id order by s.signed_at, s.txid) = 1
order by s.withdrawal_id
