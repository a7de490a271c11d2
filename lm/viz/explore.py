"""An ipywidgets explorer of Levenberg–Marquardt on a 2-parameter problem.

``explore(problem)`` shows the contour plot with the LM path and its convergence history,
and lets the reader change the initial damping λ₀ (a log slider), the damping strategy,
the scaling, the starting point (a click on the contour, the x₁/x₂ sliders or the preset
starts), scrub through the trial steps (◀ ▶ or the slider) to move the trust-region ellipse
along the path and the marker on the convergence panel, read the trial steps in a table,
and overlay the Gauss–Newton and gradient-descent paths from the same start.

Clicks need an interactive canvas: with ipympl (``%matplotlib widget`` in JupyterLab) the
figure is ipympl's canvas widget and a click on the contour sets the start and reruns.
Without it the explorer still works, with the sliders instead of clicks, and says so.

How it draws: one matplotlib :class:`~matplotlib.figure.Figure` on an Agg canvas (no
pyplot, so the inline backend never shows it twice). The contour is drawn once and kept
as a pixel background; an update re-runs the solver, moves the existing path artists with
``set_data``, restores the background and draws only the path artists and the convergence
axes on top (matplotlib's blitting recipe). Without ipympl the picture reaches the
notebook as a PNG inside an :class:`ipywidgets.Output`, replaced in place on every update;
with ipympl the canvas widget itself is shown and redrawn. Callbacks run without any
display, which is how the tests drive it.

References
----------
Moré (1978) (trust region, Δ); Nielsen (1999) and Marquardt (1963) (λ updates);
Madsen, Nielsen & Tingleff (2004) §3; matplotlib's "Faster rendering by using blitting"
tutorial; the ipywidgets 8 documentation (``Output``, ``FloatLogSlider``, ``observe``).
"""
from __future__ import annotations

import base64
import html
import io
from contextlib import contextmanager
from typing import Optional, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..baselines import gauss_newton, gradient_descent
from ..damping import Marquardt, Nielsen, TrustRegion
from ..solver import LMResult, levenberg_marquardt
from .i18n import text as _t
from .plots import ConvergenceArtists, PathArtists, plot_contour, problem_window

__all__ = ["explore", "Explorer", "run", "make_strategy", "STRATEGIES", "TOLERANCES"]

STRATEGIES = ("trust-region", "nielsen", "marquardt")

#: The stopping tolerances of every explorer (this module's and the website's, which reads
#: them from :func:`lm.viz.static_explorer`'s data). ``levenberg_marquardt``'s defaults go on
#: until F changes only at its rounding level, where the last decisions (accept a step that
#: gained 1e-16·F? is the Gauss–Newton promise ≤ 10ε·F?) are rounding noise and may come out
#: differently in the page's JavaScript than in numpy. With these a decisive test ends a run
#: first: the Gauss–Newton step below 1e-8·‖Dx‖ (xtol), r orthogonal to the columns of J to a
#: cosine of 1e-6 (gtol), or a nearly undamped step that gains ≤ 1e-10·F (ftol), long before
#: the path could move visibly in the plot.
TOLERANCES = {"ftol": 1e-10, "xtol": 1e-8, "gtol": 1e-6}


def _resolve_start(problem, start) -> np.ndarray:
    """``start``: None (``problem.x0``), an index into ``problem.starts``, or a point."""
    if start is None:
        return np.asarray(problem.x0, float).copy()
    if isinstance(start, (int, np.integer)):
        if not -len(problem.starts) <= start < len(problem.starts):
            raise ValueError(f"start index {start} out of range: the problem has {len(problem.starts)} starts")
        return np.asarray(problem.starts[start], float).copy()
    x0 = np.asarray(start, float)
    if x0.shape != (2,) or not np.all(np.isfinite(x0)):
        raise ValueError(f"start must be None, an index into problem.starts or 2 finite numbers, got {start!r}")
    return x0.copy()


