"""Tests of lm.viz: the matplotlib plots, the ipywidgets explorer and the static HTML explorer.

Headless (Agg). The browser test drives the static explorer in Debian's chromium through
Playwright and is skipped when /usr/bin/chromium is missing.
"""
import matplotlib

matplotlib.use("Agg")

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lm  # noqa: E402
from lm import levenberg_marquardt  # noqa: E402
from lm.baselines import gauss_newton  # noqa: E402
from lm.problems import Problem, freudenstein_roth, jennrich_sampson, nist, rosenbrock  # noqa: E402
from lm.viz import explore, plot_contour, plot_convergence, plot_path, static_explorer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MISRA1A = ROOT / "lm/problems/data/nist-strd/Misra1a.dat"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def fr_result():
    """Freudenstein–Roth from x0: a run with many rejected steps."""
    p = freudenstein_roth()
    res = levenberg_marquardt(p.fun, p.x0, p.jac, max_nfev=200)
    assert sum(not s.accepted for s in res.history) >= 3  # the tests below need rejections
    return p, res


def three_parameter_problem():
    return Problem("three", lambda x: x - 1.0, lambda x: np.eye(3), x0=[0.0, 0.0, 0.0])


# ---------------------------------------------------------------------------------------
# plots


def test_plot_path_draws_nit_plus_one_accepted_points_and_each_rejected_step():
    p, res = fr_result()
    ax = plot_path(res)
    (acc,) = by_gid(ax, "lm-accepted")
    x, y = acc.get_data()
    assert len(x) == res.nit + 1
    expected = [res.history[0].x] + [s.x_trial for s in res.history if s.accepted]
    np.testing.assert_allclose(np.column_stack([x, y]), expected)
    (rej,) = by_gid(ax, "lm-rejected")
    assert rej is not acc and rej.get_marker() == "x"
    rejected = [s.x_trial for s in res.history if not s.accepted]
    np.testing.assert_allclose(np.column_stack(rej.get_data()), rejected)
    (segs,) = by_gid(ax, "lm-rejected-steps")
    assert segs.get_linestyle() == "--"
    assert np.isnan(segs.get_xdata()).sum() == len(rejected)  # one NaN-separated segment each


def test_plot_path_hides_rejected_steps_on_request():
    p, res = fr_result()
    ax = plot_path(res, show_rejected=False)
    assert not any(a.get_visible() for a in by_gid(ax, "lm-rejected"))


def test_plot_path_trust_region_is_the_scaled_ellipse_of_the_step():
    p, res = fr_result()
    j = 3
    ax = plot_path(res, iteration=j)
    (ell,) = by_gid(ax, "lm-trust-region")
    s = res.history[j]
    radius = np.linalg.norm(s.D * s.p)
    assert ell.get_visible()
    np.testing.assert_allclose(ell.get_center(), s.x)
    np.testing.assert_allclose([ell.get_width(), ell.get_height()], 2 * radius / s.D)
    (text,) = by_gid(ax, "lm-lambda")
    assert "λ" in text.get_text() and f"{s.lam:.3g}" in text.get_text() and "Δ" in text.get_text()
    # no iteration, no trust region
    ax2 = plot_path(res)
    assert not by_gid(ax2, "lm-trust-region")[0].get_visible()


def test_plot_path_of_gauss_newton_baseline():
    p = jennrich_sampson()
    gn = gauss_newton(p.fun, p.x0, p.jac, max_iter=10)
    ax = plot_contour(p)
    lims = ax.get_xlim(), ax.get_ylim()
    plot_path(gn, ax, color="orange", label="GN")
    (acc,) = by_gid(ax, "lm-accepted")
    assert len(acc.get_xdata()) == gn.nit + 1
    assert (ax.get_xlim(), ax.get_ylim()) == lims  # a diverging path does not zoom out


def test_plot_contour_marks_the_minimum():
    p = rosenbrock()
    ax = plot_contour(p, resolution=60)
    (star,) = by_gid(ax, "lm-minimum")
    assert star.get_marker() == "*"
    np.testing.assert_allclose(np.ravel(star.get_data()), p.x_star)
    assert ax.get_xlim() == p.xlim and ax.get_ylim() == p.ylim
    assert by_gid(ax, "lm-contour")


