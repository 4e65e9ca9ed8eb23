-- name: population
select s.txid
from signed_transactions s
join wallets w on w.wallet_id = s.wallet_id
where (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- delegatecall never; contract calls only to the wallet's own token contract or to a contract on
-- the wallet's allow-list when signed
with calls as (
    select s.*, w.tier, w.token_contract, lower(s.contract_address) as norm_contract
    from signed_transactions s
    join wallets w on w.wallet_id = s.wallet_id
    where (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}
      and s.call_type in ('delegatecall', 'contract_call')
),
listing as (
    select c.txid, a.action
    from calls c
    join address_allowlist_changes a
      on a.wallet_id = c.wallet_id and lower(a.address) = c.norm_contract and a.effective_at <= c.signed_at
    qualify row_number() over (partition by c.txid order by a.effective_at desc, a.change_id desc) = 1
)
select
    c.txid, c.wallet_id, c.tier, c.asset, c.call_type, c.contract_address, c.destination_address,
    c.amount, c.payload_hash, c.signed_at, c.withdrawal_id,
    case when c.call_type = 'delegatecall' then 'delegatecall' else 'call to an unlisted contract' end as reason
from calls c
left join listing l on l.txid = c.txid
where c.call_type = 'delegatecall'
   or c.norm_contract is null
   or not coalesce(c.norm_contract = lower(c.token_contract) or l.action = 'add', false)
order by c.signed_at, c.txid
