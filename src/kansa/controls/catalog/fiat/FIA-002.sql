-- name: population
-- customer yen movements, and the trust account lines
select movement_id as record_id from yen_movements where (booked_at at time zone {{ tz }})::date <= {{ as_of }}
union all
select trust_reference from yen_trust_movements where booked_on <= {{ as_of }}
union all
-- no customer movement and no trust line at all is data not seen: an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from yen_movements) and not exists (select 1 from yen_trust_movements)
        then error('yen_movements holds no rows, nor does yen_trust_movements: FIA-002 has nothing to test against')
    else false end

-- name: test
-- every customer yen movement is covered by a trust line of its account and direction within
-- max_lag_days; every customer trust line equals the movements that point to it; money leaves
-- the trust only for customer withdrawals or trust fees
with movements as (
    select m.*, (m.booked_at at time zone {{ tz }})::date as booked_day
    from yen_movements m
    where (m.booked_at at time zone {{ tz }})::date <= {{ as_of }}
),
lines as (
    select * from yen_trust_movements where booked_on <= {{ as_of }}
),
movement_failures as (
    select
        m.movement_id as record_id, 'customer movement' as record_kind, m.direction, m.amount,
        m.booked_day, m.trust_account_id, m.trust_reference, l.amount as trust_line_amount,
        l.booked_on as trust_booked_on,
        case
            when l.trust_reference is null and m.booked_day + cast({{ max_lag_days }} as integer) >= {{ as_of }} then null
            when m.trust_reference is null then 'no trust line'
            when l.trust_reference is null then 'trust line not found'
            when l.trust_account_id <> m.trust_account_id then 'trust account differs'
            when (m.direction = 'deposit') <> (l.direction = 'in') then 'direction differs'
            when abs(l.booked_on - m.booked_day) > cast({{ max_lag_days }} as integer) then 'trust line too far from the movement'
        end as reason
    from movements m
    left join lines l on l.trust_reference = m.trust_reference
),
line_totals as (
    select l.*, coalesce(sum(m.amount), 0) as customer_amount, count(m.movement_id) as customer_movements
    from lines l
    left join movements m on m.trust_reference = l.trust_reference
        and (m.direction = 'deposit') = (l.direction = 'in')  -- a movement the other way is no cover
    group by all
),
line_failures as (
    select
        trust_reference as record_id, 'trust line' as record_kind, direction, amount, booked_on as booked_day,
        trust_account_id, trust_reference, customer_amount as trust_line_amount, booked_on as trust_booked_on,
        case
            when direction = 'out' and purpose not in ('customer_withdrawals', 'fee') then 'released from the trust, not for customers'
            when (purpose = 'customer_deposits' and direction <> 'in')
              or (purpose = 'customer_withdrawals' and direction <> 'out') then 'direction differs from purpose'
            when purpose in ('customer_deposits', 'customer_withdrawals') and customer_movements = 0
                then 'no customer movement'
            when purpose in ('customer_deposits', 'customer_withdrawals') and customer_amount <> amount
                then 'amount differs from its customer movements'
        end as reason
    from line_totals
)
select * from movement_failures where reason is not null
union all
select * from line_failures where reason is not null
order by record_kind, record_id
