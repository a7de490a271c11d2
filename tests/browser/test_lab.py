"""The live explorer in a real JupyterLab: moving the λ₀ slider redraws the figure.

Starts JupyterLab (from this venv, as `make lab` does) on a free local port in a temporary
folder, opens a notebook that calls ``lm.viz.explore`` — exactly what the chapters' live
cells do — runs it in a real kernel, moves the slider with the keyboard and checks that the
picture changed. Drives Debian's chromium through the package's ``browser`` fixture.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CELL = "import lm\nlm.viz.explore(lm.problems.rosenbrock())"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    import nbformat

    folder = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "explore.ipynb")
    port, token = free_port(), "lm-test-token"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(folder / ".jupyter"), JUPYTERLAB_SETTINGS_DIR=str(folder / ".settings"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
           f"--ServerApp.root_dir={folder}", f"--IdentityProvider.token={token}", "--ServerApp.ip=127.0.0.1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 90 s")
        yield f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_first_cell(page, timeout_s: float) -> None:
    """Run the notebook's cell until its picture appears. Dialogs (kernel selection, which may
    pop up late) are accepted as they come; a cell that a dialog kept from running (its
    prompt still "[ ]:") is started again."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if page.query_selector(".jp-OutputArea-output img"):
            return
        accept = page.query_selector(".jp-Dialog .jp-mod-accept")
        if accept:
            accept.click()
            page.wait_for_timeout(1000)
            continue
        prompt = page.inner_text(".jp-Cell .jp-InputPrompt").strip()
        if prompt in ("[ ]:", ""):
            page.click(".jp-Cell .jp-InputArea-editor")
            page.keyboard.press("Shift+Enter")
            page.wait_for_timeout(3000)
        else:
            page.wait_for_timeout(500)  # "[*]:" is running
    raise AssertionError("the explorer's picture never appeared: " + page.inner_text(".jp-Notebook")[:500])


def picture(page) -> str:
    return page.eval_on_selector(".jp-OutputArea-output img", "img => img.src")


def test_lambda_slider_redraws_the_live_explorer(browser, lab):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        page.goto(lab)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        run_first_cell(page, timeout_s=180)
        page.wait_for_timeout(1000)
        before = picture(page)
        handle = page.query_selector(".jp-OutputArea-output .noUi-handle")  # the first slider: λ₀
        assert handle is not None, "no slider in the explorer's output"
        handle.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        deadline = time.time() + 30
        while picture(page) == before and time.time() < deadline:
            page.wait_for_timeout(250)
        assert picture(page) != before, "moving the λ₀ slider did not redraw the figure"
        text = page.inner_text(".jp-OutputArea-output")
        assert "λ₀" in text and "nfev" in text
    finally:
        page.close()


# --- a student notebook (tools/student_notebooks.py) reads like the website in JupyterLab ---

STUDENT_CHAPTER = "chapters/06-damping-and-scaling"


def _student_notebook():
    """The student notebook of STUDENT_CHAPTER and the glued numbers its prose must show."""
    import re as _re

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    import student_notebooks as sn
    from myst_nb.core.variables import format_plain_text

    root = sn.ROOT
    if not (root / "_build" / ".doctrees" / "environment.pickle").is_file():
        pytest.skip("the book is not built (`make book`; `make test` does it)")
    source = root / f"{STUDENT_CHAPTER}.md"
    try:
        glue = sn.glue_values(source, root / ".jupyter_cache")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    chapter = sn.Chapter(source, STUDENT_CHAPTER, sn.BookIndex.from_build(root / "_build"), glue)
    student, _ = chapter.notebooks()
    # the numbers of the prose outside the solutions (which the student notebook leaves out)
    prose = _re.sub(r"(?s)\{solution-start\}.*?\{solution-end\}", "", source.read_text(encoding="utf-8"))
    numbers = [format_plain_text(glue[key], spec or "s") for key, spec in
               _re.findall(r"\{glue:text\}`([^`:]+):?([^`]*)`", prose)]
    return student, numbers


