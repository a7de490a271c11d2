"""Static matplotlib pictures of a least-squares problem and of a solver run.

``plot_contour`` draws F(x) = ½‖r(x)‖² of a 2-parameter problem, ``plot_path`` the iterates
of an :class:`lm.LMResult` over it (accepted steps, rejected trial steps, and the trust
region {z : ‖D(z − x_k)‖ ≤ ‖D p_k‖} of one trial step), ``plot_convergence`` the cost,
‖g‖∞ and λ of every trial step. The functions only *read* results: the explorers in
:mod:`lm.viz.explore` and :mod:`lm.viz.static` reuse the same artists and data.

Artists carry ``gid`` s ("lm-accepted", "lm-rejected", "lm-rejected-steps",
"lm-trust-region", "lm-current", "lm-lambda", "lm-minimum") so that tests and the explorers
can find them again.

References
----------
Madsen, Nielsen & Tingleff (2004), *Methods for non-linear least squares problems*, §3
(figures of LM paths); Moré (1978), §2 (the scaled trust region ‖Dp‖ ≤ Δ);
Nocedal & Wright (2006), §4.1 and §10.3; Hunter (2007), *Matplotlib: a 2D graphics environment*.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Ellipse
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from .i18n import text as _t

# The smallest font (in points) of the book's figures. A figure about 6 inches wide at 96 dpi
# is shrunk to about 60 % on a 390 px phone screen, and 12 pt at 96 dpi is 16 px, so the
# text stays at 9 px or more there (tests/browser/test_site.py measures the shrink factor).
MIN_FONT_PT = 12

__all__ = ["plot_contour", "plot_path", "plot_convergence", "path_data", "problem_window",
           "cost_grid"]

# Colours: the LM path in red over a viridis landscape, comparisons in orange and magenta.
LM_COLOR = "#d62728"
CONTOUR_CMAP = "viridis"


# ---------------------------------------------------------------------------------------
# the landscape


def problem_window(problem, pad: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
    """The plotting window of a 2-parameter problem: ``problem.xlim``/``ylim`` when set,
    otherwise a box around ``x_star`` and every start, padded by ``pad`` of its size.

    A coordinate whose points all coincide gets a box of ±50 % of its value (±1 at 0), so
    that badly scaled parameters (Misra1a: b₁ ~ 10², b₂ ~ 10⁻⁴) each get their own scale.
    """
    _check_two(problem)
    pts = [np.asarray(s, float) for s in problem.starts] + [np.asarray(problem.x0, float)]
    if problem.x_star is not None:
        pts.append(np.asarray(problem.x_star, float))
    P = np.array(pts)
    lims = []
    for i, given in enumerate((problem.xlim, problem.ylim)):
        if given is not None:
            lims.append((float(given[0]), float(given[1])))
            continue
        lo, hi = float(P[:, i].min()), float(P[:, i].max())
        span = hi - lo
        if span <= 0:
            span = abs(lo) if lo != 0 else 1.0
        lims.append((lo - pad * span, hi + pad * span))
    return lims[0], lims[1]


def _check_two(problem) -> None:
    n = np.asarray(problem.x0).size
    if n != 2:
        raise ValueError(
            f"contour plots need a 2-parameter problem; {getattr(problem, 'name', 'this problem')!r} "
            f"has n = {n} parameters (plot a 2-D slice of it with your own fun instead)"
        )


def cost_grid(problem, xlim, ylim, resolution: int = 200):
    """F = ½‖r‖² on a ``resolution`` × ``resolution`` grid; NaN where r is not finite.

    Tries one vectorized call of ``fun`` on all grid points (checked against point-wise
    calls) and falls back to a loop: residual functions are written for one x, and a
    broadcast that happens to succeed can silently mix up the axes.

    References
    ----------
    Harris et al. (2020), "Array programming with NumPy" (broadcasting rules).
    """
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    X, Y = np.meshgrid(xs, ys)
    pts = np.column_stack([X.ravel(), Y.ravel()])
    with np.errstate(all="ignore"):
        F = _cost_vectorized(problem.fun, pts)
        if F is None:
            F = np.empty(len(pts))
            for i, z in enumerate(pts):
                try:
                    r = np.asarray(problem.fun(z), dtype=float)
                    F[i] = 0.5 * float(r @ r)
                except (ArithmeticError, ValueError):
                    F[i] = np.nan
    F[~np.isfinite(F)] = np.nan
    return X, Y, F.reshape(X.shape)


def _cost_vectorized(fun, pts: np.ndarray) -> Optional[np.ndarray]:
    K = len(pts)
    try:
        out = np.asarray(fun(pts.T[:, :, None]), dtype=float)  # x[i] has shape (K, 1)
    except Exception:  # any failure: the function is not written for arrays
        return None
    if out.shape[:2] == (K, 1) or out.ndim == 2 and out.shape[0] == K:
        R = out.reshape(K, -1)
    elif out.ndim == 3 and out.shape[1:] == (K, 1):
        R = out[:, :, 0].T
    else:
        return None
    F = 0.5 * np.einsum("ij,ij->i", R, R)
    for i in np.linspace(0, K - 1, 5).astype(int):  # spot checks against point-wise calls
        r = np.asarray(fun(pts[i]), dtype=float)
        scale = np.abs(r).max(initial=0.0) if np.all(np.isfinite(r)) else 1.0
        if r.size != R.shape[1] or not np.allclose(R[i], r.ravel(), rtol=1e-10, atol=1e-12 * scale,
                                                   equal_nan=True):
            return None
    return F


def _contour_values(F: np.ndarray, levels: int, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """The field to contour and its levels: log₁₀(F − F_min + δ) with evenly spaced levels
    (``log``), or F itself clipped a little above the top level.

    Contouring the logarithm rather than F with log-spaced levels keeps every number small:
    F reaches 1e300 where an exponential overflows, and the contour generator fails there.
    """
    finite = F[np.isfinite(F)]
    if finite.size == 0:
        raise ValueError("the residual function is not finite anywhere in the window")
    lo = float(finite.min())
    # the top level at the 98th percentile: a few huge values (overflowing exponentials)
    # must not squeeze the whole valley into the lowest colour
    hi = float(np.percentile(finite, 98))
    if not hi > lo:
        hi = lo + max(1.0, abs(lo))
    if log:
        # logarithmic in the excess F − F_min over the grid, so that the valley of a
        # large-residual minimum (Jennrich–Sampson, F* ≈ 62) is resolved as well as F* = 0
        delta = (hi - lo) * 1e-6
        Z = np.log10(F - lo + delta)
        return Z, np.linspace(np.log10(delta), np.log10(hi - lo + delta), levels)
    Z = np.minimum(F, hi + (hi - lo))
    return Z, np.linspace(lo, hi, levels)


def plot_contour(problem, ax: Optional[Axes] = None, *, xlim: Optional[Sequence[float]] = None,
                 ylim: Optional[Sequence[float]] = None, levels: int = 30, resolution: int = 200,
                 mark_minimum: bool = True, log: bool = True) -> Axes:
    """Filled contours of F(x) = ½‖r(x)‖² of a 2-parameter problem.

    Parameters
    ----------
    problem : :class:`lm.problems.Problem` with n = 2 parameters.
    ax : the axes to draw on (a new figure if None).
    xlim, ylim : the window; default ``problem.xlim``/``ylim``, or a box around the known
        minimum and the starts when the problem has none (see :func:`problem_window`).
    levels : number of contour levels.
    resolution : grid points per axis (``fun`` is evaluated resolution² times).
    mark_minimum : draw ``problem.x_star`` (when known) as a white star (gid "lm-minimum").
    log : space the levels logarithmically in F − min F (else linearly). Points where r is
        not finite (overflow) are left blank; values above the 98th percentile share the
        top colour.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, labelled with ``problem.param_names``, limits set to the window.

    Raises
    ------
    ValueError
        If the problem does not have exactly 2 parameters.

    References
    ----------
    Moré, Garbow & Hillstrom (1981) for the classic 2-parameter problems;
    Madsen, Nielsen & Tingleff (2004), figures 3.2–3.3.
    """
    _check_two(problem)
    if xlim is None or ylim is None:
        wx, wy = problem_window(problem)
        xlim = wx if xlim is None else xlim
        ylim = wy if ylim is None else ylim
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4.5))
    X, Y, F = cost_grid(problem, xlim, ylim, resolution)
    Z, lv = _contour_values(F, levels, log)
    cs = ax.contourf(X, Y, Z, levels=lv, cmap=CONTOUR_CMAP, extend="max")
    cs.set_gid("lm-contour")
    lines = ax.contour(X, Y, Z, levels=lv[::3], colors="white", linewidths=0.4, alpha=0.5)
    lines.set_gid("lm-contour-lines")
    if mark_minimum and problem.x_star is not None:
        ax.plot([problem.x_star[0]], [problem.x_star[1]], marker="*", markersize=14, color="white",
                markeredgecolor="black", linestyle="none", gid="lm-minimum", label=_t("minimum"), zorder=5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    names = tuple(problem.param_names) or ("x1", "x2")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(getattr(problem, "name", ""))
    return ax


# ---------------------------------------------------------------------------------------
# the path of a run


@dataclass
class PathData:
    """The geometry of a run, read from ``result.history`` (one row per trial step)."""

    accepted: np.ndarray  #: (nit + 1, 2): x0 and every accepted point
    start: np.ndarray  #: (N, 2): the iterate each trial step starts from
    trial: np.ndarray  #: (N, 2): x + p of each trial step
    is_accepted: np.ndarray  #: (N,) bool
    lam: np.ndarray  #: (N,) λ of each trial step
    Delta: np.ndarray  #: (N,) the radius Δ each trial step was taken in (NaN without one)
    cost: np.ndarray  #: (N,) F at the start of each trial step
    cost_trial: np.ndarray  #: (N,) F(x + p)
    grad_norm: np.ndarray  #: (N,) ‖g‖∞ at the start of each trial step
    semi_axes: np.ndarray  #: (N, 2): ‖D p‖ / D_i, the half-axes of the trust-region ellipse


def path_data(result) -> PathData:
    """Arrays of a run's geometry (see :class:`PathData`); works for LM and the baselines.


    References
    ----------
    Moré (1978), §2: the semi-axes ‖Dp‖/D_i of the scaled trust region ‖D(z − x)‖ ≤ ‖Dp‖.
    """
    H = result.history
    if H:
        x0 = np.asarray(H[0].x, float)
    else:
        x0 = np.asarray(result.x0 if result.x0 is not None else result.x, float)
    start = np.array([s.x for s in H], float).reshape(-1, x0.size)
    trial = np.array([s.x_trial for s in H], float).reshape(-1, x0.size)
    acc = np.array([s.accepted for s in H], bool)
    semi = np.empty((len(H), x0.size))
    for j, s in enumerate(H):
        D = np.ones(x0.size) if s.D is None else np.asarray(s.D, float)
        semi[j] = np.linalg.norm(D * s.p) / D
    return PathData(
        accepted=np.vstack([x0[None, :], trial[acc]]),
        start=start, trial=trial, is_accepted=acc,
        lam=np.array([s.lam for s in H], float),
        Delta=np.array([np.nan if s.Delta is None else s.Delta for s in H], float),
        cost=np.array([s.cost for s in H], float),
        cost_trial=np.array([s.cost_trial for s in H], float),
        grad_norm=np.array([s.grad_norm for s in H], float),
        semi_axes=semi,
    )


def _segments(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the segments a_i → b_i as one NaN-separated polyline (one artist)."""
    if len(a) == 0:
        return np.array([]), np.array([])
    seg = np.full((len(a), 3, 2), np.nan)
    seg[:, 0], seg[:, 1] = a, b
    seg = seg.reshape(-1, 2)
    return seg[:, 0], seg[:, 1]


