-- name: population
select customer_id, asset, as_of from customer_balances where as_of <= {{ as_of }}

-- name: test
select customer_id, asset, as_of, balance
from customer_balances
where as_of <= {{ as_of }} and balance < 0
order by as_of, asset, customer_id
