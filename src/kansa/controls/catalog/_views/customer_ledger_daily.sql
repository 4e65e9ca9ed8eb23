-- depends: customer_balances
-- The customer ledger's total per asset per day (sum of every customer's balance, negative
-- ones included). Shared because the cold-share, guarantee and wallet-vs-ledger controls all
-- compare wallets with this same figure. No as-of filter: a control keeps the days up to as_of.
select asset, as_of, sum(balance) as total_customer_amount
from customer_balances
group by asset, as_of
