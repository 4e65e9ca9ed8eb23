-- name: population
select withdrawal_id
from withdrawals
where kind = 'customer' and status not in ('rejected', 'cancelled')
  and (requested_at at time zone {{ tz }})::date <= {{ as_of }}
union all
-- an input with no rows at all is data not seen: the run reports an error, never a pass
select null from (select 1) where case
    when not exists (select 1 from customer_logins) then error('customer_logins holds no rows: CSR-001 has nothing to test against')
    else false end

-- name: test
-- a customer withdrawal requested soon after a login from a device or a country the customer had
-- not used in the look-back (relative to their own earlier logins: a customer with no earlier
-- login in the look-back is not judged), or soon after the destination was added to their
-- address book; Ethereum and bech32 addresses compare case-insensitively
with requests as (
    select w.withdrawal_id, w.customer_id, w.asset, w.destination_address, w.amount, w.requested_at,
        case when regexp_matches(w.destination_address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
             then lower(w.destination_address) else w.destination_address end as norm_destination
    from withdrawals w
    where w.kind = 'customer' and w.status not in ('rejected', 'cancelled')
      and (w.requested_at at time zone {{ tz }})::date <= {{ as_of }}
),
ok_logins as (
    select * from customer_logins where result = 'success'
),
novel_logins as (
    select l.customer_id, l.logged_in_at, l.device_id, l.ip_country,
        not exists (select 1 from ok_logins p
                    where p.customer_id = l.customer_id and p.device_id = l.device_id
                      and p.logged_in_at < l.logged_in_at
                      and p.logged_in_at >= l.logged_in_at - to_days(cast({{ lookback_days }} as integer))) as new_device,
        not exists (select 1 from ok_logins p
                    where p.customer_id = l.customer_id and p.ip_country = l.ip_country
                      and p.logged_in_at < l.logged_in_at
                      and p.logged_in_at >= l.logged_in_at - to_days(cast({{ lookback_days }} as integer))) as new_country
    from ok_logins l
    where exists (select 1 from ok_logins p
                  where p.customer_id = l.customer_id and p.logged_in_at < l.logged_in_at
                    and p.logged_in_at >= l.logged_in_at - to_days(cast({{ lookback_days }} as integer)))
),
signals as (
    select r.withdrawal_id, 'new device' as signal, n.logged_in_at as signal_at
    from requests r join novel_logins n on n.customer_id = r.customer_id
    where n.new_device and n.logged_in_at <= r.requested_at
      and r.requested_at - n.logged_in_at <= to_minutes(cast({{ new_device_window_minutes }} as bigint))
    union all
    select r.withdrawal_id, 'new country', n.logged_in_at
    from requests r join novel_logins n on n.customer_id = r.customer_id
    where n.new_country and n.logged_in_at <= r.requested_at
      and r.requested_at - n.logged_in_at <= to_minutes(cast({{ new_country_window_minutes }} as bigint))
    union all
    select r.withdrawal_id, 'address added', c.changed_at
    from requests r join withdrawal_address_changes c on c.customer_id = r.customer_id
    where c.action = 'add' and c.asset = r.asset
      and (case when regexp_matches(c.address, '^(0[xX]|[bB][cC]1|[tT][bB]1|[lL][tT][cC]1|[tT][lL][tT][cC]1)')
                then lower(c.address) else c.address end) = r.norm_destination
      and c.changed_at <= r.requested_at
      and r.requested_at - c.changed_at <= to_minutes(cast({{ address_change_window_minutes }} as bigint))
)
select f.*, date_diff('minute', f.latest_signal_at, f.requested_at) as minutes_after_signal
from (
    select
        r.withdrawal_id, r.customer_id, r.asset, r.amount, r.requested_at,
        string_agg(distinct s.signal, ';' order by s.signal) as signals,
        max(s.signal_at) as latest_signal_at
    from requests r
    join signals s on s.withdrawal_id = r.withdrawal_id
    group by all
) f
order by f.withdrawal_id
