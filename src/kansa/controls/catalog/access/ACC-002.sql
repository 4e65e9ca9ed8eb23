-- name: population
-- accounts of people who left on or before the as-of date
select a.account_id
from accounts a
join staff s on s.person_id = a.person_id
where s.left_on <= {{ as_of }} and (a.created_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- access ends when the account is disabled or expires, whichever is first; late when the
-- as-of date is past the deadline (left_on + max_days, UTC days) and access had not ended by it
with leaver_accounts as (
    select
        a.account_id, a.person_id, a.system, a.account_type, a.privileged, s.left_on,
        s.left_on + {{ max_days }} as deadline,
        a.disabled_at, a.expires_at, a.last_login_at,
        (least(a.disabled_at, a.expires_at) at time zone {{ tz }})::date as access_ended_on
    from accounts a
    join staff s on s.person_id = a.person_id
    where s.left_on <= {{ as_of }} and (a.created_at at time zone {{ tz }})::date <= {{ as_of }}
)
select
    account_id, person_id, system, account_type, privileged, left_on, deadline, disabled_at,
    expires_at, last_login_at,
    least(access_ended_on, {{ as_of }}) - left_on as days_after_leaving
from leaver_accounts
where {{ as_of }} > deadline and (access_ended_on is null or access_ended_on > deadline)
order by account_id