def make_strategy(strategy: str, lam0: float, problem, x0: np.ndarray):
    """The damping strategy object for an initial damping λ₀.

    ``"nielsen"`` and ``"marquardt"`` start from λ₀ itself (``Nielsen(lam0=λ₀)``,
    ``Marquardt(lam0=λ₀)``). ``"trust-region"`` has a radius, not a λ: it gets
    Δ₀ = ‖D₀x₀‖ / λ₀, with D₀ the solver's scaling at x₀ (the column norms of J(x₀)), so
    λ₀ = 1 is the solver's default Δ₀ = ‖D₀x₀‖ and a larger λ₀ means a shorter first step,
    as it does for the λ strategies (Δ₀ = 1/λ₀ when x₀ = 0).

    References
    ----------
    Moré (1978), §6 (Δ₀ = factor·‖D₀x₀‖); Nielsen (1999); Marquardt (1963).
    """
    if not (isinstance(lam0, (int, float, np.floating)) and np.isfinite(lam0) and lam0 > 0):
        raise ValueError(f"lam0 must be a positive finite number, got {lam0!r}")
    key = str(strategy).lower()
    if key == "nielsen":
        return Nielsen(lam0=float(lam0))
    if key == "marquardt":
        return Marquardt(lam0=float(lam0))
    if key == "trust-region":
        # the strategy computes Δ₀ = factor·‖D₀x₀‖ itself, with the solver's own D₀
        return TrustRegion(factor=1.0 / float(lam0))
    raise ValueError(f"unknown damping strategy {strategy!r}; expected one of {STRATEGIES}")


def run(problem, strategy: str = "trust-region", lam0: float = 1e-2, start=None,
        max_nfev: int = 200) -> LMResult:
    """One LM run as the explorers do it (see :func:`make_strategy` for λ₀).

    ``start``: None (``problem.x0``), an index into ``problem.starts``, or a point.

    References
    ----------
    Moré (1978); Nielsen (1999); Marquardt (1963).
    """
    x0 = _resolve_start(problem, start)
    return levenberg_marquardt(problem.fun, x0, problem.jac, max_nfev=max_nfev,
                               damping=make_strategy(strategy, lam0, problem, x0), **TOLERANCES)


def _widget_backend() -> bool:
    """True when matplotlib's backend is ipympl's (``%matplotlib widget`` / ``ipympl``)."""
    import matplotlib

    return "ipympl" in matplotlib.get_backend().lower() or matplotlib.get_backend().lower() == "widget"


def _ipympl_canvas(fig):
    """ipympl's canvas widget for ``fig`` (it delivers clicks), or None without ipympl."""
    try:
        from ipympl.backend_nbagg import new_figure_manager_given_figure
    except ImportError:
        return None
    manager = new_figure_manager_given_figure(id(fig), fig)
    canvas = manager.canvas
    canvas.header_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    return canvas


def _fmt_point(x) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in x) + ")"


