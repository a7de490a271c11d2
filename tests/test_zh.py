"""The Chinese edition (zh/) never drifts from the English one.

- every page of the English book has its Chinese twin, in the same order;
- the code of each Chinese page is the English page's code: the token streams of their code
  cells are identical apart from the contents of string literals and comments (labels may be
  translated, logic may not differ);
- each Chinese page records the sha256 of the English source it translates, and fails here as
  soon as the English page changes: an English edit lands together with its Chinese twin;
- the prose of every Chinese page is Chinese (no untranslated English paragraph);
- in the built site every page links to its twin in the other edition, and no Chinese figure
  lost a glyph.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tokenize
from pathlib import Path

import jupytext
import pytest
import yaml

from conftest import toc_files

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "zh"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
WORD = re.compile(r"[A-Za-z]{3,}")


def zh_toc_files() -> list[str]:
    toc = yaml.safe_load((ZH / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files.extend(chapter["file"] for chapter in part.get("chapters", []))
    return files


PAGES = toc_files()


def front_matter(path: Path) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", path.read_text(encoding="utf-8"), re.DOTALL)
    return yaml.safe_load(match.group(1)) if match else {}


def code_tokens(source: str) -> list[tuple[int, str]]:
    """The tokens of a code cell, string contents and comments left out."""
    lines = [("pass" if line.lstrip().startswith(("%", "!")) else line) for line in source.splitlines()]
    tokens = []
    for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.STRING:
            prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower()
            tokens.append((tok.type, f"{prefix}<string>"))
        elif tok.type in (getattr(tokenize, "FSTRING_MIDDLE", -1),):
            tokens.append((tok.type, "<string>"))
        else:
            tokens.append((tok.type, tok.string))
    return tokens


def code_cells(path: Path) -> list[str]:
    notebook = jupytext.read(path, fmt="md:myst")
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def prose_blocks(path: Path) -> list[str]:
    """Paragraphs of prose: front matter, code cells, fenced code, math, inline code,
    role targets, directive options and link targets removed."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
    text = re.sub(r"^(`{3,}|~{3,})\{(code-cell|code-block|code|literalinclude|math)\}.*?^\1\s*$", "", text,
                  flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"^(`{3,})(python|text|bash|console|)\n.*?^\1\s*$", "", text, flags=re.DOTALL | re.MULTILINE)
    # directive fences before inline code (a fence's backticks are not inline code); titles stay prose
    text = re.sub(r"^\s*(`{3,}|:{3,})\{(solution-start|solution-end)\}.*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(`{3,}|:{3,})(\{[^}]*\})?", "", text, flags=re.MULTILINE)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"\{math\}`[^`]*`|\$[^$\n]+\$", " ", text)
    text = re.sub(r"\{[a-z:-]+\}`[^`]*`", " ", text)          # roles: {doc}`...`, {cite}`...`
    text = re.sub(r"``[^`\n]*``|`[^`\n]*`", " ", text)         # inline code (within a line)
    text = re.sub(r"\]\([^)]*\)|https?://\S+", " ", text)     # link targets
    text = re.sub(r"^\s*:[a-z-]+:.*$", "", text, flags=re.MULTILINE)   # directive options
    text = re.sub(r"^\(.*\)=\s*$", "", text, flags=re.MULTILINE)     # labels
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def test_every_english_page_has_a_chinese_twin_in_the_same_order():
    assert zh_toc_files() == PAGES
    for page in PAGES:
        assert (ZH / f"{page}.md").is_file(), f"zh/{page}.md is missing (translate {page}.md)"
    on_disk = {p.relative_to(ZH).with_suffix("").as_posix() for p in ZH.rglob("*.md") if "_build" not in p.parts}
    assert on_disk == set(PAGES), f"pages in zh/ that the English book does not have: {sorted(on_disk - set(PAGES))}"


@pytest.mark.parametrize("page", PAGES)
def test_chinese_code_is_the_english_code(page):
    english, chinese = code_cells(ROOT / f"{page}.md"), code_cells(ZH / f"{page}.md")
    assert len(chinese) == len(english), f"{page}: {len(chinese)} code cells in zh/, {len(english)} in English"
    for k, (en, zh) in enumerate(zip(english, chinese)):
        assert code_tokens(zh) == code_tokens(en), f"{page}: code cell {k + 1} differs beyond strings and comments"


