-- CUS-008's logic (kansa.reserves.control:cus_008) runs in Python. On Spark its inputs are read
-- on the driver; these blocks say what it needs of the two balance tables: the as-of day, summed.
-- check_reserves takes sum(greatest(balance, 0)) and sum(balance) per asset, and the asset count;
-- one row per asset for the positive balances and one for the rest give the same three figures
-- exactly (the sum of the positive row is the liabilities; the two rows' sum the ledger total).

-- name: driver_customer_balances
select asset, as_of, sum(balance) as balance
from customer_balances
where as_of = {{ as_of }}
group by asset, as_of, balance > 0

-- name: driver_wallet_balances
select wallet_id, asset, as_of, sum(balance) as balance
from wallet_balances
where as_of = {{ as_of }}
group by wallet_id, asset, as_of
