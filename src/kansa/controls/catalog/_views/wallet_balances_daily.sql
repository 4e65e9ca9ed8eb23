-- depends: wallet_balances, wallets
-- On-chain wallet balances per asset per day, split the ways the custody controls need them:
-- customer-purpose wallets (all tiers), cold customer wallets, performance-guarantee wallets.
-- A *_wallets count of 0 means no such wallet reported that day (its amount is then NULL).
-- No as-of filter: a control keeps the days up to as_of.
select
    b.asset,
    b.as_of,
    count(*) filter (where w.purpose = 'customer') as customer_wallets,
    sum(b.balance) filter (where w.purpose = 'customer') as customer_amount,
    count(*) filter (where w.purpose = 'customer' and w.tier = 'cold') as cold_wallets,
    sum(b.balance) filter (where w.purpose = 'customer' and w.tier = 'cold') as cold_amount,
    sum(b.balance) filter (where w.purpose = 'performance_guarantee') as guarantee_amount
from wallet_balances b
join wallets w on w.wallet_id = b.wallet_id
group by b.asset, b.as_of
