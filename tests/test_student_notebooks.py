"""The student and solutions notebooks (tools/student_notebooks.py, `make notebooks`).

Unit tests of the pieces (build-only code, roles, directives), then the real thing on the
built book: every chapter's student notebook has its glued numbers in the prose, no raw MyST
markup, no build-only code and no solutions; the solutions notebook has them; and one
student notebook runs top to bottom in a fresh kernel.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import student_notebooks as sn  # noqa: E402

BUILD = ROOT / "_build"
RAW_ROLE = re.compile(r"\{[\w:-]+\}`")
RAW_DIRECTIVE = re.compile(r"(?m)^\s*(?:`{3,}|:{3,})\{[\w:-]+\}")


# --- code -------------------------------------------------------------------------------------

def test_strip_build_only_removes_glue_and_asserts_and_keeps_blocks_valid():
    code = (
        "from myst_nb import glue\n"
        "x = 1\n"
        "for s in range(3):\n"
        "    glue(f'k_{s}', s,\n"
        "         display=False)\n"
        "assert x == 1\n"
        "y = x + 1"
    )
    new, removed = sn.strip_build_only(code)
    assert "glue" not in new and "assert" not in new
    assert "    pass" in new                       # the loop body would be empty
    assert "y = x + 1" in new and "x = 1" in new
    compile(new, "<cell>", "exec")
    assert len(removed) == 3


def test_strip_build_only_leaves_other_code_alone():
    code = "def f(x):\n    return x  # glue(no)\nprint(f(2))"
    assert sn.strip_build_only(code) == (code, [])
    assert sn.strip_build_only("%%timeit\nx = 1") == ("%%timeit\nx = 1", [])


def test_dropping_a_definition_the_student_needs_is_refused():
    with pytest.raises(ValueError, match=r"\['helper'\]"):
        sn.check_dropped_names("ch", [("a cell", "helper = 3")], ["print(helper)"])
    sn.check_dropped_names("ch", [("a cell", "tmp = 3")], ["print(1)"])           # unused: fine
    sn.check_dropped_names("ch", [("a cell", "a = 3")], ["a = 1\nprint(a)"])       # rebound: fine


# --- prose ------------------------------------------------------------------------------------

@pytest.fixture()
def renderer():
    index = sn.BookIndex(
        equations={"eq-a": "7"},
        numbered={"ex-a": ("exercise", "3"), "alg": ("algorithm", "1")},
        sections={"sec-a": ("chapters/02-x", "Section A")},
        titles={"chapters/02-x": "The second chapter", "chapters/glossary": "Glossary"},
        citations={"lev": ("Levenberg", "1944"), "mn": ("Madsen et al.", "2004")},
    )
    return sn.Renderer("chapters/01-y", index, {"v": "0.123456", "n": "42", "s": "'text'"}, {})


def test_roles_render_as_the_site_shows_them(renderer):
    r = renderer.inline
    assert r("cost {glue:text}`v:.3f`, {glue:text}`n` steps, {glue}`s`") == "cost 0.123, 42 steps, text"
    assert r("see {eq}`eq-a`") == "see (7)"
    assert r("{cite:t}`lev` and {cite:p}`lev,mn`") == "Levenberg (1944) and (Levenberg 1944; Madsen et al. 2004)"
    assert r("a {term}`residual` and the {term}`Jacobian <Jacobian matrix>`") == "a residual and the Jacobian"
    assert r("{doc}`02-x`, {doc}`that one <02-x>`") == (
        "[The second chapter](02-x.ipynb), [that one](02-x.ipynb)")
    assert r("{doc}`glossary`") == "*Glossary*"
    assert r("{ref}`sec-a`, {ref}`this <sec-a>`, {numref}`ex-a`, {prf:ref}`alg`") == (
        "Section A, this, Exercise 3, Algorithm 1")
    assert r("code `{glue:text}` stays") == "code `{glue:text}` stays"


def test_unknown_references_fail_loudly(renderer):
    for text in ("{glue:text}`nope`", "{eq}`nope`", "{cite:p}`nope`", "{ref}`nope`", "{weird}`x`"):
        with pytest.raises(ValueError):
            renderer.inline(text)


# --- the built book ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(tmp_path_factory):
    if not (BUILD / ".doctrees" / "environment.pickle").is_file():
        pytest.skip("the book is not built (`make book`; `make test` does it)")
    out = tmp_path_factory.mktemp("notebooks")
    try:
        sn.write_all(BUILD, out)
    except FileNotFoundError as exc:  # chapters changed since the last build
        pytest.skip(str(exc))
    return out


def markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


CHAPTERS = [d for d, _ in sn.chapter_sources()]


@pytest.mark.parametrize("docname", CHAPTERS)
def test_student_notebook_reads_like_the_website(written, docname):
    name = Path(docname).name
    student = nbformat.read(written / f"{name}.ipynb", as_version=4)
    solutions = nbformat.read(written / "solutions" / f"{name}-solutions.ipynb", as_version=4)
    nbformat.validate(student)
    text, src = markdown(student), code(student)
    assert not RAW_ROLE.findall(text), RAW_ROLE.findall(text)[:5]
    assert not RAW_DIRECTIVE.findall(text), RAW_DIRECTIVE.findall(text)[:5]
    assert "glue(" not in src and not re.search(r"(?m)^\s*assert\b", src)
    # every glued number of the chapter's prose is in the student's prose
    source = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    glue = sn.glue_values(ROOT / f"{docname}.md", ROOT / ".jupyter_cache")
    from myst_nb.core.variables import format_plain_text

    outside = re.sub(r"(?s)\{solution-start\}.*?\{solution-end\}", "", source)
    for where, prose, md_src in (("student", text, outside), ("solutions", markdown(solutions), source)):
        for key, spec in re.findall(r"\{glue:text\}`([^`:]+):?([^`]*)`", md_src):
            value = format_plain_text(glue[key], spec or "s")
            assert value in prose, f"{docname}: the glued {key} = {value} is missing from the {where} prose"
    # exercises without their solutions; the solutions notebook has them all
    n_ex = len(re.findall(r"(?m)^`{3,}\{exercise\}", source))
    assert text.count("**Exercise ") == n_ex
    assert "Solution to Exercise" not in text
    assert markdown(solutions).count("**Solution to Exercise") == n_ex
    assert len(code(solutions)) > len(src)


def test_a_student_notebook_runs_in_a_fresh_kernel(written):
    from nbclient import NotebookClient

    nb = nbformat.read(written / "01-least-squares.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