class PathArtists:
    """The artists of one path, created once and updated in place (``set_data``).

    The explorer keeps one of these per path and calls :meth:`update` after every solver
    run: replotting would create new artists and redraw the legend.
    """

    def __init__(self, ax: Axes, *, color: Optional[str] = None, label: Optional[str] = None,
                 show_rejected: bool = True, show_trust_region: bool = True,
                 annotate_lambda: bool = True, prefix: str = "lm"):
        c = color or LM_COLOR
        self.ax = ax
        self.show_rejected, self.show_trust_region = show_rejected, show_trust_region
        self.annotate_lambda = annotate_lambda
        (self.accepted,) = ax.plot([], [], "-o", color=c, markersize=4, linewidth=1.6,
                                   markeredgecolor="white", markeredgewidth=0.6, label=label,
                                   gid=f"{prefix}-accepted", zorder=4)
        (self.start,) = ax.plot([], [], "s", color=c, markersize=7, markeredgecolor="white",
                                gid=f"{prefix}-start", zorder=6)
        (self.rejected_steps,) = ax.plot([], [], "--", color=c, linewidth=0.8, alpha=0.8,
                                         gid=f"{prefix}-rejected-steps", zorder=3)
        (self.rejected,) = ax.plot([], [], "x", color=c, markersize=6, markeredgewidth=1.2,
                                   linestyle="none", gid=f"{prefix}-rejected", zorder=4)
        # white with a dark halo: visible over both ends of the colour map
        self.region = Ellipse((0, 0), 0, 0, fill=False, edgecolor="white", linewidth=1.4,
                              linestyle="-", gid=f"{prefix}-trust-region", zorder=5, visible=False,
                              path_effects=[patheffects.withStroke(linewidth=2.8, foreground="black")])
        ax.add_patch(self.region)
        (self.current,) = ax.plot([], [], "o", markersize=9, markerfacecolor="none",
                                  markeredgecolor="white", markeredgewidth=1.8,
                                  gid=f"{prefix}-current", zorder=6)
        self.text = ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top", ha="left",
                            fontsize=MIN_FONT_PT, gid=f"{prefix}-lambda", zorder=7,
                            bbox=dict(boxstyle="round", facecolor="white", alpha=0.8, linewidth=0))
        self.text.set_visible(False)
        self.data: Optional[PathData] = None

    def artists(self) -> list:
        return [self.accepted, self.start, self.rejected_steps, self.rejected, self.region,
                self.current, self.text]

    def set_visible(self, visible: bool) -> None:
        for a in self.artists():
            a.set_visible(visible)
        if visible and self.data is not None:
            self._show_rejected()

    def update(self, result, iteration: Optional[int] = None) -> PathData:
        """Show ``result``'s path (and the trust region of trial step ``iteration``)."""
        d = self.data = path_data(result)
        self.accepted.set_data(d.accepted[:, 0], d.accepted[:, 1])
        self.start.set_data(d.accepted[:1, 0], d.accepted[:1, 1])
        self._show_rejected()
        self.set_iteration(iteration)
        return d

    def _show_rejected(self) -> None:
        d = self.data
        rej = ~d.is_accepted
        sx, sy = _segments(d.start[rej], d.trial[rej])
        self.rejected_steps.set_data(sx, sy)
        self.rejected.set_data(d.trial[rej, 0], d.trial[rej, 1])
        self.rejected_steps.set_visible(self.show_rejected)
        self.rejected.set_visible(self.show_rejected)

    def set_iteration(self, iteration: Optional[int]) -> None:
        """Move the trust-region ellipse, the current-point ring and the λ label to trial
        step ``iteration`` (an index into ``result.history``; None hides them)."""
        d = self.data
        N = len(d.lam) if d is not None else 0
        if iteration is None or N == 0:
            for a in (self.region, self.current, self.text):
                a.set_visible(False)
            return
        j = int(iteration)
        if not -N <= j < N:
            raise IndexError(f"iteration {iteration} is out of range: the run has {N} trial steps")
        j %= N
        xk = d.start[j]
        self.current.set_data([xk[0]], [xk[1]])
        self.current.set_visible(True)
        a, b = d.semi_axes[j]
        ok = self.show_trust_region and np.all(np.isfinite([a, b]))
        self.region.set_center((xk[0], xk[1]))
        self.region.set_width(2 * a if ok else 0.0)
        self.region.set_height(2 * b if ok else 0.0)
        self.region.set_visible(bool(ok))
        if self.annotate_lambda:
            s = _t("step_note", j=j + 1, N=N, k=int(d.is_accepted[:j].sum())) + f"\nλ = {d.lam[j]:.3g}"
            if np.isfinite(d.Delta[j]):
                s += f", Δ = {d.Delta[j]:.3g}"
            s += "\n" + _t("accepted" if d.is_accepted[j] else "rejected")
            self.text.set_text(s)
            self.text.set_visible(True)


