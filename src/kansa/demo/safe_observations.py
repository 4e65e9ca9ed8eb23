"""The daily ``wallet_state`` of every Safe wallet, as a node would read it (KEY-012).

Each Safe is observed at 23:50 UTC every day of the period: implementation = the official
Safe 1.3.0 singleton, no module, no guard, the official CompatibilityFallbackHandler 1.3.0
(github.com/safe-global/safe-deployments, v1.3.0 canonical), owners and threshold as
registered, the nonce counting the transactions the wallet signed so far. The wallet rows get
that configuration as their approved one (``approved_implementation`` and
``approved_fallback_handler``). A swap in ``world.shared["safe_swaps"]`` (wallet id -> (instant,
new implementation)) changes the implementation from the first observation after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from kansa.demo.columns import epoch_us
from kansa.demo.custody import Wallet
from kansa.demo.world import Row, World

SINGLETON = "0xd9Db270c1B5E3Bd161E8c8503c55cEABeE709552"  # GnosisSafe 1.3.0 (canonical)
FALLBACK_HANDLER = (
    "0xf48f2B2d2a534e402487b3ee7C18c33Aec0Fe5e4"  # CompatibilityFallbackHandler 1.3.0
)
FIRST_BLOCK = 21_000_000  # a block height of late 2024; 7,200 blocks a day (12-second slots)
BLOCKS_PER_DAY = 7_200
NONCE_BEFORE = 40  # transactions a Safe executed before the period


def approve_configurations(world: World) -> None:
    """Record each Safe's approved singleton and fallback handler on its wallet row."""
    for w in _safes(world):
        w.row["approved_implementation"] = SINGLETON
        w.row["approved_fallback_handler"] = FALLBACK_HANDLER


def _safes(world: World) -> list[Wallet]:
    wallets: dict[str, Wallet] = world.shared["wallets"]
    return [w for w in wallets.values() if w.row.get("policy_type") == "safe"]


def _signed_times(world: World, customer_signed: pa.Table) -> dict[str, np.ndarray]:
    """Wallet id -> sorted signing instants (µs) of every transaction it signed."""
    out: dict[str, list[np.ndarray]] = {}
    wallet = customer_signed["wallet_id"].to_numpy(zero_copy_only=False)
    signed = customer_signed["signed_at"].cast(pa.int64()).to_numpy()
    for wid in np.unique(wallet):
        out.setdefault(str(wid), []).append(signed[wallet == wid])
    for row in world.tables["signed_transactions"]:
        out.setdefault(row["wallet_id"], []).append(np.array([epoch_us(row["signed_at"])]))
    return {k: np.sort(np.concatenate(v)) for k, v in out.items()}


def wallet_states(world: World, customer_signed: pa.Table) -> list[Row]:
    """One observation per Safe and day of the period (see the module docstring)."""
    p = world.params
    swaps: dict[str, tuple[datetime, str]] = world.shared.get("safe_swaps", {})
    times = _signed_times(world, customer_signed)
    rows: list[Row] = []
    for d in range(p.days):
        observed = p.at(d) + timedelta(hours=23, minutes=50)
        for w in _safes(world):
            swap = swaps.get(w.wallet_id)
            implementation = swap[1] if swap and swap[0] < observed else SINGLETON
            signed = times.get(w.wallet_id, np.array([], np.int64))
            rows.append(
                {
                    "wallet_id": w.wallet_id,
                    "as_of": p.day(d),
                    "observed_at": observed,
                    "block_number": FIRST_BLOCK + d * BLOCKS_PER_DAY,
                    "implementation": implementation,
                    "owners": w.row["safe_owners"],
                    "threshold": w.row["safe_threshold"],
                    "modules": None,
                    "guard": None,
                    "fallback_handler": FALLBACK_HANDLER,
                    "nonce": NONCE_BEFORE
                    + int(np.searchsorted(signed, epoch_us(observed), side="right")),
                }
            )
    return rows