class Explorer:
    """The widget and state of :func:`explore`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Controls, the figure (an :class:`ipywidgets.Output` holding a PNG) and a status line.
    controls : dict
        The widgets: ``"lam0"`` (FloatLogSlider), ``"damping"`` (Dropdown), ``"start"``
        (Dropdown of ``problem.starts``), ``"x1"``, ``"x2"`` (FloatSlider), ``"iteration"``
        (IntSlider over the trial steps), ``"show_gn"``, ``"show_gd"`` (Checkbox).
    fig : matplotlib.figure.Figure
        The figure, contour on the left (``ax``), convergence on the right (``ax_conv``).
    result : lm.LMResult
        The current LM run; ``gn_result`` and ``gd_result`` the comparison runs (or None).
    """

    def __init__(self, problem, *, damping: str = "trust-region", lam0: float = 1e-2,
                 start=None, max_nfev: int = 200, show_gn: bool = False, show_gd: bool = False,
                 resolution: int = 150, dpi: int = 80, scale: str = "marquardt",
                 interactive: Optional[bool] = None):
        import ipywidgets as W

        if str(damping).lower() not in STRATEGIES:
            raise ValueError(f"unknown damping strategy {damping!r}; expected one of {STRATEGIES}")
        make_strategy("nielsen", lam0, problem, np.zeros(2))  # checks lam0
        self.problem = problem
        self.max_nfev = int(max_nfev)
        x0 = _resolve_start(problem, start)
        self.xlim, self.ylim = problem_window(problem)

        if str(scale).lower() not in ("marquardt", "levenberg"):
            raise ValueError(f"unknown scale {scale!r}; expected 'marquardt' or 'levenberg'")
        self.fig = Figure(figsize=(10.5, 4.2), dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.fig)
        # ipympl's canvas when asked for, or by default under %matplotlib widget
        want = _widget_backend() if interactive is None else bool(interactive)
        self.canvas_widget = _ipympl_canvas(self.fig) if want else None
        self.interactive = self.canvas_widget is not None
        self.ax, self.ax_conv = self.fig.subplots(1, 2, width_ratios=(1.1, 1))
        plot_contour(problem, self.ax, xlim=self.xlim, ylim=self.ylim, resolution=resolution)
        self.paths = {
            "gd": PathArtists(self.ax, color="#e377c2", label=_t("gradient_descent"), prefix="gd",
                              show_trust_region=False, annotate_lambda=False),
            "gn": PathArtists(self.ax, color="#ff7f0e", label=_t("gauss_newton"), prefix="gn",
                              show_trust_region=False, annotate_lambda=False),
            "lm": PathArtists(self.ax, label=_t("levenberg_marquardt")),
        }
        # the legend above the axes, out of the lines' way: it is then drawn once, into
        # the cached background, not on every update
        self.conv = ConvergenceArtists(self.ax_conv, legend_above=True)
        self.conv.update(levenberg_marquardt(problem.fun, x0, problem.jac, max_nfev=20, **TOLERANCES))
        self.fig.get_layout_engine().execute(self.fig)
        self.fig.set_layout_engine("none")  # the layout is fixed now: no re-layout per frame
        self.legend = None
        self.result: Optional[LMResult] = None
        self.gn_result: Optional[LMResult] = None
        self.gd_result: Optional[LMResult] = None
        self._baseline_cache: dict = {}
        self._bg = None
        self._bg_size = None
        self._bg_paths = None
        self._holding = False
        self._live = False  # becomes True once shown: only then PNGs are rendered

        def span_slider(i, lim, name):
            lo, hi = min(lim[0], x0[i]), max(lim[1], x0[i])
            return W.FloatSlider(value=x0[i], min=lo, max=hi, step=(hi - lo) / 1000,
                                 description=name, readout_format=".4g", continuous_update=False)

        names = tuple(problem.param_names)
        lo_exp = min(-4.0, float(np.floor(np.log10(lam0))))
        hi_exp = max(4.0, float(np.ceil(np.log10(lam0))))
        presets = [(_t("preset", i=i + 1, point=_fmt_point(s)), i) for i, s in enumerate(problem.starts)]
        self.controls = {
            "lam0": W.FloatLogSlider(value=lam0, base=10, min=lo_exp, max=hi_exp, step=0.125,
                                     description="λ₀", readout_format=".2e", continuous_update=False),
            "damping": W.Dropdown(options=list(STRATEGIES), value=str(damping).lower(),
                                  description=_t("damping")),
            "start": W.Dropdown(options=presets + [(_t("custom"), -1)], value=self._preset_of(x0),
                                description=_t("start")),
            "x1": span_slider(0, self.xlim, names[0]),
            "x2": span_slider(1, self.ylim, names[1]),
            "iteration": W.IntSlider(value=0, min=0, max=0, description=_t("trial_step"),
                                     continuous_update=True),
            "show_gn": W.Checkbox(value=bool(show_gn), description=_t("gauss_newton"), indent=False),
            "show_gd": W.Checkbox(value=bool(show_gd), description=_t("gradient_descent"), indent=False),
            "scale": W.Dropdown(options=[(_t("scale_marquardt"), "marquardt"), (_t("scale_levenberg"), "levenberg")],
                                value=str(scale).lower(), description=_t("scaling")),
            "prev": W.Button(description="◀", tooltip=_t("previous_step"), layout=W.Layout(width="3em")),
            "next": W.Button(description="▶", tooltip=_t("next_step"), layout=W.Layout(width="3em")),
        }
        self.output = W.Output()
        self.info = W.HTML()
        self.table = W.HTML()
        self.note = W.HTML("" if self.interactive else _t("clicks_note"))
        c = self.controls
        self.widget = W.VBox([
            W.HBox([c["lam0"], c["damping"], c["scale"]]),
            W.HBox([c["start"], c["x1"], c["x2"]]),
            W.HBox([c["prev"], c["iteration"], c["next"], c["show_gn"], c["show_gd"]]),
            self.canvas_widget if self.interactive else self.output, self.note, self.info, self.table,
        ])
        c["prev"].on_click(lambda _: self._step_by(-1))
        c["next"].on_click(lambda _: self._step_by(+1))
        for key in ("lam0", "damping", "scale", "x1", "x2", "show_gn", "show_gd"):
            c[key].observe(self._on_change, names="value")
        c["start"].observe(self._on_preset, names="value")
        c["iteration"].observe(self._on_iteration, names="value")
        # a click on the contour sets the start (only interactive canvases deliver events)
        self._cid = self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        self.update()

    # -- state ---------------------------------------------------------------------------

    def _preset_of(self, x0) -> int:
        for i, s in enumerate(self.problem.starts):
            if np.array_equal(np.asarray(s, float), x0):
                return i
        return -1

    @property
    def start(self) -> np.ndarray:
        """The current starting point (from the x1, x2 sliders)."""
        return np.array([self.controls["x1"].value, self.controls["x2"].value], float)

    @contextmanager
    def _hold(self):
        """Set several widgets without an update per widget."""
        old, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = old

    def set_start(self, x) -> None:
        """Move the start to ``x`` (2 numbers) and update once."""
        x = np.asarray(x, float)
        with self._hold():
            for key, v in zip(("x1", "x2"), x):
                s = self.controls[key]
                s.min, s.max = min(s.min, v), max(s.max, v)
                s.value = float(v)
            self.controls["start"].value = self._preset_of(self.start)
        self.update()

    # -- callbacks -------------------------------------------------------------------------

    def _on_change(self, change) -> None:
        if not self._holding:
            if change["owner"] in (self.controls["x1"], self.controls["x2"]):
                with self._hold():
                    self.controls["start"].value = self._preset_of(self.start)
            self.update()

    def _on_preset(self, change) -> None:
        if self._holding or change["new"] < 0:
            return
        self.set_start(self.problem.starts[change["new"]])

    def _on_iteration(self, change) -> None:
        if not self._holding:
            self.set_iteration(change["new"])

    def _step_by(self, d: int) -> None:
        it = self.controls["iteration"]
        it.value = min(max(it.value + d, it.min), it.max)

    def _on_click(self, event) -> None:
        if event.inaxes is self.ax and event.xdata is not None and event.ydata is not None:
            self.set_start((event.xdata, event.ydata))

    # -- computing and drawing -------------------------------------------------------------

    def _baseline(self, kind: str, x0: np.ndarray) -> LMResult:
        key = (kind, tuple(x0))
        if key not in self._baseline_cache:  # they depend on the start only
            p = self.problem
            if kind == "gn":
                self._baseline_cache[key] = gauss_newton(p.fun, x0, p.jac, max_iter=50)
            else:
                self._baseline_cache[key] = gradient_descent(p.fun, x0, p.jac, max_iter=200)
        return self._baseline_cache[key]

    def update(self) -> LMResult:
        """Re-run the solver from the controls' values and redraw the paths in place."""
        c = self.controls
        x0 = self.start
        strategy = make_strategy(c["damping"].value, c["lam0"].value, self.problem, x0)
        self.result = levenberg_marquardt(self.problem.fun, x0, self.problem.jac,
                                          max_nfev=self.max_nfev, damping=strategy,
                                          scale=c["scale"].value, **TOLERANCES)
        N = len(self.result.history)
        with self._hold():
            it = c["iteration"]
            if N - 1 < it.min:
                it.min = max(N - 1, 0)
            it.max = max(N - 1, 0)
            it.value = min(it.value, it.max)
        self.paths["lm"].update(self.result)
        self.conv.update(self.result)
        for kind, key in (("gn", "show_gn"), ("gd", "show_gd")):
            res = self._baseline(kind, x0) if c[key].value else None
            setattr(self, f"{kind}_result", res)
            if res is not None:
                self.paths[kind].update(res)
            self.paths[kind].set_visible(res is not None)
        self._update_legend()
        self._update_info()
        self._update_table()
        self.paths["lm"].set_iteration(c["iteration"].value if N else None)
        self.conv.set_iteration(c["iteration"].value if N else None)
        self.redraw()
        return self.result

    def set_iteration(self, j: Optional[int]) -> None:
        """Move the trust-region ellipse and the λ label to trial step ``j`` and redraw."""
        self.paths["lm"].set_iteration(j)
        self.conv.set_iteration(j)
        self._draw_iteration()

    def _update_legend(self) -> None:
        shown = [self.paths["lm"].accepted]
        shown += [self.paths[k].accepted for k in ("gn", "gd") if getattr(self, f"{k}_result") is not None]
        if self.legend is None or self.legend.legend_handles != shown:
            if self.legend is not None:
                self.legend.remove()
            self.legend = self.ax.legend(shown, [h.get_label() for h in shown], loc="lower right",
                                         fontsize=8, framealpha=0.8)

    def _update_info(self) -> None:
        r, c = self.result, self.controls
        extra = ""
        Delta0 = self.paths["lm"].data.Delta[:1]
        if c["damping"].value == "trust-region" and Delta0.size:
            extra = f" (Δ₀ = {Delta0[0]:.3g})"
        self.info.value = html.escape(_t(
            "info", damping=c['damping'].value, lam0=f"{c['lam0'].value:.3g}", extra=extra,
            x0=_fmt_point(self.start), cost=f"{r.cost:.6g}", x=_fmt_point(r.x), nit=r.nit,
            steps=len(r.history), nfev=r.nfev, message=r.message))

    def _update_table(self) -> None:
        """The trial steps as an HTML table (k, x, λ, Δ, ρ, accepted, F), selectable to copy."""
        tr = self.controls["damping"].value == "trust-region"
        n = tuple(self.problem.param_names)
        head = [_t("col_trial"), "k", n[0], n[1], "λ"] + (["Δ"] if tr else []) + ["ρ", _t("col_accepted"), "F(x)", "F(x + p)"]
        rows = []
        for i, s in enumerate(self.result.history):
            cells = [i + 1, s.k, s.x[0], s.x[1], s.lam] + ([s.Delta] if tr else []) + [
                s.rho, _t("yes" if s.accepted else "no"), s.cost, s.cost_trial]
            rows.append("".join(f"<td>{v:.7g}</td>" if isinstance(v, float) else f"<td>{v}</td>" for v in cells))
        self.table.value = (
            '<div style="max-height:16em;overflow:auto"><table class="lm-explorer-table"><thead><tr>'
            + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(f"<tr>{r}</tr>" for r in rows) + "</tbody></table></div>")

    def _iteration_artists(self) -> list:
        """What the trial-step slider moves: the ellipse, the ring, the λ label, the tick
        on the convergence plot."""
        lm = self.paths["lm"]
        return [lm.region, lm.current, lm.text, self.conv.marker]

    def _path_artists(self) -> list:
        moving = self._iteration_artists()
        arts = [a for p in self.paths.values() for a in p.artists() if a not in moving]
        if self.legend is not None:
            arts.append(self.legend)
        return arts

    def _capture_background(self) -> None:
        """Draw everything that never changes (the contour, axes, labels) once and keep
        the pixels: redrawing 30 filled contour levels is most of a full draw."""
        dynamic = self._path_artists() + self._iteration_artists() + [self.ax_conv, self.conv.twin]
        for a in dynamic:
            a.set_animated(True)
        try:
            self.fig.canvas.draw()
        finally:
            for a in dynamic:
                a.set_animated(False)
        renderer = self.fig.canvas.get_renderer()
        self.conv.legend.draw(renderer)
        self._bg = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._bg_size = self.fig.canvas.get_width_height()

    def redraw(self) -> None:
        """Blit after a new run: restore the contour background, draw the paths and the
        convergence axes, keep those pixels too, then draw the trial-step artists.
        (ipympl's canvas redraws itself in full.)"""
        if self.interactive:
            self.fig.canvas.draw_idle()
            return
        canvas = self.fig.canvas
        if self._bg is None or self._bg_size != canvas.get_width_height():
            self._capture_background()
        renderer = canvas.get_renderer()
        canvas.restore_region(self._bg)
        for a in self._path_artists():
            if a.get_visible():
                a.draw(renderer)
        static = (self.conv.marker, self.conv.legend)  # Axes.draw skips animated children
        for a in static:
            a.set_animated(True)
        try:
            self.ax_conv.draw(renderer)
            self.conv.twin.draw(renderer)
        finally:
            for a in static:
                a.set_animated(False)
        self._bg_paths = canvas.copy_from_bbox(self.fig.bbox)
        self._draw_iteration()

    def _draw_iteration(self) -> None:
        """Blit after a trial-step change: only four small artists are drawn."""
        if self.interactive:
            self.fig.canvas.draw_idle()
            return
        canvas = self.fig.canvas
        if self._bg_paths is None or self._bg_size != canvas.get_width_height():
            return self.redraw()
        renderer = canvas.get_renderer()
        canvas.restore_region(self._bg_paths)
        for a in self._iteration_artists():
            if a.get_visible():
                a.draw(renderer)
        if self._live:
            self._show_png()

    def png(self) -> bytes:
        """The current picture as PNG bytes (from the canvas buffer: no second draw)."""
        from PIL import Image

        if self._bg is None:
            self.redraw()
        buf = io.BytesIO()
        # fast zlib level: this runs on every slider move
        Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def _show_png(self) -> None:
        data = base64.b64encode(self.png()).decode("ascii")
        # replace the Output's content in one assignment: no flicker, and no kernel needed
        self.output.outputs = ({"output_type": "display_data",
                                "data": {"image/png": data, "text/plain": "<LM explorer figure>"},
                                "metadata": {}},)

    # -- display -------------------------------------------------------------------------

    def _go_live(self) -> None:
        if not self._live:
            self._live = True
            self.redraw()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self._go_live()
        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        self._go_live()
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Explorer({getattr(self.problem, 'name', '')!r}, {self.controls['damping'].value}, λ₀ = {self.controls['lam0'].value:.3g})"


