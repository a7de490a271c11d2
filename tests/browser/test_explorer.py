"""The live explorers of the built book in Chromium (lm.viz.static_explorer + explorer.js).

On the chapter page that holds them (chapter 5), at desktop width and at 390 px: a click on
the contour moves the start to the clicked point (within a pixel) and changes the path and
the table; the λ₀ slider, moved to values between the old grid points, changes the path;
the trust region of the current trial step is drawn and the ◀ ▶ buttons move it; a typed
Himmelblau model draws its contours and converges to one of its four minima; a typo shows
the error message and keeps the figure; no console error and no external request.
"""
from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE, ROOT

pytestmark = pytest.mark.browser

PAGE = "chapters/05-levenberg-marquardt.html"
HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848127)]


@pytest.fixture(params=["desktop", "phone"])
def explorer_page(site, request):
    if not (ROOT / "_build" / "html" / PAGE).is_file():
        pytest.skip(f"{PAGE} is not built")
    page, log = site.open(PAGE, viewport=DESKTOP if request.param == "desktop" else PHONE)
    page.wait_for_function("document.querySelectorAll('.lm-explorer[data-lm-ready]').length >= 5", timeout=20000)
    yield page, log, request.param
    page.context.close()


def q(root, name):
    return root.locator(f'[data-lm="{name}"]')


def test_every_explorer_of_chapter_5_is_live(explorer_page):
    page, log, viewport = explorer_page
    roots = page.locator(".lm-explorer")
    assert roots.count() == 5
    names = [roots.nth(i).get_attribute("data-lm-problem") for i in range(5)]
    assert names == ["Rosenbrock", "Beale", "Powell badly scaled", "Misra1a", "Jennrich–Sampson"]
    for i in range(5):
        root = roots.nth(i)
        assert q(root, "accepted").get_attribute("d").startswith("M")
        assert q(root, "table").locator("tbody tr[data-row]").count() >= 1
        assert "status" in q(root, "status").text_content()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1, f"the explorers make the page {width}px wide at {inner}px"
    assert not log.problems(), log.problems()


def test_click_sets_the_start_and_changes_path_and_table(explorer_page):
    page, log, viewport = explorer_page
    root = page.locator(".lm-explorer").nth(0)             # Rosenbrock
    svg = q(root, "overlay")
    svg.scroll_into_view_if_needed()
    before = (q(root, "accepted").get_attribute("d"), q(root, "table").inner_text())
    box = svg.bounding_box()
    for fx, fy in [(0.62, 0.2), (0.3, 0.45)]:
        x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        page.mouse.click(x, y)
        start = q(root, "start-point").bounding_box()    # the white square at the start
        cx, cy = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
        assert abs(cx - x) <= 1 and abs(cy - y) <= 1, f"start drawn at ({cx}, {cy}), clicked ({x}, {y})"
        after = (q(root, "accepted").get_attribute("d"), q(root, "table").inner_text())
        assert after[0] != before[0] and after[1] != before[1]
        before = after
    # the table's first row starts at the clicked point; its copy (TSV) has every row
    x0 = root.evaluate("r => r.lmExplorer.run().x0")
    q(root, "prev").click()
    root.evaluate("r => { r.querySelector('.lm-ex-table').scrollTop = 0; }")
    page.wait_for_timeout(100)
    first = q(root, "table").locator('tbody tr[data-row="0"] td')
    assert abs(float(first.nth(2).inner_text()) - x0[0]) <= 1e-6 * max(1, abs(x0[0]))
    tsv = root.evaluate("r => r.lmExplorer.tsv()").splitlines()
    assert len(tsv) == 1 + root.evaluate("r => r.lmExplorer.run().history.length")
    assert tsv[0].split("\t")[:4] == ["trial", "k", "x1", "x2"] and float(tsv[1].split("\t")[2]) == x0[0]
    # a drag moves it along
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.55 * box["width"], box["y"] + 0.6 * box["height"], steps=4)
    page.mouse.up()
    page.wait_for_timeout(50)
    assert q(root, "accepted").get_attribute("d") != before[0]
    assert not log.problems(), log.problems()


