-- name: population
select withdrawal_id
from withdrawals
where status not in ('rejected', 'cancelled') and (requested_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- destinations on a sanctions list (listed on or before the request day, or date unknown);
-- Ethereum and bech32 addresses compare case-insensitively, base58 exactly
with sanctioned as (
    select list_name, asset as list_asset, listed_on, source,
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from sanctioned_addresses
),
requests as (
    select w.*,
        case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(w.destination_address) else w.destination_address end as norm_destination
    from withdrawals w
    where w.status not in ('rejected', 'cancelled') and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
)
select
    r.withdrawal_id, r.kind, r.customer_id, r.wallet_id, r.asset, r.destination_address, r.amount,
    r.requested_at, r.status,
    string_agg(distinct s.list_name, ';' order by s.list_name) as lists,
    min(s.listed_on) as listed_on,
    string_agg(distinct s.source, ';' order by s.source) as list_sources
from requests r
join sanctioned s on s.norm_address = r.norm_destination
where s.listed_on is null or s.listed_on <= (r.requested_at at time zone {{ tz }})::date
group by all
order by r.withdrawal_id