def test_plot_contour_rejects_a_three_parameter_problem():
    with pytest.raises(ValueError, match="2-parameter"):
        plot_contour(three_parameter_problem())


def test_plot_contour_survives_overflow_and_has_a_window_without_limits():
    p = jennrich_sampson()
    ax = plot_contour(p, xlim=(0, 80), ylim=(0, 80), resolution=40)  # e^{10·80} overflows
    assert by_gid(ax, "lm-contour")
    misra = nist(MISRA1A)
    assert misra.xlim is None
    ax = plot_contour(misra, resolution=40)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for pt in list(misra.starts) + [misra.x_star]:
        assert x0 < pt[0] < x1 and y0 < pt[1] < y1


def test_plot_convergence_has_a_twin_log_lambda_axis():
    p, res = fr_result()
    ax = plot_convergence(res)
    twins = [a for a in ax.get_shared_x_axes().get_siblings(ax) if a is not ax]
    assert len(twins) == 1
    (twin,) = twins
    assert twin.get_gid() == "lm-lambda-axis" and twin.get_yscale() == "log"
    assert ax.get_yscale() == "log" and "λ" in twin.get_ylabel()
    (lam,) = by_gid(twin, "lm-conv-lambda")
    np.testing.assert_allclose(lam.get_ydata(), [s.lam if s.lam > 0 else np.nan for s in res.history])
    (rej,) = by_gid(ax, "lm-conv-rejected")
    assert len(rej.get_xdata()) == sum(not s.accepted for s in res.history)


# ---------------------------------------------------------------------------------------
# explore (ipywidgets): callbacks run without any display


def path_xy(ex, kind="lm"):
    line = ex.paths[kind].accepted
    return np.column_stack(line.get_data()).copy()


def test_explore_returns_an_explorer_with_its_parts():
    ex = explore(rosenbrock())
    assert set(ex.controls) >= {"lam0", "damping", "start", "x1", "x2", "iteration", "show_gn", "show_gd"}
    assert type(ex.controls["lam0"]).__name__ == "FloatLogSlider"
    assert type(ex.controls["iteration"]).__name__ == "IntSlider"
    assert type(ex.widget).__name__ == "VBox"
    assert ex.fig.axes[0] is ex.ax
    assert len(path_xy(ex)) == ex.result.nit + 1
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_explore_lambda_slider_changes_the_path_in_the_same_figure():
    ex = explore(rosenbrock(), damping="nielsen", lam0=1e-2)
    fig, line, before = ex.fig, ex.paths["lm"].accepted, path_xy(ex)
    ex.controls["lam0"].value = 1e3
    after = path_xy(ex)
    assert ex.fig is fig and ex.paths["lm"].accepted is line  # updated in place
    assert line in ex.ax.lines
    assert before.shape != after.shape or not np.allclose(before, after)
    assert ex.result.history[0].lam == pytest.approx(1e3)


def test_explore_strategy_and_start_change_the_path():
    p = rosenbrock()
    ex = explore(p, damping="trust-region", lam0=1.0)
    before = path_xy(ex)
    ex.controls["damping"].value = "marquardt"
    after = path_xy(ex)
    assert not (before.shape == after.shape and np.allclose(before, after))
    assert ex.result.damping.startswith("Marquardt")
    ex.controls["start"].value = 1
    np.testing.assert_allclose(path_xy(ex)[0], p.starts[1])
    ex.controls["x1"].value = 0.5
    np.testing.assert_allclose(path_xy(ex)[0], [0.5, p.starts[1][1]])
    assert ex.controls["start"].value == -1  # "custom"


def test_explore_trust_region_maps_lambda0_to_delta0():
    p = rosenbrock()
    ex = explore(p, damping="trust-region", lam0=1.0)
    D0 = np.linalg.norm(p.jac(p.x0), axis=0)
    first = ex.result.history[0]
    assert np.linalg.norm(first.D * first.p) <= np.linalg.norm(D0 * p.x0) * 1.1
    ex.controls["lam0"].value = 100.0
    first = ex.result.history[0]
    # on the boundary, to the tolerance of Subproblem.lam_for_radius (10 %, as MINPACK)
    assert np.linalg.norm(first.D * first.p) == pytest.approx(np.linalg.norm(D0 * p.x0) / 100, rel=0.1)
    assert ex.paths["lm"].data.Delta[0] == pytest.approx(np.linalg.norm(D0 * p.x0) / 100)