def explore(problem, *, damping: str = "trust-region", lam0: float = 1e-2, start=None,
            max_nfev: int = 200, show_gn: bool = False, show_gd: bool = False,
            scale: str = "marquardt", interactive: Optional[bool] = None) -> Explorer:
    """An interactive explorer of LM on a 2-parameter problem (ipywidgets).

    Parameters
    ----------
    problem : :class:`lm.problems.Problem` with 2 parameters (the window is
        ``problem.xlim``/``ylim``, or a box around the minimum and the starts).
    damping : the initial strategy: ``"trust-region"``, ``"nielsen"`` or ``"marquardt"``.
    lam0 : the initial damping λ₀ (a log slider from 1e-4 to 1e4). Nielsen and Marquardt
        start from λ₀ itself; the trust region starts from the radius Δ₀ = ‖D₀x₀‖/λ₀
        (see :func:`make_strategy`).
    start : None (``problem.x0``), an index into ``problem.starts``, or a point (x₁, x₂).
    max_nfev : the solver's evaluation budget per run (the stopping tolerances are
        :data:`TOLERANCES`, the same as the website's explorer).
    show_gn, show_gd : overlay the Gauss–Newton (:func:`lm.baselines.gauss_newton`) and
        gradient-descent (:func:`lm.baselines.gradient_descent`) paths from the same start.
    scale : the solver's scaling, ``"marquardt"`` or ``"levenberg"`` (a dropdown).
    interactive : show ipympl's canvas, on which a click sets the start; default: when
        matplotlib's backend is ipympl's (``%matplotlib widget``). Without ipympl installed
        the explorer falls back to the PNG picture and says that clicks need it.

    Returns
    -------
    Explorer
        ``.widget`` (the VBox to display), ``.controls`` (dict of the widgets), ``.fig``,
        ``.result`` (the current run) and ``.update()``. A notebook cell ending with
        ``explore(...)`` displays it. The "trial step" slider moves the trust region
        {z : ‖D(z − x_j)‖ ≤ ‖D p_j‖} and the λ label along the path. The start is set
        with a click on the contour (ipympl), the sliders or the preset dropdown.

    References
    ----------
    Moré (1978); Nielsen (1999); Marquardt (1963); Madsen, Nielsen & Tingleff (2004) §3.
    """
    return Explorer(problem, damping=damping, lam0=lam0, start=start, max_nfev=max_nfev,
                    show_gn=show_gn, show_gd=show_gd, scale=scale, interactive=interactive)
