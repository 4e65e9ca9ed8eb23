-- name: population
-- executed customer withdrawals and credited deposits at or above the threshold of their asset
with thresholds as (
    select upper(trim(split_part(x, '=', 1))) as asset, cast(trim(split_part(x, '=', 2)) as decimal(38, 0)) as min_amount
    from (select unnest(str_split({{ min_amounts }}, ';')) as x)
    where trim(x) <> ''
)
select w.withdrawal_id
from withdrawals w
left join thresholds t on t.asset = upper(w.asset)
where w.kind = 'customer' and w.status in ('signed', 'broadcast')
  and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
  and w.amount >= coalesce(t.min_amount, 0)
union all
select d.deposit_id
from deposits d
left join thresholds t on t.asset = upper(d.asset)
where (d.credited_at at time zone {{ tz }})::date <= {{ as_of }} and d.amount >= coalesce(t.min_amount, 0)
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from travel_rule_messages) then error('travel_rule_messages holds no rows: CSR-005 has nothing to test against')
    else false end

-- name: test
-- each transfer at or above the threshold has a Travel Rule record; to or from another provider,
-- a message with every originator and beneficiary field, sent (outgoing) no later than the
-- transaction was broadcast (or signed, when no broadcast time is known)
with thresholds as (
    select upper(trim(split_part(x, '=', 1))) as asset, cast(trim(split_part(x, '=', 2)) as decimal(38, 0)) as min_amount
    from (select unnest(str_split({{ min_amounts }}, ';')) as x)
    where trim(x) <> ''
),
transfers as (
    select 'outgoing' as direction, w.withdrawal_id as transfer_id, w.customer_id, w.asset, w.amount,
        (select min(coalesce(s.broadcast_at, s.signed_at)) from signed_transactions s
         where s.withdrawal_id = w.withdrawal_id) as transferred_at
    from withdrawals w
    left join thresholds t on t.asset = upper(w.asset)
    where w.kind = 'customer' and w.status in ('signed', 'broadcast')
      and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
      and w.amount >= coalesce(t.min_amount, 0)
    union all
    select 'incoming', d.deposit_id, d.customer_id, d.asset, d.amount, d.credited_at
    from deposits d
    left join thresholds t on t.asset = upper(d.asset)
    where (d.credited_at at time zone {{ tz }})::date <= {{ as_of }} and d.amount >= coalesce(t.min_amount, 0)
),
messages as (
    select m.*,
        m.originator_name_present and m.originator_account_present and m.originator_identifier_present
            and m.beneficiary_name_present and m.beneficiary_account_present as complete
    from travel_rule_messages m
    where m.sent_at is null or (m.sent_at at time zone {{ tz }})::date <= {{ as_of }}
),
judged as (
    select
        t.direction, t.transfer_id, t.customer_id, t.asset, t.amount, t.transferred_at,
        count(m.message_id) as messages,
        string_agg(m.message_id, ';' order by m.message_id) as message_ids,
        string_agg(distinct m.counterparty_vasp, ';' order by m.counterparty_vasp) as counterparty_vasps,
        min(m.sent_at) filter (where m.complete) as first_complete_sent_at,
        bool_or(m.counterparty_kind = 'unhosted') as unhosted,
        bool_or(m.counterparty_kind = 'vasp' and m.complete) as any_complete,
        bool_or(m.counterparty_kind = 'vasp' and m.complete and m.sent_at is not null
                and (t.direction = 'incoming' or t.transferred_at is null
                     or m.sent_at <= t.transferred_at)) as any_in_time
    from transfers t
    left join messages m on m.transfer_id = t.transfer_id and m.direction = t.direction
    group by all
)
select * from (
    select *,
        case
            when messages = 0 then 'no Travel Rule record'
            when unhosted and not any_complete then null
            when not any_complete then 'message incomplete'
            when not any_in_time and first_complete_sent_at is null then 'message not sent'
            when not any_in_time then 'message sent after the transfer'
        end as reason
    from judged
)
where reason is not null
order by direction, transfer_id
