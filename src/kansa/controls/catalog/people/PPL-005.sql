-- name: population
-- vendor staff with an enabled account at the end of the as-of date
select distinct s.person_id
from staff s
join enabled_accounts a on a.person_id = s.person_id
where s.employment_type = 'vendor'

-- name: test
-- security_awareness completed on or before the UTC day their first enabled account was created
with vendor_access as (
    select s.person_id, s.vendor, min(a.created_at) as first_account_created_at,
           count(*) as enabled_accounts
    from staff s
    join enabled_accounts a on a.person_id = s.person_id
    where s.employment_type = 'vendor'
    group by s.person_id, s.vendor
)
select v.person_id, v.vendor, v.enabled_accounts, v.first_account_created_at, f.first_trained_on
from vendor_access v
left join first_training f on f.person_id = v.person_id and f.course = 'security_awareness'
where f.first_trained_on is null
   or f.first_trained_on > (v.first_account_created_at at time zone {{ tz }})::date
order by v.person_id
