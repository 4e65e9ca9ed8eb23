-- name: population
-- executed customer withdrawals, and the ledger debits that claim to belong to a withdrawal
select withdrawal_id as record_id
from withdrawals
where kind = 'customer' and (requested_at at time zone {{ tz }})::date <= {{ as_of }}
  and (status in ('signed', 'broadcast')
       or exists (select 1 from signed_transactions s where s.withdrawal_id = withdrawals.withdrawal_id
                  and (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}))
union all
select entry_id
from customer_ledger_entries
where direction = 'debit' and kind = 'withdrawal' and (posted_at at time zone {{ tz }})::date <= {{ as_of }}
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from customer_ledger_entries) then error('customer_ledger_entries holds no rows: CSR-003 has nothing to test against')
    else false end

-- name: test
-- each executed customer withdrawal has exactly one withdrawal debit of the same customer, asset
-- and amount; each withdrawal debit belongs to a customer withdrawal that was executed, or is
-- reversed by a withdrawal_reversal credit of the same amount
with executed as (
    select w.*
    from withdrawals w
    where w.kind = 'customer' and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
      and (w.status in ('signed', 'broadcast')
           or exists (select 1 from signed_transactions s where s.withdrawal_id = w.withdrawal_id
                      and (s.signed_at at time zone {{ tz }})::date <= {{ as_of }}))
),
entries as (
    select * from customer_ledger_entries where (posted_at at time zone {{ tz }})::date <= {{ as_of }}
),
debits as (
    select * from entries where direction = 'debit' and kind = 'withdrawal'
),
per_withdrawal as (
    select
        w.withdrawal_id, w.customer_id, w.asset, w.amount,
        count(d.entry_id) as debits,
        string_agg(d.entry_id, ';' order by d.entry_id) as entry_ids,
        sum(d.amount) as debited_amount,
        bool_and(d.customer_id = w.customer_id) as same_customer,
        bool_and(d.asset = w.asset) as same_asset
    from executed w
    left join debits d on d.withdrawal_id = w.withdrawal_id
    group by w.withdrawal_id, w.customer_id, w.asset, w.amount
),
withdrawal_failures as (
    select
        withdrawal_id as record_id, 'withdrawal' as record_kind, withdrawal_id, customer_id, asset,
        amount as withdrawal_amount, debited_amount, entry_ids,
        case
            when debits = 0 then 'no ledger debit'
            when debits > 1 then 'more than one ledger debit'
            when not same_customer then 'debit on another customer'
            when not same_asset then 'debit in another asset'
            when debited_amount <> amount then 'amount differs'
        end as reason
    from per_withdrawal
),
debit_failures as (
    select
        d.entry_id as record_id, 'ledger debit' as record_kind, d.withdrawal_id, d.customer_id, d.asset,
        w.amount as withdrawal_amount, d.amount as debited_amount, d.entry_id as entry_ids,
        case
            when d.withdrawal_id is null then 'debit names no withdrawal'
            when w.withdrawal_id is null then 'debit names an unknown withdrawal'
            when w.kind <> 'customer' then 'debit names an internal transfer'
            -- a requested or approved withdrawal is debited before it is executed: not yet a failure
            when e.withdrawal_id is null and w.status in ('requested', 'approved') then null
            when e.withdrawal_id is null and not exists (
                select 1 from entries r
                where r.kind = 'withdrawal_reversal' and r.direction = 'credit'
                  and r.withdrawal_id = d.withdrawal_id and r.amount = d.amount
            ) then 'withdrawal not executed and debit not reversed'
        end as reason
    from debits d
    left join withdrawals w on w.withdrawal_id = d.withdrawal_id
    left join executed e on e.withdrawal_id = d.withdrawal_id
)
select * from withdrawal_failures where reason is not null
union all
select * from debit_failures where reason is not null
order by record_kind, record_id
