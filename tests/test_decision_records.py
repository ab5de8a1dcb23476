"""Every decision record in docs/decisions/ has the sections a reader looks for (issue 15): its status, the
context, the decision, the alternatives considered and what it costs."""

import re
from pathlib import Path

import pytest

DECISIONS = Path(__file__).resolve().parent.parent / "docs" / "decisions"
RECORDS = sorted(DECISIONS.glob("[0-9][0-9][0-9][0-9]-*.md"))
SECTIONS = ["Status", "Context", "Decision", "Alternatives considered", "Costs"]
# the status line under "## Status": Accepted, Superseded by NNNN or Amended by NNNN (several may follow)
STATUS = re.compile(r"^(Proposed|Accepted|Superseded by \d{4}|Amended by \d{4})\b", re.M)


def _headings(text: str) -> list[str]:
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


def test_records_are_found():
    assert len(RECORDS) >= 37


def test_record_numbers_are_unique():
    numbers = [path.name[:4] for path in RECORDS]
    assert len(numbers) == len(set(numbers)), "two decision records share a number"


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.name[:4])
def test_record_has_every_section(path):
    headings = _headings(path.read_text(encoding="utf-8"))
    # "## Decision: token scopes" counts as a Decision section; a record may hold several decisions
    missing = [name for name in SECTIONS
               if not any(heading == name or heading.startswith(name + ":") for heading in headings)]
    assert not missing, f"{path.name} lacks the sections {missing}"


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.name[:4])
def test_record_status_says_where_it_stands(path):
    text = path.read_text(encoding="utf-8")
    section = re.search(r"^## Status\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, f"{path.name} has no Status section"
    assert STATUS.search(section.group(1)), (
        f"{path.name}: the Status section begins no line with Accepted, Superseded by NNNN or Amended by NNNN")
    for number in re.findall(r"(?:Superseded|Amended) by (\d{4})", section.group(1)):
        assert list(DECISIONS.glob(f"{number}-*.md")), f"{path.name} names decision {number}, which does not exist"
