-- depends: wallets
-- Every key a wallet's deployed policy names, lower-cased: the master-key fingerprints of its
-- descriptor ("[d34db33f/..." key origins, BIP-380) and its Safe owners. Shared because the
-- key-reuse (KEY-008) and key-to-keyholder (KEY-009) controls must read policies alike.
select w.wallet_id, lower(fp) as key_fingerprint
from wallets w, unnest(regexp_extract_all(w.descriptor, '\[([0-9a-fA-F]{8})', 1)) as t(fp)
where w.descriptor is not null
union
select w.wallet_id, lower(trim(o)) from wallets w, unnest(string_split(w.safe_owners, ';')) as t(o)
where w.safe_owners is not null and trim(o) <> ''
