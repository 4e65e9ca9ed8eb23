"""Which reader a file needs: its format (from the extension) and its text encoding."""

from __future__ import annotations

from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import tr

FORMATS = ("csv", "parquet", "jsonl")
ENCODINGS = ("utf-8", "utf-8-sig", "cp932", "shift_jis")

_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_ENCODING_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf8-sig": "utf-8-sig",
    "cp932": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "shift_jis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
}

UTF8_BOM = b"\xef\xbb\xbf"


def detect_format(path: Path, fmt: str | None) -> str:
    """``fmt`` if given, else from the file's extension; a clear error otherwise."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise KansaError(
                tr(f"Unknown format {fmt!r}.", f"形式 {fmt!r} は扱えません。"),
                hint=tr("Use one of: ", "次のいずれか: ") + ", ".join(FORMATS),
            )
        return fmt
    found = _BY_SUFFIX.get(path.suffix.lower())
    if found is None:
        raise KansaError(
            tr(
                f"Cannot tell the format of {path.name} from its extension.",
                f"{path.name} の形式を拡張子から判断できません。",
            ),
            hint=tr(
                "Pass --format csv|parquet|jsonl.",
                "--format csv|parquet|jsonl を指定してください。",
            ),
        )
    return found


def default_delimiter(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def normalize_encoding(encoding: str | None) -> str | None:
    """Canonical name of a supported encoding (``None``: detect UTF-8 with or without BOM)."""
    if encoding is None:
        return None
    name = _ENCODING_ALIASES.get(encoding.strip().lower())
    if name is None:
        raise KansaError(
            tr(
                f"Unsupported encoding {encoding!r}.",
                f"文字コード {encoding!r} には対応していません。",
            ),
            hint=tr("Use one of: ", "次のいずれか: ") + ", ".join(ENCODINGS),
        )
    return name


def python_codec(encoding: str) -> str:
    """The codec that decodes it. Shift_JIS exports from Windows are really CP932 (Microsoft's
    superset with NEC/IBM extensions such as ①), so both names decode as ``cp932``."""
    return "cp932" if encoding in ("cp932", "shift_jis") else encoding


def has_utf8_bom(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(3) == UTF8_BOM