def test_a_student_notebook_shows_the_numbers_and_no_markup(browser, lab):
    import json
    import re as _re
    import urllib.request
    from urllib.parse import parse_qs, urlsplit

    import nbformat

    student, numbers = _student_notebook()
    assert numbers, "the chapter glues no numbers into its prose"
    parts = urlsplit(lab)
    token = parse_qs(parts.query)["token"][0]
    name = STUDENT_CHAPTER.split("/")[-1] + ".ipynb"
    body = json.dumps({"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(student))})
    request = urllib.request.Request(f"{parts.scheme}://{parts.netloc}/api/contents/{name}", data=body.encode(),
                                     method="PUT", headers={"Authorization": f"token {token}",
                                                            "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        # a workspace of its own, reset: only this notebook is open (not the other tests')
        page.goto(f"{parts.scheme}://{parts.netloc}/lab/workspaces/student/tree/{name}?token={token}&reset")
        page.wait_for_selector(".jp-MarkdownCell .jp-RenderedMarkdown", timeout=90_000)
        accept = page.query_selector(".jp-Dialog .jp-mod-accept")  # a kernel dialog, if any
        if accept:
            accept.click()
        # JupyterLab renders the cells near the viewport: scroll through, collecting the prose
        seen: dict[str, str] = {}
        for _ in range(400):
            for cell in page.query_selector_all(".jp-MarkdownCell .jp-RenderedMarkdown"):
                text = cell.inner_text()
                seen[text[:80]] = text
            at_end = page.evaluate(
                """() => { const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                                   || document.querySelector('.jp-NotebookPanel .jp-Notebook');
                           const before = s.scrollTop; s.scrollTop += 700;
                           return s.scrollTop === before; }""")
            page.wait_for_timeout(150)
            if at_end:
                break
        prose = "\n".join(seen.values())
        missing = [n for n in numbers if n not in prose]
        assert not missing, f"glued numbers missing from the notebook's prose: {missing}"
        raw = _re.findall(r"\{(?:glue:text|glue|term|eq|cite:t|cite:p|cite|doc|ref|numref|prf:ref)\}`?", prose)
        assert not raw, f"raw MyST role markup in JupyterLab: {raw[:5]}"
        assert not _re.search(r"(?m)^(?:```|:::)\{", prose), "raw MyST directives in JupyterLab"
        assert "Exercise" in prose and "Solution to Exercise" not in prose
    finally:
        page.close()


CLICK_CELL = ("%matplotlib widget\nimport lm\nex = lm.viz.explore(lm.problems.rosenbrock())\nex")


def test_click_on_the_ipympl_canvas_sets_the_start(browser, lab):
    """With ``%matplotlib widget`` the explorer's figure is ipympl's canvas: a click on the
    contour moves the start there, reruns and redraws (the notebook is put next to the
    other one through Jupyter's contents API)."""
    import json
    import urllib.request
    from urllib.parse import urlsplit

    import nbformat

    parts = urlsplit(lab)
    token = parts.query.split("token=")[1]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CLICK_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    body = json.dumps({"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(nb))}).encode()
    req = urllib.request.Request(f"{parts.scheme}://{parts.netloc}/api/contents/click.ipynb?token={token}",
                                 data=body, method="PUT", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).close()
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        # a workspace of its own, reset: only this notebook is open (not the other test's)
        page.goto(lab.replace("/lab/tree/explore.ipynb", "/lab/workspaces/click/tree/click.ipynb") + "&reset")
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden) "
        page.wait_for_selector(panel + ".jp-Notebook .jp-Cell", timeout=90_000)
        canvas_sel = panel + ".jp-OutputArea-output .jupyter-matplotlib-canvas-div canvas"
        deadline = time.time() + 180
        while time.time() < deadline and not page.query_selector(canvas_sel):
            accept = page.query_selector(".jp-Dialog .jp-mod-accept")
            if accept:
                accept.click()
            elif page.inner_text(panel + ".jp-Cell .jp-InputPrompt").strip() in ("[ ]:", ""):
                page.click(panel + ".jp-Cell .jp-InputArea-editor")
                page.keyboard.press("Shift+Enter")
                page.wait_for_timeout(3000)
            page.wait_for_timeout(500)
        canvas = page.query_selector(canvas_sel)
        assert canvas is not None, "no ipympl canvas: " + page.inner_text(panel + ".jp-Notebook")[:500]
        page.wait_for_timeout(1500)

        def info():
            return page.inner_text(panel + ".jp-OutputArea-output")

        def pixels():
            return page.eval_on_selector(canvas_sel, "c => c.toDataURL()")

        before_text, before_png = info(), pixels()
        assert "x₀ = (-1.2, 1)" in before_text
        box = canvas.bounding_box()
        page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.35 * box["height"])  # on the contour
        deadline = time.time() + 30
        while (info() == before_text or pixels() == before_png) and time.time() < deadline:
            page.wait_for_timeout(250)
        assert "x₀ = (-1.2, 1)" not in info(), "the click did not move the start"
        assert pixels() != before_png, "the click did not redraw the figure"
    finally:
        page.close()
