"""Known-good Safe contracts and the calls that can change a Safe's configuration.

Singletons and fallback handlers: the official deployments listed in the safe-deployments
repository (github.com/safe-global/safe-deployments, ``src/assets/v1.3.0/gnosis_safe.json``,
``gnosis_safe_l2.json``, ``compatibility_fallback_handler.json`` and ``v1.4.1/safe.json``,
``safe_l2.json``, ``compatibility_fallback_handler.json``; "canonical" and "eip155" deployment
types). A workspace adds its own (e.g. a zkSync deployment) with the KEY-012 parameter
``extra_singletons``.

Selectors: the first 4 bytes of the Keccak-256 of the function signature (Solidity ABI
specification, "Function Selector"), computed here from the signatures of Safe's
OwnerManager, ModuleManager, GuardManager, FallbackManager (safe-smart-account v1.3.0/v1.4.1),
``changeMasterCopy`` (Safe <= 1.2.0 MasterCopy) and the EIP-1967 / ERC-1822 proxy upgrades.
"""

from __future__ import annotations

from kansa.custody.hashes import keccak256

ZERO_ADDRESS = "0x" + "0" * 40

OFFICIAL_SINGLETONS: dict[str, str] = {
    "0xd9db270c1b5e3bd161e8c8503c55ceabee709552": "GnosisSafe 1.3.0 (canonical)",
    "0x69f4d1788e39c87893c980c06edf4b7f686e2938": "GnosisSafe 1.3.0 (eip155)",
    "0x3e5c63644e683549055b9be8653de26e0b4cd36e": "GnosisSafeL2 1.3.0 (canonical)",
    "0xfb1bffc9d739b8d520daf37df666da4c687191ea": "GnosisSafeL2 1.3.0 (eip155)",
    "0x41675c099f32341bf84bfc5382af534df5c7461a": "Safe 1.4.1",
    "0x29fcb43b46531bca003ddc8fcb67ffe91900c762": "SafeL2 1.4.1",
}

OFFICIAL_FALLBACK_HANDLERS: dict[str, str] = {
    "0xf48f2b2d2a534e402487b3ee7c18c33aec0fe5e4": "CompatibilityFallbackHandler 1.3.0 (canonical)",
    "0x017062a1de2fe6b99be3d9d37841fed19f573804": "CompatibilityFallbackHandler 1.3.0 (eip155)",
    "0xfd0732dc9e303f09fcef3a7388ad10a83459ec99": "CompatibilityFallbackHandler 1.4.1",
}

# every signed call of one of these kinds can change who controls the Safe or how
CONFIG_CHANGING_SIGNATURES = (
    "changeMasterCopy(address)",
    "upgradeTo(address)",
    "upgradeToAndCall(address,bytes)",
    "enableModule(address)",
    "disableModule(address,address)",
    "setGuard(address)",
    "setModuleGuard(address)",
    "setFallbackHandler(address)",
    "addOwnerWithThreshold(address,uint256)",
    "removeOwner(address,address,uint256)",
    "swapOwner(address,address,address)",
    "changeThreshold(uint256)",
)


def selector(signature: str) -> str:
    """``0x`` + the 4-byte function selector of a canonical signature."""
    return "0x" + keccak256(signature.encode("ascii"))[:4].hex()


CONFIG_CHANGING_SELECTORS: dict[str, str] = {selector(s): s for s in CONFIG_CHANGING_SIGNATURES}


def address_set(text: str | None) -> frozenset[str]:
    """``;``-separated addresses, lower-cased; the zero address means "none" on chain."""
    parts = (p.strip().lower() for p in (text or "").split(";"))
    return frozenset(p for p in parts if p and p != ZERO_ADDRESS)


def one_address(text: str | None) -> str | None:
    """A single address or None (empty and the zero address are both "none")."""
    found = address_set(text)
    return next(iter(found)) if found else None
