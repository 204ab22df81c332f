"""Every spec citation in the code resolves to a heading (or a numbered row) of the project's own `docs/`.

The code cites the design docs in comments and docstrings with these schemes:

* `<doc> §N.N`, e.g. `data-layer §1.4`, `ocat-data-page §6.2 C1–C10, §6.4`, `other-pages §12 #17`, `STYLE §5`:
  the doc name is the file name, `docs/<name, lower case>.md`; each § needs a heading `## §N.N …` there, and a
  sub-item (`#17`, `item 7`, `step 14`, `C3`) a row `| 17 |` / `| C3 |` or a list item `7.` in that section.
  A § without a doc name before it is refused: name the doc.
* `D1`–`D24` (decisions, `docs/decisions.md`), `E1`… (the house style's practices, `docs/style.md`),
  `K1`… (data-layer quirks) and `Q1`… (Ocat queries, both `docs/data-layer.md`): a heading or a first table cell.
* A bare doc name (`INTERFACE.md`, `ARCHITECTURE`): the file exists.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

DOC_NAMES = ("data-layer", "ocat-data-page", "other-pages", "STYLE", "INTERFACE", "ARCHITECTURE", "DECISIONS")
"""The names the code cites; each is `docs/<name.lower()>.md`."""
LABEL_DOCS = {"D": "decisions", "E": "style", "K": "data-layer", "Q": "data-layer"}
"""Numbered labels cited without a doc name → the doc that defines them."""

_DOC = "|".join(re.escape(name) for name in DOC_NAMES)
_SEC = r"§\d+(?:\.\d+)*"
_SUB = r"(?:#\d+(?:/#?\d+)?|items?\s+\d+(?:\s*[–-]\s*\d+)?|steps?\s+\d+|C\d+(?:\s*[–-]\s*C\d+)?)"
_REF = rf"{_SEC}(?:'s)?(?:\s+{_SUB})?"
_SEP = r"\s*(?:,|and|to|–|-)\s*"
CITATION = re.compile(rf"\b(?P<doc>{_DOC})(?:\.md)?\s+(?P<refs>{_REF}(?:{_SEP}{_REF})*)")
"""A doc name followed by one or more § references (ranges, lists, sub-items)."""
REF = re.compile(rf"(?P<sec>{_SEC})(?:'s)?(?:\s+(?P<sub>{_SUB}))?")
SECTION_MARK = re.compile(r"§")
LABEL = re.compile(r"(?<![\w#])(?P<kind>[DEKQ])(?P<num>\d+)(?:\s*[–-]\s*(?P=kind)(?P<end>\d+))?\b")
DOC_MENTION = re.compile(rf"\b(?P<doc>{_DOC})(?:\.md)?\b")
NOQA = re.compile(r"#\s*(?:noqa|type:\s*ignore)\b.*$", re.MULTILINE)
"""Linter codes (`# noqa: E731`) are not citations."""


def _tracked_python() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    this = Path(__file__).resolve()  # its examples cite wrong sections on purpose
    return [ROOT / line for line in out.splitlines() if (ROOT / line).is_file() and (ROOT / line).resolve() != this]


def _doc_path(name: str) -> Path:
    return DOCS / f"{name.lower()}.md"


@cache
def _doc(name: str) -> tuple[set[str], dict[str, list[str]], list[str]]:
    """(section numbers, section number → its body lines, all lines) of one doc."""
    lines = _doc_path(name).read_text(encoding="utf-8").splitlines()
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        heading = re.match(r"#+\s+§(\d+(?:\.\d+)*)\b", line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
        elif current is not None:
            current.append(line)
    return set(sections), sections, lines


def _has_label(lines: list[str], label: str) -> bool:
    """A heading starting with `label`, or a table row whose first cell is `label`."""
    head = re.compile(rf"#+\s+(?:\*\*)?{re.escape(label)}\b")
    row = re.compile(rf"\|\s*(?:\*\*)?{re.escape(label)}(?:\*\*)?\s*\|")
    return any(head.match(line) or row.match(line) for line in lines)


def _has_item(body: list[str], item: str) -> bool:
    """A numbered list item `7.` or a table row `| 17 |` / `| #17 |` / `| C3 |` in a section's body."""
    item_re = re.compile(rf"\s*(?:[-*]\s+)?{re.escape(item)}\.\s")
    return any(item_re.match(line) for line in body) or _has_label(body, item) or _has_label(body, f"#{item}")


