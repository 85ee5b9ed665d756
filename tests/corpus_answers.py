"""The real corpus (``../shared/corpus``): hand-read answers turned into the parse JSON's keys, and a cell by
cell comparison with what ``parse_document`` reads.

Each ``NN.json`` beside ``NN.html|md|txt`` gives, by the template's Chinese labels, every number a person
read (its README describes the format). ``expected_cells`` turns an answer into ``{cell: value}`` with the
keys of report-template.md; ``read_cells`` does the same for a parse; ``compare`` scores one document.

Run ``python -m tests.corpus_answers [NN …]`` to print each document's score and its wrong cells.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extract.template import APPLICANT_COLUMNS, APPLICATION_GROUPS, REVIEW_KEYS

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GOVREPORTS_CORPUS", REPO.parent / "shared" / "corpus"))

DISCLOSURE_ITEMS = {
    "规章": "rules",
    "规范性文件": "normative_documents",
    "行政规范性文件": "normative_documents",
    "行政许可": "licensing",
    "其他对外管理服务事项": "other_services",
    "行政处罚": "penalty",
    "行政强制": "coercion",
    "行政事业性收费": "fees",
    "政府集中采购": "procurement",
}
DISCLOSURE_METRICS = {
    "本年新制作数量": "made",
    "本年新公开数量": "published",
    "对外公开总数量": "public_total",
    "本年制发件数": "issued",
    "本年废止件数": "repealed",
    "现行有效件数": "in_force",
    "上一年项目数量": "prior_items",
    "本年增/减": "change",
    "处理决定数量": "decisions",
    "本年处理决定数量": "decisions",
    "本年收费金额（单位：万元）": "fee_amount",
    "采购项目数量": "procurement_items",
    "采购总金额": "procurement_amount",
}
# The contract's key names, in the template's order (report-template.md), as extract/template.py spells them.
_GROUP_ROWS = {
    "（三）不予公开": APPLICATION_GROUPS["denied"],
    "（四）无法提供": APPLICATION_GROUPS["unavailable"],
    "（五）不予处理": APPLICATION_GROUPS["rejected"],
    "（六）其他处理": APPLICATION_GROUPS["other"],
}
_PLAIN_ROWS = {
    "一、": "new_received",
    "二、": "carried_over",
    "（一）": "granted",
    "（二）": "partially_granted",
    "（六）": "other_handling",
    "（七）": "total_handled",
    "四、": "carried_forward",
}
_ORDINAL = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）]?[、.．]?|其中[:：])+")


def corpus_documents() -> list[tuple[str, Path, Path]]:
    """(NN, document, answer) for every answered document of the corpus, in number order."""
    found = []
    for answer in sorted(CORPUS.glob("*.json")):
        documents = [path for path in CORPUS.glob(f"{answer.stem}.*") if path.suffix != ".json"]
        if documents:
            found.append((answer.stem, documents[0], answer))
    return found


def application_row_key(label: str) -> str:
    group, _, item = label.partition("/")
    if item:
        number = int(re.match(r"\d+", item).group(0))
        return _GROUP_ROWS[group][number - 1]
    return next(key for prefix, key in _PLAIN_ROWS.items() if label.startswith(prefix))


def legacy_label(label: str) -> str:
    """A 统计表 label without its ordinal and spaces: 「1、政府网站公开数」 → 政府网站公开数."""
    return _ORDINAL.sub("", "".join(label.split()))


def expected_cells(answer: dict) -> dict[str, object]:
    """The answer as {cell name: value}; a cell no one could read is None (it must not be invented)."""
    cells: dict[str, object] = {"year": answer["year"], "template": answer["template"]}
    for item_label, metrics in (answer.get("table2") or {}).items():
        item = DISCLOSURE_ITEMS[item_label]
        for metric_label, value in metrics.items():
            if metric_label.endswith(("_raw", "_unit")):
                continue
            if metrics.get(f"{metric_label}_unit") == "元" and value is not None:
                value = value / 10_000  # the parse gives money in 万元
            cells[f"disclosure.{item}.{DISCLOSURE_METRICS[metric_label]}"] = value
    for row_label, values in (answer.get("table3") or {}).items():
        row = application_row_key(row_label)
        for column, value in zip(APPLICANT_COLUMNS, values, strict=True):
            cells[f"applications.{row}.{column}"] = value
    if answer.get("table4") is not None:
        for key, value in zip(REVIEW_KEYS, answer["table4"], strict=True):
            cells[f"reviews.{key}"] = value
    stats = answer.get("legacy_stats") or {}
    for label, values in stats.items():
        if label in ("columns", "unit"):
            continue
        cells[f"statistics.{legacy_label(label)}.value"] = values[0]
        if len(values) > 1:
            cells[f"statistics.{legacy_label(label)}.cumulative"] = values[1]
    return cells


def read_cells(report: dict) -> dict[str, object]:
    """What a parse gives, named as expected_cells names it."""
    cells: dict[str, object] = {"year": report.get("year"), "template": report.get("template")}
    for entry in report.get("disclosure") or []:
        cells[f"disclosure.{entry['item']}.{entry['metric']}"] = entry.get("value")
    for row, columns in (report.get("applications") or {}).items():
        for column, value in columns.items():
            cells[f"applications.{row}.{column}"] = value
    for key, value in (report.get("reviews") or {}).items():
        cells[f"reviews.{key}"] = value
    for entry in report.get("statistics") or []:
        label = legacy_label(entry["label"])
        scale = 10_000 if entry.get("unit") == "万元" else 1  # legacy answers keep money in 元
        for field_name in ("value", "cumulative"):
            if entry.get(field_name) is not None:
                cells.setdefault(f"statistics.{label}.{field_name}", round(entry[field_name] * scale, 2))
    return cells


@dataclass
class Score:
    number: str
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def _same(expected: object, actual: object) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        return expected is not None and actual is not None and abs(float(expected) - float(actual)) < 1e-6
    return expected == actual


def compare(number: str, answer: dict, report: dict) -> Score:
    score = Score(number, findings=[finding["check"] for finding in report.get("findings", [])])
    actual = read_cells(report)
    for name, expected in expected_cells(answer).items():
        score.total += 1
        if _same(expected, actual.get(name)):
            score.right += 1
        else:
            score.wrong.append(f"{name}: expected {expected!r}, read {actual.get(name)!r}")
    return score


def score_document(number: str, document: Path, answer_path: Path) -> Score:
    from extract import parse_document

    report = parse_document(document.read_bytes(), path=str(document))
    return compare(number, json.loads(answer_path.read_text(encoding="utf-8")), report)


def main(numbers: list[str]) -> None:
    right = total = 0
    for number, document, answer in corpus_documents():
        if numbers and number not in numbers:
            continue
        score = score_document(number, document, answer)
        right, total = right + score.right, total + score.total
        print(f"{number} {document.name:8} {score.right:4}/{score.total:<4} {score.share:6.1%}")
        for line in score.wrong[: 12 if not numbers else None]:
            print(f"      {line}")
        if len(score.wrong) > 12 and not numbers:
            print(f"      … {len(score.wrong) - 12} more")
    print(f"all  {right}/{total} = {right / max(total, 1):.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
