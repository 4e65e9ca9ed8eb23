-- name: population
select txid from signed_transactions where (signed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- a transaction signed by a custody wallet that no withdrawal request explains
select
    s.txid, s.wallet_id, s.asset, s.destination_address, s.amount, s.call_type, s.signed_at,
    s.broadcast_at, s.withdrawal_id as claimed_withdrawal_id,
    case when s.withdrawal_id is null then 'no request id' else 'request id unknown' end as reason
from signed_transactions s
left join withdrawals w on w.withdrawal_id = s.withdrawal_id
where (s.signed_at at time zone {{ tz }})::date <= {{ as_of }} and w.withdrawal_id is null
order by s.signed_at, s.txid
