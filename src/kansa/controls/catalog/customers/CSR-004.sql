-- name: population
select deposit_id from deposits where (credited_at at time zone {{ tz }})::date <= {{ as_of }}
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from deposits) then error('deposits holds no rows: CSR-004 has nothing to test against')
    when not exists (select 1 from sanctioned_addresses) then error('sanctioned_addresses holds no rows: CSR-004 has nothing to test against')
    else false end

-- name: test
-- deposits whose source address is on a sanctions list (listed on or before the credit day, or
-- date unknown); Ethereum and bech32 addresses compare case-insensitively, base58 exactly
with sanctioned as (
    select list_name, listed_on, source,
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from sanctioned_addresses
),
credited as (
    select d.*,
        case when regexp_matches(d.source_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(d.source_address) else d.source_address end as norm_source
    from deposits d
    where (d.credited_at at time zone {{ tz }})::date <= {{ as_of }}
)
select
    c.deposit_id, c.customer_id, c.asset, c.source_address, c.amount, c.credited_at, c.txid,
    string_agg(distinct s.list_name, ';' order by s.list_name) as lists,
    min(s.listed_on) as listed_on,
    string_agg(distinct s.source, ';' order by s.source) as list_sources
from credited c
join sanctioned s on s.norm_address = c.norm_source
where s.listed_on is null or s.listed_on <= (c.credited_at at time zone {{ tz }})::date
group by all
order by c.deposit_id