def test_lambda_slider_between_the_old_grid_points_changes_the_path(explorer_page):
    page, log, viewport = explorer_page
    root = page.locator(".lm-explorer").nth(0)
    root.evaluate("r => r.lmExplorer.setStart([-0.5, 2.5])")
    paths = set()
    # the old explorer offered only 13 values, two thirds of a decade apart (10^-4, 10^-3.33, ...)
    for v in ["-3.9", "-3.7", "-2.1", "-1.5", "0.1", "0.25", "1.9", "3.1"]:
        q(root, "lambda").fill(v)
        page.wait_for_timeout(30)
        paths.add(q(root, "accepted").get_attribute("d") + q(root, "table").inner_text())
    assert len(paths) >= 6, f"only {len(paths)} different paths for 8 values of λ₀"
    assert not log.problems(), log.problems()


def test_trust_region_is_drawn_and_the_buttons_step(explorer_page):
    page, log, viewport = explorer_page
    root = page.locator(".lm-explorer").nth(2)             # Powell badly scaled: ellipses
    root.scroll_into_view_if_needed()
    q(root, "iteration").fill("0")
    region = q(root, "trust-region")
    assert region.get_attribute("visibility") == "visible"
    assert float(region.get_attribute("rx")) > 0 and float(region.get_attribute("ry")) > 0
    nxt, prev = q(root, "next"), q(root, "prev")
    for b in (nxt, prev):
        bb = b.bounding_box()
        assert bb["width"] >= 40 and bb["height"] >= 40, "the step buttons must take a finger"
    c0 = q(root, "current").get_attribute("cx"), region.get_attribute("rx")
    nxt.click(); nxt.click()
    assert q(root, "iteration-value").text_content().startswith("2 /")
    assert (q(root, "current").get_attribute("cx"), region.get_attribute("rx")) != c0
    assert root.locator("tr.lm-ex-current").count() == 1
    prev.click()
    assert q(root, "iteration-value").text_content().startswith("1 /")
    # Levenberg scaling: the same run in D = I
    q(root, "scale").select_option("levenberg")
    assert "Levenberg scaling" in q(root, "status").text_content()
    assert not log.problems(), log.problems()


def test_own_model_himmelblau_converges_and_a_typo_keeps_the_figure(explorer_page):
    page, log, viewport = explorer_page
    root = page.locator(".lm-explorer").nth(1)
    root.locator("details.lm-ex-own summary").click()
    q(root, "model").fill("x1^2 + x2 - 11, x1 + x2^2 - 7")
    q(root, "apply-model").click()
    assert root.get_attribute("data-lm-model") == "own"
    assert q(root, "model-error").text_content() == ""
    canvas_png = root.locator("canvas").evaluate("c => c.toDataURL()")
    assert len(canvas_png) > 5000, "no contours drawn for the typed model"
    for start in ([0.0, 0.0], [-4.0, 4.0], [-4.5, -4.5], [4.0, -4.0]):
        root.evaluate(f"r => r.lmExplorer.setStart({start})")
        run = root.evaluate("r => { const s = r.lmExplorer.run(); return {x: s.x, status: s.status, cost: s.cost}; }")
        assert run["status"] > 0 and run["cost"] < 1e-12, run
        assert min(abs(run["x"][0] - a) + abs(run["x"][1] - b) for a, b in HIMMELBLAU_MINIMA) < 1e-5, run
    path = q(root, "accepted").get_attribute("d")
    for typo, words in [("x1^2 + x2 - 11, x1 + x2^^2 - 7", "position"), ("x1^2 + y - 11", "unknown name 'y'"),
                        ("sqrt(-1 - x1^2)", "not finite")]:
        q(root, "model").fill(typo)
        q(root, "apply-model").click()
        msg = q(root, "model-error").text_content()
        assert words in msg and "previous figure is kept" in msg, msg
        assert q(root, "accepted").get_attribute("d") == path
        assert root.locator("canvas").evaluate("c => c.toDataURL()") == canvas_png
    q(root, "book-model").click()
    assert root.get_attribute("data-lm-model") == "book" and root.locator("img").is_visible()
    assert not log.problems(), log.problems()