def _sub_items(sub: str) -> list[str]:
    """`#1/#2` → ['1', '2']; `items 3–4` → ['3', '4']; `C1–C10` → ['C1', ..., 'C10']; `step 14` → ['14']."""
    if sub.startswith("C"):
        nums = [int(n) for n in re.findall(r"\d+", sub)]
        return [f"C{n}" for n in range(nums[0], nums[-1] + 1)]
    nums = [int(n) for n in re.findall(r"\d+", sub)]
    if re.search(r"[–-]", sub):
        return [str(n) for n in range(nums[0], nums[-1] + 1)]
    return [str(n) for n in nums]


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def citations_problems(path: Path, text: str) -> list[str]:
    """Every citation in `text` that does not resolve, as `path:line: message`."""
    rel = path.relative_to(ROOT) if path.is_absolute() else path
    text = NOQA.sub("", text)
    problems: list[str] = []
    named: set[int] = set()  # positions of § marks that follow a doc name
    for cite in CITATION.finditer(text):
        name = cite.group("doc")
        where = f"{rel}:{_line_of(text, cite.start())}"
        if not _doc_path(name).is_file():
            problems.append(f"{where}: {name} cited, but docs/{name.lower()}.md does not exist")
            continue
        numbers, bodies, _ = _doc(name)
        for ref in REF.finditer(cite.group("refs")):
            named.add(cite.start("refs") + ref.start())
            sec = ref.group("sec")[1:]
            if sec not in numbers:
                problems.append(f"{where}: {name} §{sec} has no heading '§{sec}' in docs/{name.lower()}.md")
                continue
            if ref.group("sub"):
                for item in _sub_items(ref.group("sub")):
                    if not _has_item(bodies[sec], item):
                        problems.append(f"{where}: {name} §{sec} {item}: no such item in that section of the docs")
    for mark in SECTION_MARK.finditer(text):
        if mark.start() not in named:
            snippet = text[max(0, mark.start() - 30) : mark.start() + 10].replace("\n", " ")
            problems.append(f"{rel}:{_line_of(text, mark.start())}: § without a doc name (…{snippet}…): name the doc")
    for label in LABEL.finditer(text):
        kind, first = label.group("kind"), int(label.group("num"))
        last = int(label.group("end") or first)
        lines = _doc(LABEL_DOCS[kind])[2]
        for num in range(first, last + 1):
            if not _has_label(lines, f"{kind}{num}"):
                problems.append(
                    f"{rel}:{_line_of(text, label.start())}: {kind}{num} has no heading or row in "
                    f"docs/{LABEL_DOCS[kind]}.md"
                )
    for mention in DOC_MENTION.finditer(text):
        if not _doc_path(mention.group("doc")).is_file():
            problems.append(
                f"{rel}:{_line_of(text, mention.start())}: docs/{mention.group('doc').lower()}.md is missing"
            )
    return problems


def test_every_citation_in_the_code_resolves_to_the_docs() -> None:
    problems = [p for path in _tracked_python() for p in citations_problems(path, path.read_text(encoding="utf-8"))]
    assert not problems, "unresolved citations:\n" + "\n".join(problems)


def test_the_code_cites_the_docs_at_all() -> None:
    """Guards the scanner itself: the tree is full of citations, so finding none means the patterns broke."""
    texts = [path.read_text(encoding="utf-8") for path in _tracked_python()]
    assert sum(len(CITATION.findall(t)) for t in texts) > 50
    assert sum(len(LABEL.findall(NOQA.sub("", t))) for t in texts) > 100


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("# data-layer §1.4 and §99.1", "§99.1"),
        ("# see §1.4", "without a doc name"),
        ('"""other-pages §12 #99"""', "99"),
        ("# ocat-data-page §6.2 C1–C11", "C11"),
        ("# D99", "D99"),
        ("# E99", "E99"),
        ("# K21, Q20", "K21"),
        ("# STYLE §42", "§42"),
    ],
)
def test_a_citation_that_does_not_resolve_is_reported(text: str, bad: str) -> None:
    problems = citations_problems(Path("x.py"), text)
    assert problems and any(bad in p for p in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "# data-layer §1.4 step 14, ocat-data-page §4.1",
        "# other-pages §4.2 item 7, other-pages §12 #17",
        "# data-layer §3.5–§3.8, D1–D3; ocat-data-page §8, §11; D8–D10",
        "# ocat-data-page §6.2 C1–C10, §6.4, D7 and E17, K12, Q19",
        "x = lambda: 1  # noqa: E731",
        "# INTERFACE.md, ARCHITECTURE, STYLE §5",
    ],
)
def test_a_citation_that_resolves_is_accepted(text: str) -> None:
    assert citations_problems(Path("x.py"), text) == []


def test_the_docs_index_links_every_doc_and_every_link_exists() -> None:
    docs = sorted(p.name for p in DOCS.glob("*.md"))
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w.-]+\.md)(?:#[\w-]*)?\)", index))
    assert set(docs) - {"README.md"} <= linked
    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([\w./-]+\.md)(?:#[\w-]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).resolve().is_file(), f"{page.name} links to missing {target}"
