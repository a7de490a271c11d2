"""The English–Chinese glossary covers the course notes and is linked from the chapters.

The course notes (Chinese) the book grew from ship in notes/lm-notes.zh.md; their
technical terms must all appear as glossary terms (so that {term}`...` can link to them),
every glossary entry has an English and a Chinese name and says where it is used, and
chapters 01–03 link to the glossary with {term} roles that resolve.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "notes" / "lm-notes.zh.md"
GLOSSARY = ROOT / "chapters" / "glossary.md"
NOTES_CHAPTERS = ["01-least-squares", "02-jacobian-gradient-hessian", "03-change-of-variables"]

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Technical terms of the notes: (as written in the notes, glossary terms that must exist).
# The notes spell the Jacobian both 雅可比矩阵 (standard) and 雅克比矩阵 (variant); the
# Hessian appears as "Hessian 矩阵", whose usual Chinese names are 海森矩阵 / 黑塞矩阵.
NOTES_TERMS = [
    ("最小二乘", ["最小二乘", "least squares"]),
    ("残差", ["残差", "residual"]),
    ("残差向量", ["残差向量", "residual vector"]),
    ("目标函数", ["目标函数", "objective function"]),
    ("雅可比矩阵", ["雅可比矩阵", "Jacobian matrix"]),
    ("雅克比矩阵", ["雅克比矩阵"]),
    ("Jacobian", ["Jacobian"]),
    ("梯度", ["梯度", "gradient"]),
    ("Hessian", ["Hessian", "海森矩阵", "黑塞矩阵", "Hessian matrix"]),
    ("链式法则", ["链式法则", "chain rule"]),
    ("变量变换", ["变量变换", "change of variables"]),
    ("重积分", ["重积分", "multiple integral"]),
    ("积分", ["积分", "integral"]),
    ("区间", ["区间", "interval"]),
    ("列向量", ["列向量", "column vector"]),
    ("近似值", ["近似值", "approximation"]),
    ("替换", ["u 替换", "substitution"]),
    ("LM 方法", ["LM 方法", "Levenberg–Marquardt method"]),
]
# Terms the notes rely on without writing them in Chinese (the determinant in the 2-D
# formula, the area in "很小的面积").
IMPLIED_TERMS = ["行列式", "determinant", "面积元", "area element", "二重积分", "double integral"]


def glossary_block(text: str) -> list[str]:
    match = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", text, re.MULTILINE | re.DOTALL)
    assert match, "chapters/glossary.md has no ```{glossary} block"
    return match.group(1).splitlines()


def glossary_entries() -> list[tuple[list[str], str]]:
    """(term lines, definition) of each entry of the {glossary} directive."""
    entries: list[tuple[list[str], str]] = []
    terms: list[str] = []
    definition: list[str] = []
    for line in glossary_block(GLOSSARY.read_text(encoding="utf-8")):
        if not line.strip() or line.startswith(":"):           # blank line or directive option
            continue
        if line[0].isspace():                                   # indented: definition
            definition.append(line.strip())
        else:                                                   # a term line
            if definition:
                entries.append((terms, " ".join(definition)))
                terms, definition = [], []
            terms.append(line.strip())
    if terms:
        entries.append((terms, " ".join(definition)))
    return entries


@pytest.fixture(scope="module")
def notes() -> str:
    if not NOTES.is_file():
        pytest.fail(f"course notes not found at {NOTES} (they ship in notes/)")
    return NOTES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def entries():
    return glossary_entries()


@pytest.fixture(scope="module")
def glossary_terms(entries) -> set[str]:
    # Sphinx matches {term} targets case-insensitively
    return {term.lower() for terms, _ in entries for term in terms}


@pytest.mark.parametrize("in_notes, required", NOTES_TERMS, ids=[t for t, _ in NOTES_TERMS])
def test_notes_term_is_in_the_glossary(notes, glossary_terms, in_notes, required):
    assert in_notes in notes, f"{in_notes!r} no longer appears in the notes: update NOTES_TERMS"
    missing = [term for term in required if term.lower() not in glossary_terms]
    assert not missing, f"glossary lacks the term(s) {missing} (from the notes' {in_notes!r})"


def test_implied_terms_are_in_the_glossary(glossary_terms):
    assert not [term for term in IMPLIED_TERMS if term.lower() not in glossary_terms]


def test_every_chinese_technical_word_of_the_notes_is_covered(notes, glossary_terms):
    # Words of the notes ending in a typical technical suffix (…矩阵, …法则, …积分, …变换,
    # …函数, …向量): the longest glossary term that ends the word must exist.
    words = re.findall(r"[\u4e00-\u9fff]{1,6}(?:矩阵|法则|积分|变换|函数|向量)", notes)
    chinese_terms = {t for t in glossary_terms if CJK.search(t)}
    uncovered = sorted({w for w in words if not any(w.endswith(t) for t in chinese_terms)})
    assert not uncovered, f"no glossary term for {uncovered}"


def test_glossary_has_enough_bilingual_entries(entries):
    assert len(entries) >= 25
    for terms, definition in entries:
        assert any(CJK.search(t) for t in terms), f"entry {terms} has no Chinese term"
        assert any(LATIN_WORD.search(t) and not CJK.search(t) for t in terms), f"entry {terms} has no English term"
        assert definition, f"entry {terms} has no definition"
        assert "{doc}" in definition, f"entry {terms} does not say where it is used"


def test_glossary_terms_are_unique(entries):
    seen: dict[str, list[str]] = {}
    for terms, _ in entries:
        for term in terms:
            assert term.lower() not in seen, f"term {term!r} appears twice ({seen[term.lower()]} and {terms})"
            seen[term.lower()] = terms


def test_glossary_mentions_that_the_notes_are_chinese():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert re.search(r"notes[^.]*Chinese", text)
    assert "雅克比" in text and "variant" in text


@pytest.mark.parametrize("chapter", NOTES_CHAPTERS)
def test_chapter_links_to_the_glossary(chapter, glossary_terms):
    text = (ROOT / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    targets = [m.group(2) or m.group(1) for m in re.finditer(r"\{term\}`([^`<]*?)\s*(?:<([^`>]+)>)?`", text)]
    links_doc = re.search(r"\{doc\}`[^`]*glossary`", text)
    assert targets or links_doc, f"{chapter} does not link to the glossary"
    unresolved = sorted({t for t in targets if t.strip().lower() not in glossary_terms})
    assert not unresolved, f"{chapter}: {{term}} targets not in the glossary: {unresolved}"
