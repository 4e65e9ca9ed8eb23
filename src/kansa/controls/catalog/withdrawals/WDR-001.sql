-- name: population
-- withdrawals executed on chain (a signed transaction names them) or marked signed/broadcast
select w.withdrawal_id
from withdrawals w
where (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
  and (w.status in ('signed', 'broadcast')
       or exists (select 1 from signed_transactions s
                  where s.withdrawal_id = w.withdrawal_id
                    and (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}))

-- name: test
-- three-way match: the request, and the transaction actually signed for it (destination, amount,
-- asset, wallet); Ethereum and bech32 addresses compare case-insensitively
with requests as (
    select
        w.*,
        case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(w.destination_address) else w.destination_address end as norm_destination
    from withdrawals w
    where (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
),
signed as (
    select
        s.*,
        case when regexp_matches(s.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(s.destination_address) else s.destination_address end as norm_destination
    from signed_transactions s
    where (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}
),
matched as (
    select
        r.withdrawal_id,
        r.kind,
        r.status,
        r.wallet_id,
        r.asset,
        r.destination_address as requested_destination,
        r.amount as requested_amount,
        s.txid,
        s.wallet_id as signed_wallet_id,
        s.asset as signed_asset,
        s.destination_address as signed_destination,
        s.amount as signed_amount,
        s.signed_at,
        case
            when s.txid is null then 'no signed transaction'
            when s.norm_destination <> r.norm_destination then 'destination differs'
            when s.amount <> r.amount then 'amount differs'
            when s.asset <> r.asset then 'asset differs'
            when s.wallet_id <> r.wallet_id then 'wallet differs'
        end as mismatch,
        count(s.txid) over (partition by r.withdrawal_id) as signed_transactions
    from requests r
    left join signed s on s.withdrawal_id = r.withdrawal_id
    where s.txid is not null or r.status in ('signed', 'broadcast')
)
select
    withdrawal_id, kind, status, wallet_id, asset, requested_destination, signed_destination,
    requested_amount, signed_amount, signed_asset, signed_wallet_id, txid, signed_at,
    signed_transactions, mismatch
from matched
where mismatch is not null
qualify row_number() over (partition by withdrawal_id order by signed_at nulls first, txid) = 1
order by withdrawal_id
