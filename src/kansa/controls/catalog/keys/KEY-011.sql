-- name: population
-- approvals of withdrawals recorded on or before the as-of date
select a.approval_id
from withdrawal_approvals a
where a.decision = 'approve' and (a.approved_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- the approver held a key of the withdrawal's wallet when approving: one person would both
-- authorise and sign
select
    a.withdrawal_id,
    a.approver_person_id as person_id,
    w.wallet_id,
    min(a.approved_at) as approved_at,
    string_agg(distinct a.approval_id, ';' order by a.approval_id) as approval_ids,
    string_agg(distinct k.key_fingerprint, ';' order by k.key_fingerprint) as key_fingerprints
from withdrawal_approvals a
join withdrawals w on w.withdrawal_id = a.withdrawal_id
join keyholders k
  on k.wallet_id = w.wallet_id
 and k.person_id = a.approver_person_id
 and k.assigned_at <= a.approved_at
 and (k.revoked_at is null or k.revoked_at > a.approved_at)
where a.decision = 'approve' and (a.approved_at at time zone {{ tz }})::date <= {{ as_of }}
group by a.withdrawal_id, a.approver_person_id, w.wallet_id
order by a.withdrawal_id, person_id