def plot_path(result, ax: Optional[Axes] = None, *, iteration: Optional[int] = None,
              show_rejected: bool = True, show_trust_region: bool = True,
              annotate_lambda: bool = True, label: Optional[str] = None,
              color: Optional[str] = None) -> Axes:
    """Draw the iterates of a run: accepted steps, rejected trials, and one trust region.

    Parameters
    ----------
    result : :class:`lm.LMResult` of :func:`lm.levenberg_marquardt` or of a baseline
        (:func:`lm.baselines.gauss_newton`, :func:`lm.baselines.gradient_descent`).
    ax : axes to draw on, e.g. from :func:`plot_contour` (its limits are kept); a new
        figure (limits fitted to the path) if None.
    iteration : index j into ``result.history`` (a *trial step*, negative counts from the
        end). At that step, draw the trust region {z : ‖D(z − x_j)‖ ≤ ‖D p_j‖} around its
        starting point x_j (an axis-parallel ellipse; a circle when D = I) and annotate
        λ_j (and Δ when the strategy has one). None draws no trust region.
    show_rejected : draw each rejected trial step as a thin dashed segment x → x + p
        (gid "lm-rejected-steps") ending in an 'x' (gid "lm-rejected", one marker per
        rejected step).
    show_trust_region : draw the ellipse (gid "lm-trust-region") at ``iteration``.
    annotate_lambda : write λ, Δ and the step number at ``iteration`` (gid "lm-lambda").
    label : legend label of the accepted path.
    color : colour of the path (default red).

    Returns
    -------
    matplotlib.axes.Axes
        The accepted iterates are one line with markers (gid "lm-accepted"), exactly
        ``result.nit + 1`` points: x0 and each accepted x.

    References
    ----------
    Moré (1978), §2, eq. (2.3): the step solves min ‖r + Jp‖ subject to ‖Dp‖ ≤ Δ, whose
    boundary is the ellipse drawn; Madsen, Nielsen & Tingleff (2004), §3.2.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 4.5))
    keep = ax.get_xlim(), ax.get_ylim()
    had_data = ax.has_data()
    pa = PathArtists(ax, color=color, label=label, show_rejected=show_rejected,
                     show_trust_region=show_trust_region, annotate_lambda=annotate_lambda)
    pa.update(result, iteration)
    if had_data:
        # a diverging trial point must not zoom the contour plot out to 1e30
        ax.set_xlim(*keep[0])
        ax.set_ylim(*keep[1])
    else:
        pts = pa.data.accepted
        ax.update_datalim(pts)
        ax.autoscale_view()
    return ax


# ---------------------------------------------------------------------------------------
# convergence history


def _positive(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, float)
    return np.where(v > 0, v, np.nan)  # a log axis cannot show 0 (λ = 0: a Gauss–Newton step)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_label(v, pos=None) -> str:
    """10⁻³ in plain Unicode: as readable as mathtext and much cheaper to draw."""
    if not v > 0:
        return ""
    e = np.log10(v)
    if abs(e - round(e)) > 1e-9:
        return f"{v:.3g}"
    return "10" + str(int(round(e))).translate(_SUPERSCRIPT)


def _light_log_axis(ax: Axes) -> None:
    """Decades only, no minor ticks: a log axis redrawn on every slider move."""
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=7))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_power_label))


class ConvergenceArtists:
    """The lines of :func:`plot_convergence`, updated in place by the explorer."""

    def __init__(self, ax: Axes, legend_above: bool = False):
        self.ax = ax
        (self.cost,) = ax.plot([], [], "-", color="C0", label=_t("cost"), gid="lm-conv-cost")
        (self.grad,) = ax.plot([], [], "-", color="C2", label="‖g‖∞", gid="lm-conv-grad")
        (self.rejected,) = ax.plot([], [], "x", color=LM_COLOR, linestyle="none",
                                   label=_t("rejected_step"), gid="lm-conv-rejected")
        ax.set_yscale("log")
        _light_log_axis(ax)
        ax.set_xlabel(_t("trial_step_j"))
        ax.set_ylabel(_t("conv_ylabel"))
        self.twin = ax.twinx()
        self.twin.set_gid("lm-lambda-axis")
        (self.lam,) = self.twin.step([], [], where="post", color="C1", linestyle="--",
                                     label=_t("lambda_legend"), gid="lm-conv-lambda")
        self.twin.set_yscale("log")
        _light_log_axis(self.twin)
        self.twin.set_ylabel(_t("damping_lambda"))
        handles = [self.cost, self.grad, self.rejected, self.lam]
        where = (dict(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=4, frameon=False)
                 if legend_above else dict(loc="upper right", framealpha=0.8))
        self.legend = ax.legend(handles, [h.get_label() for h in handles], fontsize=MIN_FONT_PT, **where)
        (self.marker,) = ax.plot([], [], "-", color="0.3", linewidth=1, alpha=0.7,
                                 transform=ax.get_xaxis_transform(), gid="lm-conv-iteration")

    def update(self, result) -> None:
        d = path_data(result)
        j = np.arange(len(d.cost))
        self.cost.set_data(j, _positive(d.cost))
        self.grad.set_data(j, _positive(d.grad_norm))
        rej = ~d.is_accepted
        self.rejected.set_data(j[rej], _positive(d.cost[rej]))
        self.lam.set_data(j, _positive(d.lam))
        for a, ys in ((self.ax, (d.cost, d.grad_norm)), (self.twin, (d.lam,))):
            v = np.concatenate([_positive(y) for y in ys]) if len(j) else np.array([])
            v = v[np.isfinite(v)]
            if v.size:
                lo, hi = v.min(), v.max()
                if hi <= lo:
                    lo, hi = lo / 10, hi * 10
                a.set_ylim(lo / 2, hi * 2)
        self.ax.set_xlim(-0.5, max(len(j) - 0.5, 0.5))

    def set_iteration(self, iteration: Optional[int]) -> None:
        if iteration is None or len(self.cost.get_xdata()) == 0:
            self.marker.set_data([], [])
            return
        j = int(iteration) % len(self.cost.get_xdata())
        self.marker.set_data([j, j], [0.0, 1.0])  # a vertical line: x in data, y in axes units


def plot_convergence(result, ax: Optional[Axes] = None) -> Axes:
    """Cost F, gradient norm ‖g‖∞ and damping λ of every *trial step* of a run.

    The x axis counts trial steps j = 0, 1, … (rejected ones included, so that the rise
    of λ after a rejection is visible); F and ‖g‖∞ are those of the iterate the step starts
    from, on a log y axis; rejected steps are marked with a red 'x' on the cost curve.
    λ is drawn as a dashed step line on a twin log axis on the right (gid
    "lm-lambda-axis"; find it with ``ax.get_shared_x_axes().get_siblings(ax)``). Zero
    values (F = 0 at an exact fit, λ = 0 for a Gauss–Newton step) are left out: a log
    axis cannot show them.

    Parameters
    ----------
    result : :class:`lm.LMResult` (LM or a baseline).
    ax : axes to draw on (a new figure if None).

    Returns
    -------
    matplotlib.axes.Axes
        The left (cost) axes.

    References
    ----------
    Madsen, Nielsen & Tingleff (2004), figure 3.3 (F, ‖g‖ and μ against the iteration);
    Nielsen (1999).
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.4))
    ConvergenceArtists(ax).update(result)
    return ax
