"""The printable book (`make pdf`, tools/print_pdf.py): one PDF with every page of _toc.yml,
its mathematics typeset and its figures.

`make test` runs `make pdf` before pytest, so this test only reads the PDF (pypdf): its
outline (bookmarks, written by Chromium from the headings) lists every page's title in the
order of _toc.yml, its text holds no raw TeX or MyST markup, and it embeds the figures. Run
alone without a fresh PDF, it is skipped.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, toc_files

PDF = ROOT / "_build" / "pdf" / "book.pdf"
RAW = re.compile(
    r"\\(?:frac|lVert|rVert|mathrm|operatorname|begin|end|sum|top|lambda|rho|Delta|tfrac|mathbb)\b"
    r"|\$\$|\\\(|\\\[|\{(?:glue:text|glue|eq|cite:t|cite:p|cite|term|doc|ref|numref)\}`"
)


def toc_titles() -> list[str]:
    titles = []
    for doc in toc_files():
        text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
        heading = re.search(r"(?m)^# (.+)$", text).group(1)
        titles.append(re.sub(r"[`*]", "", heading).strip())
    return titles


@pytest.fixture(scope="module")
def reader():
    pypdf = pytest.importorskip("pypdf")
    if not PDF.is_file():
        pytest.skip("_build/pdf/book.pdf is missing: `make pdf` (`make test` does it)")
    newest = max(p.stat().st_mtime for p in (ROOT / "chapters").glob("*.md"))
    if PDF.stat().st_mtime < newest:
        pytest.skip("_build/pdf/book.pdf is older than the chapters: `make pdf` (`make test` does it)")
    return pypdf.PdfReader(str(PDF))


def flatten(outline) -> list:
    items = []
    for item in outline:
        items.extend(flatten(item) if isinstance(item, list) else [item])
    return items


def words_in_order(title: str, mark: str) -> bool:
    """Every word of the title occurs in the (space-free) bookmark, in order. Chromium drops
    the space where a heading wraps and repeats the text around an inline code span of a
    heading ("Inside Inside lm: the algorithm line by: ..."), so the whole title need not
    occur as one piece."""
    pos = 0
    for word in title.split():
        pos = mark.find(word, pos)
        if pos < 0:
            return False
        pos += len(word)
    return True


def test_bookmark_matching_is_strict_about_words_and_order():
    assert words_in_order("Inside lm: the algorithm line by line", "InsideInsidelm:thealgorithmlineby:thealgorithmlinebyline")
    assert not words_in_order("Inside lm: the algorithm", "thealgorithmInsidelm:")
    assert not words_in_order("Fitting real data", "Fittingrealdots")


def test_the_pdf_has_every_page_of_the_book_in_order(reader):
    # Chromium drops the space where a heading wraps, so compare without any whitespace
    marks = ["".join(str(m.title).split()) for m in flatten(reader.outline)]
    found = []
    for title in toc_titles():
        hits = [i for i, m in enumerate(marks) if words_in_order(title, m)]
        assert hits, f"no bookmark for {title!r} in the PDF (bookmarks: {marks[:12]} ...)"
        found.append(hits[0])
    assert found == sorted(found), "the chapters are not in the order of _toc.yml"
    assert len(reader.pages) > 10 * len(toc_titles()) // 2


def code_text() -> str:
    """All code of the book's pages (code cells and code blocks): TeX in it is not raw."""
    blocks = []
    for doc in toc_files():
        text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
        blocks += re.findall(r"(?ms)^```(?:\{code-cell\}|python)[^\n]*\n(.*?)^```", text)
    return "\n".join(blocks)


def test_the_pdf_has_no_raw_tex_or_markup_and_has_figures(reader):
    code = code_text()
    images = 0
    raw = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        for m in RAW.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            line = text[start:end if end >= 0 else None].strip()
            if len(line) < 5 or line not in code:   # a line of a code cell may hold TeX labels
                raw.append((number, line[:80]))
        xobjects = page.get("/Resources", {}).get("/XObject", {}) or {}
        images += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    assert not raw, f"raw TeX/markup in the PDF (page, text): {raw[:10]}"
    # the chapters' figures are there: at least one image per chapter
    chapters = [d for d in toc_files() if re.match(r"chapters/\d\d-", d)]
    assert images >= len(chapters), f"only {images} images in the PDF"