def test_explore_iteration_scrubber_moves_the_trust_region():
    ex = explore(freudenstein_roth(), damping="nielsen")
    region = ex.paths["lm"].region
    ex.controls["iteration"].value = 0
    c0 = np.array(region.get_center())
    assert ex.controls["iteration"].max == len(ex.result.history) - 1
    j = next(i for i, s in enumerate(ex.result.history) if s.k >= 2)
    ex.controls["iteration"].value = j
    c1 = np.array(region.get_center())
    assert not np.allclose(c0, c1)
    np.testing.assert_allclose(c1, ex.result.history[j].x)
    assert region.get_visible()


def test_explore_overlays_gauss_newton_and_gradient_descent():
    p = jennrich_sampson()
    ex = explore(p)
    assert not ex.paths["gn"].accepted.get_visible()
    ex.controls["show_gn"].value = True
    ex.controls["show_gd"].value = True
    gn = path_xy(ex, "gn")
    assert ex.paths["gn"].accepted.get_visible() and ex.gn_result is not None
    assert len(gn) == ex.gn_result.nit + 1
    np.testing.assert_allclose(gn[0], ex.start)
    assert len(path_xy(ex, "gd")) == ex.gd_result.nit + 1
    labels = [t.get_text() for t in ex.legend.get_texts()]
    assert "Gauss–Newton" in labels and "gradient descent" in labels


def test_explore_shows_a_png_in_the_output_once_displayed():
    ex = explore(rosenbrock())
    assert ex.output.outputs == ()
    ex._repr_mimebundle_()
    png0 = ex.output.outputs[0]["data"]["image/png"]
    ex.controls["lam0"].value = 1e3
    png1 = ex.output.outputs[0]["data"]["image/png"]
    assert len(ex.output.outputs) == 1 and png0 != png1


def test_explore_click_sets_the_start():
    ex = explore(rosenbrock())

    class Event:
        inaxes, xdata, ydata = None, 0.3, 2.0

    ev = Event()
    ev.inaxes = ex.ax
    ex._on_click(ev)
    np.testing.assert_allclose(path_xy(ex)[0], [0.3, 2.0])


def test_explore_works_for_misra1a_and_rejects_bad_input():
    ex = explore(nist(MISRA1A), damping="nielsen", lam0=1.0)
    assert ex.result.nit >= 1
    with pytest.raises(ValueError):
        explore(rosenbrock(), damping="levenberg")
    with pytest.raises(ValueError):
        explore(rosenbrock(), lam0=-1.0)
    with pytest.raises(ValueError, match="2-parameter"):
        explore(three_parameter_problem())


# ---------------------------------------------------------------------------------------
# static_explorer


@pytest.fixture(scope="module")
def static_fr():
    return static_explorer(freudenstein_roth())


def embedded_data(html):
    m = re.search(r'<script type="application/json" id="([^"]+)-data">(.*?)</script>', html, re.S)
    return m.group(1), json.loads(m.group(2))


def test_static_explorer_has_one_frame_per_lambda_strategy_and_start(static_fr):
    se = static_fr
    assert len(se.lambdas) == 13 and se.lambdas[0] == pytest.approx(1e-4) and se.lambdas[-1] == pytest.approx(1e4)
    assert len(se.starts) == 3
    keys = [(f["lam0"], f["strategy"], f["start"]) for f in se.frames]
    assert len(keys) == len(set(keys)) == 13 * 3 * 3
    for strategy in se.strategies:
        for start in range(3):
            lams = sorted(f["lam0"] for f in se.frames if f["strategy"] == strategy and f["start"] == start)
            np.testing.assert_allclose(lams, se.lambdas)
    uid, data = embedded_data(se.html)
    assert len(data["frames"]) == len(se.frames)
    for f in se.frames:
        assert len(f["accepted"]) == f["nit"] + 1
        assert len(f["rejected"]) == f["is_accepted"].count(False)


