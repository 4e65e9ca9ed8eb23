"""Turn sample-size and evaluation results into analyses (workpapers) with plain conclusions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from kansa.analytics.result import Analysis, Bilingual, Table
from kansa.analytics.sampling.evaluate import (
    MusBound,
    MusResult,
    SampleItem,
    evaluate_attribute,
    evaluate_mus,
)
from kansa.analytics.sampling.sample_file import SampleFile
from kansa.analytics.sampling.sizes import AttributeSize, MusSize
from kansa.errors import KansaError
from kansa.i18n import tr

YES = {"yes", "y", "true", "1", "x", "deviation", "逸脱", "あり", "有"}
NO = {"no", "n", "false", "0", "ok", "なし", "無"}
CENT = Decimal("0.01")


def money(v: Decimal | int | float) -> str:
    return f"{Decimal(v).quantize(CENT):,}"


def size_analysis(
    method: str, params: dict[str, Any], attr: AttributeSize | None, mus: MusSize | None
) -> Analysis:
    if attr is not None:
        summary: dict[str, Any] = {
            "sample_size": attr.n,
            "expected_deviations": attr.expected_deviations,
            "risk_at_sample_size": attr.risk_at_n,
        }
        en = f"Sample {attr.n} items; the control is supported at {params['confidence']:.0%} confidence if at most {attr.expected_deviations} deviation(s) are found (tolerable rate {params['tolerable_rate']}, expected {params['expected_rate']})."
        ja = f"標本数は {attr.n} 件です。逸脱が {attr.expected_deviations} 件以下であれば、信頼度 {params['confidence']:.0%} で統制は有効と判断できます（許容逸脱率 {params['tolerable_rate']}、予想逸脱率 {params['expected_rate']}）。"
    else:
        assert mus is not None
        summary = {
            "sample_size": mus.n,
            "sampling_interval": mus.interval.quantize(CENT),
            "reliability_factor": mus.reliability_factor,
            "expansion_factor": mus.expansion_factor,
            "expected_taintings": mus.expected_taintings,
        }
        en = f"Sample {mus.n} items by monetary unit sampling, sampling interval {money(mus.interval)} ({params['mus_formula']} method)."
        ja = f"金額単位抽出で {mus.n} 件、抽出間隔 {money(mus.interval)}（{params['mus_formula']} 方式）。"
    return Analysis(
        analysis="sample-size",
        title={"en": f"Sample size ({method})", "ja": f"標本数（{method}）"},
        parameters=params,
        inputs=[],
        summary=summary,
        conclusion={"en": en, "ja": ja},
    )


def _decimal(v: Any, what: str, ref: str) -> Decimal:
    try:
        return Decimal(str(v).replace(",", "").strip())
    except InvalidOperation as exc:
        raise KansaError(
            tr(
                f"Item {ref}: {what} {v!r} is not a number.",
                f"項目 {ref}: {what} {v!r} は数値ではありません。",
            )
        ) from exc


def _missing(items: list[str], column: str) -> KansaError:
    shown = ", ".join(items[:10]) + (" ..." if len(items) > 10 else "")
    return KansaError(
        tr(
            f"{len(items)} item(s) have no {column}: {shown}.",
            f"{len(items)} 件の項目に {column} がありません: {shown}。",
        ),
        hint=tr(
            f"Fill in {column} for every sampled item before evaluating.",
            f"評価の前に全ての標本項目に {column} を記入してください。",
        ),
    )


def _ref(row: dict[str, Any]) -> str:
    return str(row.get("sample_item") or row.get("_row") or "?")


def mus_items(
    sample: SampleFile, book_column: str, audited_column: str = "audited_value"
) -> list[SampleItem]:
    if book_column not in sample.columns or audited_column not in sample.columns:
        raise KansaError(
            tr(
                f"The sample needs columns {book_column} and {audited_column}.",
                f"標本には列 {book_column} と {audited_column} が必要です。",
            )
        )
    blank = [_ref(r) for r in sample.rows if r.get(audited_column) in (None, "")]
    if blank:
        raise _missing(blank, audited_column)
    return [
        SampleItem(
            _ref(r),
            _decimal(r[book_column], book_column, _ref(r)),
            _decimal(r[audited_column], audited_column, _ref(r)),
        )
        for r in sample.rows
    ]


def deviations(sample: SampleFile, column: str = "deviation") -> list[bool]:
    if column not in sample.columns:
        raise KansaError(
            tr(f"The sample needs a {column} column.", f"標本には {column} 列が必要です。")
        )
    out, blank = [], []
    for r in sample.rows:
        v = str(r.get(column) if r.get(column) is not None else "").strip().lower()
        if v in YES:
            out.append(True)
        elif v in NO:
            out.append(False)
        else:
            blank.append(_ref(r))
    if blank:
        raise _missing(blank, f"{column} (yes/no)")
    return out


def attribute_analysis(sample: SampleFile, params: dict[str, Any], flags: list[bool]) -> Analysis:
    res = evaluate_attribute(
        len(flags),
        sum(flags),
        params["confidence"],
        params.get("tolerable_rate"),
        params["distribution"],
    )
    conf = params["confidence"]
    ul = f"{res.upper_limit:.2%}"
    head_en = f"{res.deviations} deviation(s) in {res.n} items (sample rate {res.sample_rate:.2%}); upper deviation limit {ul} at {conf:.0%} confidence (table value {res.upper_limit_table_pct}%)."
    head_ja = f"{res.n} 件中 {res.deviations} 件の逸脱（標本逸脱率 {res.sample_rate:.2%}）。信頼度 {conf:.0%} の逸脱率上限は {ul}（表の値 {res.upper_limit_table_pct}%）。"
    if res.supported is None:
        tail_en, tail_ja = (
            " Give --tolerable-rate to conclude.",
            " 結論には --tolerable-rate を指定してください。",
        )
    elif res.supported:
        tail_en = f" It does not exceed the tolerable rate {res.tolerable_rate:.2%}: the sample supports reliance on the control."
        tail_ja = f" 許容逸脱率 {res.tolerable_rate:.2%} を超えないため、統制に依拠できることを標本は支持しています。"
    else:
        tail_en = f" It exceeds the tolerable rate {res.tolerable_rate:.2%}: the sample does not support reliance on the control; assess control risk higher or extend testing."
        tail_ja = f" 許容逸脱率 {res.tolerable_rate:.2%} を超えるため、統制への依拠は支持されません。統制リスクを高く評価するか、手続を追加してください。"
    rows = [
        [_ref(r), *[r.get(c) for c in sample.columns]]
        for r, f in zip(sample.rows, flags, strict=True)
        if f
    ]
    return _evaluation(
        sample,
        params,
        title={"en": "Sample evaluation (attributes)", "ja": "標本評価（属性）"},
        summary={
            "sample_size": res.n,
            "deviations": res.deviations,
            "sample_rate": res.sample_rate,
            "upper_deviation_limit": res.upper_limit,
            "upper_deviation_limit_table_pct": res.upper_limit_table_pct,
            "allowance_for_sampling_risk": res.upper_limit - res.sample_rate,
            "tolerable_rate": res.tolerable_rate,
            "supported": res.supported,
        },
        conclusion={"en": head_en + tail_en, "ja": head_ja + tail_ja},
        records=Table("records", ["item", *sample.columns], rows),
    )


def _evaluation(
    sample: SampleFile,
    params: dict[str, Any],
    title: Bilingual,
    summary: dict[str, Any],
    conclusion: Bilingual,
    tables: list[Table] | None = None,
    records: Table | None = None,
) -> Analysis:
    """An evaluation's one input is the auditor's filled-in file, named with its SHA-256."""
    return Analysis(
        analysis="sample-evaluate",
        title=title,
        parameters=params,
        inputs=[{"file": sample.path.name, "sha256": sample.sha256}],
        summary=summary,
        conclusion=conclusion,
        tables=tables or [],
        records=records,
    )


def _bound_summary(b: MusBound) -> dict[str, Any]:
    return {
        "misstatements": len(b.items),
        "projected_misstatement": b.projected.quantize(CENT),
        "basic_precision": b.basic_precision.quantize(CENT),
        "incremental_allowance": b.incremental_allowance.quantize(CENT),
        "upper_misstatement_limit": b.upper_limit.quantize(CENT),
    }


def _misstatement_table(res: MusResult) -> Table:
    rows: list[list[Any]] = []
    for b in (res.over, res.under):
        for m in b.items:
            t = m.tainting
            rows.append(
                [
                    m.ref,
                    b.direction,
                    m.book,
                    m.audited,
                    m.amount,
                    m.top_stratum,
                    t if t is None else t.quantize(Decimal("0.000001")),
                    m.projected.quantize(CENT),
                ]
            )
    return Table(
        "misstatements",
        [
            "item",
            "direction",
            "book_value",
            "audited_value",
            "misstatement",
            "top_stratum",
            "tainting",
            "projected_misstatement",
        ],
        rows,
    )


def _allowance_table(res: MusResult) -> Table:
    rows: list[list[Any]] = []
    for b in (res.over, res.under):
        rows.append(
            [
                b.direction,
                0,
                "basic precision",
                None,
                None,
                b.factors[0],
                None,
                b.basic_precision.quantize(CENT),
            ]
        )
        for r in b.ranked:
            rows.append(
                [
                    b.direction,
                    r["rank"],
                    r["ref"],
                    r["tainting"].quantize(Decimal("0.000001")),
                    r["projected"].quantize(CENT),
                    b.factors[r["rank"]],
                    r["factor_increment_less_one"],
                    r["allowance"].quantize(CENT),
                ]
            )
    return Table(
        "allowance",
        [
            "direction",
            "rank",
            "item",
            "tainting",
            "projected_misstatement",
            "reliability_factor",
            "increment_less_one",
            "amount",
        ],
        rows,
    )


def _mus_conclusion(res: MusResult) -> dict[str, str]:
    o, u = res.over, res.under
    conf = f"{res.confidence:.0%}"
    en = (
        f"Upper misstatement limit for overstatement {money(o.upper_limit)} at {conf} confidence = projected misstatement {money(o.projected)} "
        f"+ basic precision {money(o.basic_precision)} + incremental allowance {money(o.incremental_allowance)}; for understatement {money(u.upper_limit)}."
    )
    ja = (
        f"信頼度 {conf} の過大表示の虚偽表示上限は {money(o.upper_limit)}（推定虚偽表示 {money(o.projected)} ＋ 基礎精度 {money(o.basic_precision)} "
        f"＋ 追加許容額 {money(o.incremental_allowance)}）、過小表示は {money(u.upper_limit)} です。"
    )
    if res.tolerable is None:
        return {
            "en": en + " Give --tolerable-misstatement to conclude.",
            "ja": ja + " 結論には --tolerable-misstatement を指定してください。",
        }
    tm = money(res.tolerable)
    if res.supported:
        return {
            "en": en
            + f" Both are within tolerable misstatement {tm}: the sample supports the conclusion that the population is not misstated by more than {tm}.",
            "ja": ja
            + f" いずれも許容虚偽表示 {tm} 以内であり、母集団の虚偽表示は {tm} を超えないと結論できます。",
        }
    return {
        "en": en
        + f" The limit exceeds tolerable misstatement {tm}: the sample does not support the conclusion that the population is fairly stated; extend testing, ask for correction, or reconsider.",
        "ja": ja
        + f" 上限が許容虚偽表示 {tm} を超えるため、母集団が適正であるとは結論できません。手続の追加、修正の依頼等を検討してください。",
    }


def mus_analysis(sample: SampleFile, params: dict[str, Any], items: list[SampleItem]) -> Analysis:
    tol = params.get("tolerable_misstatement")
    res = evaluate_mus(
        items,
        Decimal(str(params["sampling_interval"])),
        params["confidence"],
        Decimal(str(tol)) if tol is not None else None,
        params["factors"],
    )
    return _evaluation(
        sample,
        params,
        title={
            "en": "Sample evaluation (monetary unit sampling)",
            "ja": "標本評価（金額単位抽出）",
        },
        summary={
            "sample_size": res.sample_size,
            "sampling_interval": res.interval,
            "confidence": res.confidence,
            "overstatement": _bound_summary(res.over),
            "understatement": _bound_summary(res.under),
            "tolerable_misstatement": res.tolerable,
            "supported": res.supported,
        },
        conclusion=_mus_conclusion(res),
        tables=[_misstatement_table(res), _allowance_table(res)],
    )
