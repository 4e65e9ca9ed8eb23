-- name: population
select txid from signed_transactions where (signed_at at time zone {{ tz }})::date <= {{ as_of }}

-- name: test
-- every signer must be a keyholder of the transaction's wallet whose key was active when signed;
-- a transaction with no recorded signer fails too
with txs as (
    select * from signed_transactions where (signed_at at time zone {{ tz }})::date <= {{ as_of }}
),
signers as (
    select t.txid, t.wallet_id, t.signed_at, lower(trim(fp)) as key_fingerprint
    from txs t, unnest(string_split(t.signer_key_fingerprints, ';')) as s(fp)
    where trim(fp) <> ''
),
unauthorised as (
    select g.txid, string_agg(g.key_fingerprint, ';' order by g.key_fingerprint) as unauthorised_signers,
           count(*) as unauthorised_count
    from signers g
    left join keyholders k
      on lower(k.key_fingerprint) = g.key_fingerprint
     and k.wallet_id = g.wallet_id
     and k.assigned_at <= g.signed_at
     and (k.revoked_at is null or k.revoked_at > g.signed_at)
    where k.key_fingerprint is null
    group by g.txid
),
signer_counts as (
    select txid, count(*) as signers from signers group by txid
)
select
    t.txid, t.wallet_id, t.asset, t.signed_at, t.withdrawal_id, t.signer_key_fingerprints,
    coalesce(c.signers, 0) as signers,
    coalesce(u.unauthorised_count, 0) as unauthorised_count,
    u.unauthorised_signers
from txs t
left join unauthorised u on u.txid = t.txid
left join signer_counts c on c.txid = t.txid
where u.txid is not null or coalesce(c.signers, 0) = 0
order by t.signed_at, t.txid