def test_static_explorer_frames_match_a_direct_run(static_fr):
    p = freudenstein_roth()
    f = static_fr.frame(1e-2, "nielsen", 1)
    res = levenberg_marquardt(p.fun, p.starts[1], p.jac, damping=lm.damping.Nielsen(lam0=1e-2), max_nfev=200)
    assert f["nit"] == res.nit and f["nfev"] == res.nfev
    np.testing.assert_allclose(f["accepted"][-1], res.x)


def test_static_explorer_html_controls_and_no_urls(static_fr):
    html = static_fr.html
    assert html.startswith('<div class="lm-static-explorer')
    first, again = static_fr._repr_html_(), static_fr._repr_html_()  # two displays: own ids
    assert first != again
    assert set(re.findall(r'id="([^"]+)"', first)).isdisjoint(re.findall(r'id="([^"]+)"', again))
    m = re.search(r'<input type="range" data-lm-static="lambda" min="0" max="(\d+)"', html)
    assert m and int(m.group(1)) == len(static_fr.lambdas) - 1
    assert 'data-lm-static="iteration"' in html
    assert '<select data-lm-static="strategy">' in html and '<select data-lm-static="start">' in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "<svg" in html and 'src="data:image/png;base64,' in html
    assert "currentScript" not in html
    assert len(html.encode()) < 1_000_000


def test_static_explorer_ids_are_unique_per_instance(static_fr):
    other = static_explorer(freudenstein_roth(), lambdas=[1e-2, 1.0], strategies=("nielsen",))
    assert len(other.frames) == 2 * 1 * 3
    ids_a = set(re.findall(r'id="([^"]+)"', static_fr.html))
    ids_b = set(re.findall(r'id="([^"]+)"', other.html))
    assert ids_a and ids_b and not ids_a & ids_b


def test_static_explorer_pixel_box_matches_the_axes():
    se = static_explorer(nist(MISRA1A), lambdas=[1.0], strategies=("trust-region",))
    left, top, w, h = se.image_box
    W, H = se.image_size
    assert 0 < left < W / 2 and 0 < top < H / 2 and left + w < W and top + h < H
    assert se.xlim[0] < se.frames[0]["x0"][0] < se.xlim[1]


def test_static_explorer_save(tmp_path, static_fr):
    out = static_fr.save(tmp_path / "x.html")
    text = out.read_text(encoding="utf-8")
    assert static_fr.html in text and "<!DOCTYPE html>" in text


