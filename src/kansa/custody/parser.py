"""Recursive-descent parser from descriptor text to script nodes.

Where each expression may appear (its context) follows the BIPs: ``sh`` top level only and
``pkh`` not in tapscript (BIP 381); ``wpkh`` top or in ``sh``, ``wsh`` top or in ``sh``, and
compressed keys only under ``wsh`` (BIP 382); ``multi`` key limits 3 / 15 / 20 (BIP 383);
``raw``/``addr`` top level only (BIP 385); ``tr`` top level, x-only keys, tree depth at most 128
(BIP 386, BIP 341); ``multi_a`` only in tapscript with at most 999 keys (BIP 387).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from kansa.custody.addresses import address_to_script
from kansa.custody.cursor import Cursor
from kansa.custody.keys import KeyExpression, KeyRules, parse_key
from kansa.custody.scripts import (
    KeyNode,
    MultiNode,
    RawNode,
    ScriptNode,
    TapBranch,
    TapTree,
    TrNode,
    WrapperNode,
)

MAX_TAPTREE_DEPTH = 128  # BIP 341 control block limit


class Ctx(Enum):
    TOP = "the top level"
    P2SH = "sh()"
    P2WSH = "wsh()"
    TAPSCRIPT = "a tr() script tree"


_ALLOWED: dict[str, tuple[Ctx, ...]] = {
    "pk": (Ctx.TOP, Ctx.P2SH, Ctx.P2WSH, Ctx.TAPSCRIPT),
    "pkh": (Ctx.TOP, Ctx.P2SH, Ctx.P2WSH),
    "wpkh": (Ctx.TOP, Ctx.P2SH),
    "sh": (Ctx.TOP,),
    "wsh": (Ctx.TOP, Ctx.P2SH),
    "multi": (Ctx.TOP, Ctx.P2SH, Ctx.P2WSH),
    "sortedmulti": (Ctx.TOP, Ctx.P2SH, Ctx.P2WSH),
    "multi_a": (Ctx.TAPSCRIPT,),
    "sortedmulti_a": (Ctx.TAPSCRIPT,),
    "tr": (Ctx.TOP,),
    "raw": (Ctx.TOP,),
    "addr": (Ctx.TOP,),
}
# BIP 383: at most 3 keys in bare multisig, 15 under P2SH (script size), else 20.
_MULTI_LIMIT = {Ctx.TOP: 3, Ctx.P2SH: 15, Ctx.P2WSH: 20, Ctx.TAPSCRIPT: 999}


def key_rules(ctx: Ctx, *, in_wpkh: bool = False) -> KeyRules:
    if ctx is Ctx.TAPSCRIPT:
        return KeyRules(allow_uncompressed=False, xonly=True, where="tr()")
    if ctx is Ctx.P2WSH:
        return KeyRules(allow_uncompressed=False, where="wsh() (BIP 382)")
    if in_wpkh:
        return KeyRules(allow_uncompressed=False, where="wpkh() (BIP 382)")
    return KeyRules()


def parse_script(cur: Cursor, ctx: Ctx) -> ScriptNode:
    """One script expression ``NAME(ARGS)`` allowed in ``ctx``."""
    start, name = cur.take_word()
    if not name or cur.peek() != "(":
        what = f"{name!r}" if name else cur.found()
        raise cur.error(
            f"expected a script expression such as wsh(…) or pkh(…), found {what}", start
        )
    if name == "combo":
        raise cur.error("combo() (BIP 384) is not supported: it produces several scripts", start)
    if name not in _ALLOWED:
        raise cur.error(
            f"unknown script expression {name}(); expected one of {', '.join(_ALLOWED)}", start
        )
    if ctx not in _ALLOWED[name]:
        raise cur.error(f"{name}() is not allowed in {ctx.value}", start)
    cur.expect("(")
    node = _PARSERS[name](cur, ctx, name)
    cur.expect(")", f"')' to close {name}(")
    return node


def _key_node(cur: Cursor, ctx: Ctx, name: str) -> ScriptNode:
    key = _key(cur, key_rules(ctx, in_wpkh=name == "wpkh"))
    return KeyNode(name, key, xonly=ctx is Ctx.TAPSCRIPT)


def _wrapper(cur: Cursor, ctx: Ctx, name: str) -> ScriptNode:
    inner_ctx = Ctx.P2SH if name == "sh" else Ctx.P2WSH
    return WrapperNode(name, parse_script(cur, inner_ctx))


def _multi(cur: Cursor, ctx: Ctx, name: str) -> ScriptNode:
    threshold_pos, threshold_text = cur.take_until(",)")
    if not threshold_text.isdigit() or not threshold_text.isascii():
        raise cur.error(
            f"{name}() threshold must be a decimal number, found {threshold_text!r}",
            threshold_pos,
        )
    threshold = int(threshold_text)
    keys: list[KeyExpression] = []
    rules = key_rules(ctx)
    while cur.peek() == ",":
        cur.pos += 1
        keys.append(_key(cur, rules))
    if not keys:
        raise cur.error(f"{name}() needs at least one key after the threshold")
    if threshold < 1:
        raise cur.error(f"{name}() threshold must be at least 1", threshold_pos)
    if threshold > len(keys):
        raise cur.error(
            f"{name}() threshold {threshold} is larger than the number of keys ({len(keys)})",
            threshold_pos,
        )
    limit = _MULTI_LIMIT[ctx]
    if len(keys) > limit:
        raise cur.error(
            f"{name}() has {len(keys)} keys; at most {limit} are allowed in {ctx.value}",
            keys[limit].position,
        )
    return MultiNode(name, threshold, tuple(keys))


def _tr(cur: Cursor, ctx: Ctx, name: str) -> ScriptNode:
    internal = _key(cur, key_rules(Ctx.TAPSCRIPT))
    tree: TapTree | None = None
    if cur.peek() == ",":
        cur.pos += 1
        tree = _tree(cur, depth=0)
    return TrNode(internal, tree)


def _tree(cur: Cursor, depth: int) -> TapTree:
    if depth > MAX_TAPTREE_DEPTH:
        raise cur.error(f"script tree deeper than {MAX_TAPTREE_DEPTH} (BIP 341)")
    if cur.peek() != "{":
        return parse_script(cur, Ctx.TAPSCRIPT)
    cur.pos += 1
    left = _tree(cur, depth + 1)
    cur.expect(",", "',' between the two halves of a {…} script tree branch")
    right = _tree(cur, depth + 1)
    cur.expect("}", "'}' to close the script tree branch")
    return TapBranch(left, right)


def _raw(cur: Cursor, ctx: Ctx, name: str) -> ScriptNode:
    start, arg = cur.take_until(")")
    if not arg or len(arg) % 2 or any(c not in "0123456789abcdefABCDEF" for c in arg):
        raise cur.error(f"raw() takes a script in hex, found {arg!r}", start)
    return RawNode(name, bytes.fromhex(arg), arg.lower())


def _addr(cur: Cursor, ctx: Ctx, name: str) -> ScriptNode:
    start, arg = cur.take_until(")")
    try:
        script, net = address_to_script(arg)
    except ValueError as exc:
        raise cur.error(f"addr() takes a Bitcoin address: {exc}", start) from None
    return RawNode(name, script, arg, net)


def _key(cur: Cursor, rules: KeyRules) -> KeyExpression:
    start = cur.pos
    _, token = cur.take_until(",)}")
    cur.pos = start
    if "(" in token:
        raise cur.error(
            "expected a key expression here, found a script expression (only keys go here)"
        )
    return parse_key(cur, rules)


_PARSERS: dict[str, Callable[[Cursor, Ctx, str], ScriptNode]] = {
    "pk": _key_node,
    "pkh": _key_node,
    "wpkh": _key_node,
    "sh": _wrapper,
    "wsh": _wrapper,
    "multi": _multi,
    "sortedmulti": _multi,
    "multi_a": _multi,
    "sortedmulti_a": _multi,
    "tr": _tr,
    "raw": _raw,
    "addr": _addr,
}
