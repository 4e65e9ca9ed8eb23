-- depends: wallets
-- Every key a wallet's deployed policy names, lower-cased: the master-key fingerprints of its
-- descriptor ("[d34db33f/..." key origins, BIP-380), its Safe owners, and the key shares of MPC
-- and single-key wallets (signer_ids; unnamed MPC shares are WALLET#party1..N, as
-- kansa.custody.policy names them). Shared because the
-- key-reuse (KEY-008) and key-to-keyholder (KEY-009) controls must read policies alike.
select w.wallet_id, lower(fp) as key_fingerprint
from wallets w, unnest(regexp_extract_all(w.descriptor, '\[([0-9a-fA-F]{8})', 1)) as t(fp)
where w.descriptor is not null
union
select w.wallet_id, lower(trim(o)) from wallets w, unnest(string_split(w.safe_owners, ';')) as t(o)
where w.safe_owners is not null and trim(o) <> ''
union
select w.wallet_id, lower(trim(s)) from wallets w, unnest(string_split(w.signer_ids, ';')) as t(s)
where w.policy_type in ('mpc', 'single_key') and w.signer_ids is not null and trim(s) <> ''
union
select w.wallet_id, lower(w.wallet_id) || '#party' || cast(i as varchar)
from wallets w, unnest(range(1, w.mpc_parties + 1)) as t(i)
where w.policy_type = 'mpc' and w.signer_ids is null and w.mpc_parties is not null