@pytest.mark.parametrize("page", PAGES)
def test_chinese_page_records_the_english_revision_it_translates(page):
    meta = front_matter(ZH / f"{page}.md").get("translation") or {}
    assert meta.get("source") == f"{page}.md"
    current = hashlib.sha256((ROOT / f"{page}.md").read_bytes()).hexdigest()
    assert meta.get("sha256") == current, (
        f"{page}.md changed since zh/{page}.md was translated: bring the Chinese page up to date, "
        f"then set its translation: sha256: to `sha256sum {page}.md`")


@pytest.mark.parametrize("page", PAGES)
def test_chinese_prose_is_chinese(page):
    untranslated = [b for b in prose_blocks(ZH / f"{page}.md") if not CJK.search(b) and len(WORD.findall(b)) >= 4]
    assert not untranslated, f"zh/{page}.md: English paragraphs left: {untranslated[:3]}"


def test_the_prose_checker_catches_english():
    assert code_tokens('x = f("a")  # one\n') == code_tokens('x = f("甲")  # 一\n')
    assert code_tokens("x = f(a)\n") != code_tokens("x = f(b)\n")
    assert code_tokens("y = 1\n") != code_tokens("y = 2\n")


def test_the_prose_checker_ignores_math_and_directive_fences(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("中文。\n\n```{math}\n:label: eq\n\\left(J^\\top J + \\lambda D^2\\right) p = -J^\\top r\n```\n\n"
                    "```{exercise} 习题\n:label: ex\n\n用 `lm` 求解。\n```\n\n```{solution-start} ex\n:class: dropdown\n```\n\n"
                    "This paragraph was left in English by mistake.\n", encoding="utf-8")
    assert [b for b in prose_blocks(page) if not CJK.search(b)] == ["This paragraph was left in English by mistake."]


HTML = ROOT / "_build" / "html"


def built(page: str, edition: str) -> Path:
    return (HTML / "zh" if edition == "zh" else HTML) / f"{page}.html"


@pytest.mark.parametrize("page", PAGES)
def test_each_page_links_to_its_twin(page):
    if not (HTML / "zh").is_dir():
        pytest.skip("site not built (make book)")
    for edition, other in (("en", "zh"), ("zh", "en")):
        html = built(page, edition).read_text(encoding="utf-8")
        match = re.search(r'<p class="lm-edition-switch"><a href="([^"]+)"', html)
        assert match, f"{edition}/{page}: no language switch"
        target = (built(page, edition).parent / match.group(1)).resolve()
        assert target == built(page, other).resolve() and target.is_file()
    assert '<html lang="zh' in built(page, "zh").read_text(encoding="utf-8")


def test_no_glyph_is_missing_in_chinese_figures():
    executed = sorted((ZH / "_build" / "jupyter_execute").rglob("*.ipynb"))
    if not executed:
        pytest.skip("Chinese edition not built (make book)")
    for path in executed:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else ""
                assert "missing from font" not in text and "Glyph" not in text, f"{path.name}: {text[:200]}"


def test_language_switch_urls_and_chinese_line_breaks():
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    import edition_switch as es

    assert es.twin_url("intro", "en") == "zh/intro.html"
    assert es.twin_url("chapters/05-levenberg-marquardt", "en") == "../zh/chapters/05-levenberg-marquardt.html"
    assert es.twin_url("chapters/05-levenberg-marquardt", "zh") == "../../chapters/05-levenberg-marquardt.html"
    with pytest.raises(ValueError, match="lm_edition"):
        es.twin_url("intro", "fr")
    # a newline inside Chinese text is dropped; between English words it stays a space
    assert es.join_chinese_lines("第一句。\n第二句，\n继续\n文字") == "第一句。第二句，继续文字"
    assert es.join_chinese_lines("one\ntwo") == "one\ntwo"
    assert es.join_chinese_lines("矩阵\nJ 的列") == "矩阵\nJ 的列"
