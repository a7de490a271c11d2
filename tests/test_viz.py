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
# static_explorer (the page's solver is tested against lm in tests/browser/test_twin.py)


@pytest.fixture(scope="module")
def static_fr():
    return static_explorer(freudenstein_roth())


def embedded_data(html):
    m = re.search(r'<script type="application/json" class="lm-explorer-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


@pytest.mark.parametrize("make", [lm.problems.rosenbrock, lm.problems.beale, lm.problems.powell_badly_scaled,
                                  lm.problems.jennrich_sampson, freudenstein_roth,
                                  lambda: nist("Misra1a"), lambda: nist("DanWood"), lm.problems.exponential_decay])
def test_symbolic_form_matches_the_hand_written_problem(make):
    """The formulas the page solves (one SymPy source, lambdified here) are the problem's own
    residuals and Jacobian at random points of the plot window: nothing copied by hand."""
    from lm.viz.plots import problem_window
    from lm.viz.twin import symbolic_problem

    P = make()
    fun, jac = symbolic_problem(P).numeric()
    (a, b), (c, d) = problem_window(P)
    rng = np.random.default_rng(1)
    for _ in range(50):
        x = np.array([rng.uniform(a, b), rng.uniform(c, d)])
        np.testing.assert_allclose(fun(x), P.fun(x), rtol=1e-12, atol=1e-12 * (1 + np.abs(P.fun(x)).max()))
        np.testing.assert_allclose(jac(x), P.jac(x), rtol=1e-12, atol=1e-12 * (1 + np.abs(P.jac(x)).max()))


def test_symbolic_form_strings_keep_every_digit_and_reject_unknown_problems():
    import sympy as sp

    from lm.viz.twin import js_expression, symbolic_problem

    assert js_expression(sp.Float(0.1) * sp.Symbol("x1")) == "0.1*x1"
    assert js_expression(sp.Float(1 / 3)) == repr(1 / 3)
    assert js_expression(sp.exp(1) * sp.Symbol("x2") ** 2) == "e*x2**2"
    spec = symbolic_problem(lm.problems.powell_badly_scaled()).js_spec()
    assert "-1.0001" in spec["residuals"][1] and "exp(-x1)" in spec["residuals"][1]
    unknown = Problem("mine", lambda x: x, lambda x: np.eye(2), x0=[1.0, 2.0])
    with pytest.raises(ValueError, match="no symbolic form"):
        symbolic_problem(unknown)


def test_static_explorer_html_data_and_no_urls(static_fr):
    html = static_fr.html
    assert html.startswith('<div class="lm-explorer lm-static-explorer ')
    first, again = static_fr._repr_html_(), static_fr._repr_html_()  # two displays: own ids
    assert first != again
    assert set(re.findall(r'id="([^"]+)"', first)).isdisjoint(re.findall(r'id="([^"]+)"', again))
    data = embedded_data(html)
    assert data == json.loads(json.dumps(static_fr.data))
    assert data["problem"]["residuals"] and len(data["problem"]["jacobian"][0]) == 2
    assert data["starts"] == [list(s) for s in freudenstein_roth().starts]
    assert data["messages"]["1"] == lm.solver.STATUS_MESSAGES[1]
    assert "frames" not in data                                   # nothing precomputed
    bare = html.replace('"http://www.w3.org/2000/svg"', "")  # the SVG namespace is a name, not a request
    assert "http://" not in bare and "https://" not in bare and "//cdn" not in bare
    assert 'src="data:image/png;base64,' in html and "lmTwin" in html   # inline scripts
    assert "</script" not in lm.viz.twin.js_source("twin.js") + lm.viz.twin.js_source("explorer.js")
    assert len(html.encode()) < 400_000


def test_static_explorer_site_mode_leaves_the_scripts_to_the_site():
    ex = static_explorer(rosenbrock(), script="site")
    assert "lmTwin" not in ex.html and 'class="lm-explorer ' in ex.html
    with pytest.raises(ValueError, match="script"):
        static_explorer(rosenbrock(), script="cdn")
    with pytest.raises(ValueError, match="lam0"):
        static_explorer(rosenbrock(), lam0=0.0)
    with pytest.raises(ValueError, match="no symbolic form"):
        static_explorer(Problem("mine", lambda x: x, lambda x: np.eye(2), x0=[1.0, 2.0]))


def test_static_explorer_pixel_box_matches_the_axes():
    se = static_explorer(nist(MISRA1A))
    left, top, w, h = se.image_box
    W, H = se.image_size
    assert 0 < left < W / 2 and 0 < top < H / 2 and left + w < W and top + h < H
    assert se.xlim[0] < se.starts[0][0] < se.xlim[1]


def test_static_explorer_save(tmp_path, static_fr):
    out = static_fr.save(tmp_path / "x.html")
    text = out.read_text(encoding="utf-8")
    assert static_fr.html in text and "<!DOCTYPE html>" in text
    site = static_explorer(rosenbrock(), script="site").save(tmp_path / "y.html").read_text(encoding="utf-8")
    assert "lmTwin" in site   # a saved page works on its own


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


# third-party: ipympl's toolbar passes traitlets an argument it deprecates (not lm's code)
@pytest.mark.filterwarnings(r"ignore:Passing unrecognized arguments to super\(Toolbar\):DeprecationWarning")
def test_explore_with_ipympl_takes_a_real_click_and_shows_the_table():
    """With ipympl the figure is its canvas widget; a mouse press on the contour (dispatched
    through matplotlib's event machinery) moves the start there and reruns."""
    pytest.importorskip("ipympl")
    from matplotlib.backend_bases import MouseEvent

    ex = explore(rosenbrock(), interactive=True)
    assert ex.interactive and type(ex.fig.canvas).__module__.startswith("ipympl")
    assert ex.canvas_widget in ex.widget.children and ex.note.value == ""
    before = ex.result
    x, y = ex.ax.transData.transform((0.5, 2.0))
    MouseEvent("button_press_event", ex.fig.canvas, x, y, button=1)._process()
    np.testing.assert_allclose(ex.start, [0.5, 2.0], atol=1e-6)
    assert ex.result is not before and len(ex.result.history) != len(before.history)
    assert ex.table.value.count("<tr>") == len(ex.result.history) + 1
    ex.controls["scale"].value = "levenberg"
    assert ex.result.history[0].D.tolist() == [1.0, 1.0]
    it = ex.controls["iteration"]
    assert it.max >= 1
    it.value = 0
    ex.controls["next"].click()
    assert it.value == 1
    ex.controls["prev"].click()
    assert it.value == 0


def test_explore_without_ipympl_canvas_says_clicks_need_it():
    ex = explore(rosenbrock(), interactive=False)
    assert not ex.interactive and "%matplotlib widget" in ex.note.value
    assert ex.output in ex.widget.children