# ---------------------------------------------------------------------------------------
# the static explorer in a real browser


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_static_explorer_runs_in_chromium(tmp_path, static_fr):
    sync_api = pytest.importorskip("playwright.sync_api")
    second = static_explorer(rosenbrock(), lambdas=[1e-3, 1.0, 1e3])
    # as MyST-NB renders it: the snippets raw in the page, parsed with the page (scripts run
    # while the document is loading); plus a third copy inserted after load, as JupyterLab does
    late = static_explorer(rosenbrock(), lambdas=[1e-2, 1e2], starts=[[0.0, 2.0]]).html
    late = json.dumps(late).replace("</", "<\\/")  # a JS string inside <script>
    page_html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head><body>"
        f"<div class='cell_output docutils container'><div class='output text_html'>{static_fr.html}</div></div>"
        f"<div class='cell_output docutils container'><div class='output text_html'>{second.html}</div></div>"
        "<div id='late'></div><script>window.addEventListener('load', function () {"
        f"var box = document.getElementById('late'); box.innerHTML = {late};"
        "box.querySelectorAll('script').forEach(function (old) { var s = document.createElement('script');"
        "if (old.type) { s.type = old.type; } if (old.id) { s.id = old.id; } s.textContent = old.textContent;"
        "old.parentNode.replaceChild(s, old); }); });</script></body></html>"
    )
    path = tmp_path / "x.html"
    path.write_text(page_html, encoding="utf-8")
    errors, requests = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            roots = page.locator(".lm-static-explorer")
            try:
                page.wait_for_function(
                    "document.querySelectorAll('.lm-static-explorer[data-lm-ready]').length === 3", timeout=10000)
            except sync_api.TimeoutError:
                raise AssertionError(f"not every viewer started; console errors: {errors}") from None
            assert roots.count() == 3
            for i in range(3):
                root = roots.nth(i)
                acc = root.locator('[data-lm-static="accepted"]')
                d0 = acc.get_attribute("d")
                assert d0 and d0.startswith("M")
                lam = root.locator('[data-lm-static="lambda"]')
                top = lam.get_attribute("max")
                new = top if lam.input_value() != top else "0"  # the other end of the range
                lam.fill(new)
                d1 = acc.get_attribute("d")
                assert d1 and d1 != d0, f"explorer {i}: the λ slider did not change the path"
                text = root.locator('[data-lm-static="lambda-value"]').text_content()
                cur = root.locator('[data-lm-static="current"]')
                c0 = cur.get_attribute("cx"), cur.get_attribute("cy")
                root.locator('[data-lm-static="iteration"]').fill("1")
                c1 = cur.get_attribute("cx"), cur.get_attribute("cy")
                assert c0 != c1, f"explorer {i}: the iteration slider did not move the current point"
                assert root.locator('[data-lm-static="trust-region"]').get_attribute("visibility") == "visible"
                assert "λ" in root.locator('[data-lm-static="step"]').text_content()
                assert text
                root.locator('[data-lm-static="strategy"]').select_option(index=1)
                assert acc.get_attribute("d") != d1 or root.locator('[data-lm-static="status"]').text_content().startswith("nielsen")
                gn = root.locator('[data-lm-static="gauss-newton"]')
                assert gn.get_attribute("d") == ""                     # hidden until asked for
                root.locator('[data-lm-static="show-gn"]').check()
                assert gn.get_attribute("d").startswith("M"), f"explorer {i}: no Gauss–Newton path"
                root.locator('[data-lm-static="show-gn"]').uncheck()
                assert gn.get_attribute("d") == ""
            # the overlay covers exactly the image, also at phone width
            box = page.evaluate("""() => { const r = document.querySelector('.lm-static-explorer');
                const i = r.querySelector('img').getBoundingClientRect(), s = r.querySelector('svg').getBoundingClientRect();
                return [i.width, i.height, s.width, s.height, document.documentElement.scrollWidth]; }""")
            assert box[0] <= 390 and abs(box[0] - box[2]) < 1 and abs(box[1] - box[3]) < 1
            assert box[4] <= 390, "horizontal scroll at 390 px"
        finally:
            browser.close()
    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


def test_path_data_radius_is_the_recorded_radius_of_each_step():
    """The radius drawn for a trial step is the Δ that step was computed in (Step.Delta);
    when λ > 0 the step lies on that boundary (within the 10 % of the radius search)."""
    import lm
    from lm.viz.plots import path_data

    P = lm.problems.rosenbrock()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    d = path_data(res)
    for j, s in enumerate(res.history):
        assert d.Delta[j] == s.Delta
        if s.lam > 0:
            assert abs(np.linalg.norm(s.D * s.p) - s.Delta) <= 0.1 * s.Delta + 1e-12


def test_markdown_table_and_frontend_detection():
    from lm.viz import in_live_frontend, markdown_table

    t = markdown_table(["a", "b"], [[1, 2.5], ["x", "y"]])
    assert t.data.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2.5 |", "| x | y |"]
    with pytest.raises(ValueError, match="cells"):
        markdown_table(["a", "b"], [[1]])
    assert in_live_frontend() is False   # pytest is no Jupyter front end


def test_static_explorer_gauss_newton_paths_are_the_baseline():
    """The overlay's data are lm.baselines.gauss_newton's iterates from each start."""
    import lm
    from lm.baselines import gauss_newton

    P = lm.problems.jennrich_sampson()
    ex = static_explorer(P, lambdas=[1e-2, 1.0], strategies=("trust-region",))
    assert len(ex.gauss_newton_paths) == len(ex.starts)
    for x0, path in zip(ex.starts, ex.gauss_newton_paths):
        ref = gauss_newton(P.fun, x0, P.jac, max_iter=30)
        expected = [x0] + [s.x_trial for s in ref.history if s.accepted]
        assert np.allclose(np.array(path, float), np.array(expected), equal_nan=True)
    assert '"gn":' in ex.html and 'data-lm-static="show-gn"' in ex.html
