-- name: population
-- one row per distinct address (Ethereum and bech32 addresses compared case-insensitively)
with addresses as (
    select
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from wallet_addresses
    union
    select lower(safe_address) from wallets where safe_address is not null
)
select distinct norm_address from addresses

-- name: test
with addresses as (
    select
        wallet_id,
        address,
        case when regexp_matches(address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(address) else address end as norm_address
    from wallet_addresses
    union
    select wallet_id, safe_address, lower(safe_address)
    from wallets
    where safe_address is not null
)
select
    min(a.address) as address,
    count(distinct w.purpose) as purposes,
    string_agg(distinct w.purpose, ';' order by w.purpose) as wallet_purposes,
    string_agg(distinct w.wallet_id, ';' order by w.wallet_id) as wallet_ids
from addresses a
join wallets w on w.wallet_id = a.wallet_id
group by a.norm_address
having count(distinct w.purpose) > 1
order by address
