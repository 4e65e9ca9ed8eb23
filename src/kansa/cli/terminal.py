"""What reaches the terminal: data shown as text, with its control characters made visible.

Evidence, file names, column names and error messages come from the audited party. Printed
raw, an ESC or CSI sequence in them could recolour or erase lines, move the cursor, retitle the
window or hide a row; a Unicode bidi override (U+202E) could reverse what an auditor reads; a
carriage return or backspace could overwrite a verdict. Every such character is shown as its
escape instead (``\\x1b``, ``\\r``, ``\\x9b``, ``\\u202e``) so that the auditor sees the bytes.

One place does it for everything the CLI prints:

* :class:`TerminalConsole` (the CLI's ``console`` and ``err_console``) escapes every string and
  :class:`~rich.text.Text` it renders, and, as a last net, every segment it is about to write
  (whatever renderable produced it); Rich's own styling codes are not text, so they survive;
* :func:`verbatim` turns a data value into a table cell: never Rich markup, characters visible;
* :func:`print_json` / :func:`print_document` are the machine-readable outputs (``--json``, a
  proposed TOML block): the characters are written as ``\\u`` escapes, which decode back.

Kept as they are: newline and tab (Rich lays them out). Escaped: C0 controls, DEL, C1 controls
(ECMA-48 section 5: ESC ``0x1b`` and CSI ``0x9b`` begin control sequences), and the Unicode
bidirectional formatting characters of UAX #9 section 2 (U+061C, U+200E, U+200F,
U+202A..U+202E, U+2066..U+2069) with the line and paragraph separators U+2028, U+2029.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Span, Text

UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\r": "\\r", "\b": "\\b", "\x0b": "\\v", "\x0c": "\\f"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every terminal control character written as its escape."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


def visible_text(text: Text) -> Text:
    """A :class:`Text` with its control characters escaped, keeping each character's style."""
    plain = text.plain
    if not UNSAFE.search(plain):
        return text
    cuts = sorted({i for m in UNSAFE.finditer(plain) for i in (m.start(), m.end())})
    out = text.blank_copy()
    for piece in text.divide(cuts):
        shown = visible(piece.plain)
        if shown == piece.plain:
            out.append_text(piece)
        else:  # one unsafe character: its escape takes that character's styles
            spans = [Span(0, len(shown), span.style) for span in piece.spans]
            out.append_text(Text(shown, spans=spans))
    return out


def verbatim(value: Any) -> Text:
    """A data value shown as it is: ``[...]`` stays text (never Rich markup), controls visible.

    ``None`` is an empty cell.
    """
    return Text("" if value is None else visible(str(value)))


class TerminalConsole(Console):
    """A Rich console that never writes a control character taken from data."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        # escaped before markup is parsed and widths are measured, so tables stay aligned
        return super().render_str(visible(text), **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        if isinstance(renderable, Text):
            renderable = visible_text(renderable)
        for segment in super().render(renderable, options):
            if segment.control is None and UNSAFE.search(segment.text):
                yield Segment(visible(segment.text), segment.style)
            else:
                yield segment


def unicode_escaped(text: str) -> str:
    """``text`` with every control character written ``\\uXXXX``: inside a JSON or TOML string
    that is an escape both formats decode back to the same character (RFC 8259 section 7,
    TOML 1.0 "String")."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(obj: Any, **kwargs: Any) -> str:
    """``json.dumps(obj)`` whose strings carry no raw control character."""
    return unicode_escaped(json.dumps(obj, ensure_ascii=False, **kwargs))


def print_json(obj: Any, *, indent: int | None = 2, default: Any = None) -> None:
    """Print ``obj`` as JSON on standard output (``--json`` of every command)."""
    print_document(json_text(obj, indent=indent, default=default) + "\n")


def print_document(text: str) -> None:
    """Print machine-readable text (JSON, a TOML block) on standard output as it is, but for
    control characters, which become ``\\u`` escapes (the text stays valid and exact)."""
    sys.stdout.write(unicode_escaped(text))
    sys.stdout.flush()
