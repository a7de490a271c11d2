"""A kernel-free HTML explorer of Levenberg–Marquardt paths, for the static website.

The built book has no Python kernel and no network, so :func:`static_explorer` does all the
computing when the chapter is executed: it renders ONE contour image of F = ½‖r‖² (a PNG in
a base64 ``data:`` URI) and runs the solver for every combination of initial damping λ₀,
strategy and start, keeping each run's path as data (JSON). In the page, a small inline
plain-JavaScript viewer draws the selected path into an inline ``<svg>`` laid exactly over
the image's axes (the axes' pixel box is measured in matplotlib and stored with the data),
with a range input for λ₀, one for the trial steps, selects for the strategy and the
start, and a checkbox that overlays the undamped Gauss–Newton path from the same start. No external resource of any kind: no CDN, no fonts, no remote scripts.

Why the script starts itself as it does: MyST-NB inserts a ``text/html`` output raw into
the page, so the ``<script>`` runs while the page is being parsed; JupyterLab inserts it
after the page has loaded. The script therefore finds its own container by an id written
into it (never ``document.currentScript``), and runs on ``DOMContentLoaded`` when the
document is still loading, immediately otherwise.

References
----------
Moré (1978) (the scaled trust region); Nielsen (1999); Marquardt (1963);
Liang & Barsky (1984), "A new concept and method for line clipping" (segment clipping);
MyST-NB documentation, "Render outputs" (raw HTML outputs);
W3C SVG 2, §8 (viewBox and preserveAspectRatio).
"""
from __future__ import annotations

import base64
import hashlib
import html as _html
import io
import itertools
import json
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..solver import levenberg_marquardt
from .explore import STRATEGIES, _fmt_point, make_strategy
from .plots import path_data, plot_contour, problem_window

__all__ = ["static_explorer", "StaticExplorer", "DEFAULT_LAMBDAS"]

DEFAULT_LAMBDAS = np.logspace(-4, 4, 13)  # two thirds of a decade apart
_instances = itertools.count()


class StaticExplorer:
    """The result of :func:`static_explorer`: a self-contained HTML snippet and its data.

    Attributes
    ----------
    html : str
        The snippet: ``<div class="lm-static-explorer" id=…>`` with the image, the SVG
        overlay, the controls, the JSON data and the viewer script.
    frames : list of dict
        One record per (λ₀, strategy, start): ``lam0``, ``strategy``, ``start`` (index),
        ``x0``, ``accepted`` (nit + 1 points), ``rejected`` (trial points of rejected
        steps), ``trial``, ``is_accepted``, ``lam``, ``Delta`` (radius the step was taken
        in, None for λ strategies), ``cost`` (F at the start of each trial step),
        ``semi_axes`` (of the trust-region ellipse), ``nit``, ``nfev``, ``final_cost``,
        ``x``, ``success``, ``message``.
    lambdas, strategies, starts : the grid the frames cover.
    image_box : (left, top, width, height) of the axes in image pixels; ``image_size``
        (width, height) of the PNG; ``xlim``, ``ylim`` the data window.
    """

    def __init__(self, html: str, frames: list, *, lambdas, strategies, starts, image_box,
                 image_size, xlim, ylim, uid: str):
        self.html = html
        self.frames = frames
        self.lambdas = list(lambdas)
        self.strategies = tuple(strategies)
        self.starts = [np.asarray(s, float) for s in starts]
        self.image_box = image_box
        self.image_size = image_size
        self.xlim, self.ylim = xlim, ylim
        self.id = uid
        self._shown = 0

    def frame(self, lam0: float, strategy: str, start: int = 0) -> dict:
        """The precomputed record of one combination (λ₀ matched to 1e-9 relative)."""
        for f in self.frames:
            if (f["strategy"] == strategy and f["start"] == start
                    and abs(f["lam0"] - lam0) <= 1e-9 * abs(lam0)):
                return f
        raise KeyError(f"no frame for λ₀ = {lam0}, {strategy!r}, start {start}")

    def _repr_html_(self) -> str:
        # shown twice on one page (a notebook displays the same object again), the copies
        # must not share element ids: every display after the first gets fresh ones
        self._shown += 1
        if self._shown == 1:
            return self.html
        return self.html.replace(self.id, f"{self.id}-r{self._shown}")

    def save(self, path) -> Path:
        """Write a standalone HTML page holding the snippet (UTF-8); returns the path."""
        path = Path(path)
        path.write_text(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>LM explorer</title></head><body style=\"margin:0.5em\">\n{self.html}\n</body></html>\n",
            encoding="utf-8")
        return path

    def __len__(self) -> int:
        return len(self.html)

    def __repr__(self) -> str:
        return (f"StaticExplorer({len(self.frames)} frames: {len(self.lambdas)} λ₀ × "
                f"{len(self.strategies)} strategies × {len(self.starts)} starts, "
                f"{len(self.html) / 1024:.0f} kB of HTML)")


# ---------------------------------------------------------------------------------------
# computing


def _finite_or_none(v):
    v = float(v)
    return v if np.isfinite(v) else None


def _frame(problem, strategy: str, lam0: float, i_start: int, x0: np.ndarray, max_nfev: int) -> dict:
    damping = make_strategy(strategy, lam0, problem, x0)
    res = levenberg_marquardt(problem.fun, x0, problem.jac, max_nfev=max_nfev, damping=damping)
    d = path_data(res)
    Delta = d.Delta
    return {
        "lam0": float(lam0), "strategy": strategy, "start": i_start, "x0": x0.tolist(),
        "accepted": d.accepted.tolist(), "rejected": d.trial[~d.is_accepted].tolist(),
        "trial": d.trial.tolist(), "is_accepted": d.is_accepted.tolist(),
        "lam": [_finite_or_none(v) for v in d.lam],
        "Delta": None if strategy != "trust-region" else [_finite_or_none(v) for v in Delta],
        "cost": [_finite_or_none(v) for v in d.cost],
        "semi_axes": d.semi_axes.tolist(),
        "nit": res.nit, "nfev": res.nfev, "final_cost": float(res.cost), "x": res.x.tolist(),
        "success": bool(res.success), "message": res.message,
    }


def _contour_png(problem, xlim, ylim, width: int, dpi: int, resolution: int):
    """The contour image (PNG bytes, palette-quantized) and the axes' pixel box in it."""
    from PIL import Image

    import matplotlib

    w_in = width / dpi
    # a larger font than matplotlib's 10 pt: the image shrinks to ~60 % on a phone
    with matplotlib.rc_context({"font.size": 12}):
        fig = Figure(figsize=(w_in, 0.75 * w_in), dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        plot_contour(problem, ax, xlim=xlim, ylim=ylim, resolution=resolution)
        fig.canvas.draw()
    W, H = fig.canvas.get_width_height()
    bb = ax.get_window_extent()  # display pixels, origin at the bottom left
    box = [round(bb.x0, 2), round(H - bb.y1, 2), round(bb.width, 2), round(bb.height, 2)]
    rgba = np.asarray(fig.canvas.buffer_rgba())
    # a 256-colour palette: a contour plot has few colours, and this quarters the bytes
    img = Image.fromarray(rgba[..., :3]).quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                  dither=Image.Dither.NONE)
    buf = io.BytesIO()
    img.save(buf, format="png", optimize=True)  # no text chunks (no software URL)
    return buf.getvalue(), box, (W, H)


def _g(v, digits: int):
    """A float rounded to ``digits`` significant digits for the JSON (None if not finite)."""
    if v is None or not np.isfinite(v):
        return None
    return float(f"{v:.{digits}g}")


def _compact(frame: dict, i_s: int, i_l: int) -> dict:
    """The JSON the viewer reads: columns, rounded (coordinates to 6 digits)."""
    return {
        "s": i_s, "p": frame["start"], "l": i_l,
        "x0": [_g(v, 7) for v in frame["x0"]],
        "t": [_g(v, 6) for pt in frame["trial"] for v in pt],
        "a": "".join("1" if a else "0" for a in frame["is_accepted"]),
        "lam": [_g(v, 3) for v in frame["lam"]],
        "dl": None if frame["Delta"] is None else [_g(v, 3) for v in frame["Delta"]],
        "F": [_g(v, 4) for v in frame["cost"]],
        "r": [_g(v, 3) for ab in frame["semi_axes"] for v in ab],
        "nit": frame["nit"], "nfev": frame["nfev"], "cost": _g(frame["final_cost"], 6),
        "x": [_g(v, 6) for v in frame["x"]], "ok": int(frame["success"]),
    }


def _json_for_script(obj) -> str:
    # inside <script> no "</" may appear, and "<!--" neither: escape every "<"
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")


def static_explorer(problem, lambdas: Optional[Sequence[float]] = None, *,
                    strategies: Sequence[str] = ("trust-region", "nielsen", "marquardt"),
                    starts: Optional[Sequence] = None, max_nfev: int = 200,
                    width: int = 640) -> StaticExplorer:
    """A self-contained HTML explorer of LM paths that needs no kernel and no network.

    Parameters
    ----------
    problem : :class:`lm.problems.Problem` with 2 parameters.
    lambdas : the initial dampings λ₀ offered by the slider (default 13 values log-spaced
        from 1e-4 to 1e4). As in :func:`lm.viz.explore`, the λ strategies start from λ₀
        and the trust region from Δ₀ = ‖D₀x₀‖/λ₀ (:func:`lm.viz.explore.make_strategy`).
    strategies : damping strategies offered (names of :mod:`lm.damping`).
    starts : starting points (default ``problem.starts``, at most 3 of them).
    max_nfev : the solver's evaluation budget per run.
    width : pixel width of the contour image (the widget shrinks with the page below it).

    Returns
    -------
    StaticExplorer
        ``.html`` (the snippet, also its ``_repr_html_``: a notebook cell ending with
        ``static_explorer(problem)`` shows it, and MyST-NB puts it in the built page),
        ``.frames`` (one precomputed path record per λ₀ × strategy × start) and
        ``.save(path)``. About 100–250 kB for a classic problem.

    References
    ----------
    Moré (1978); Nielsen (1999); Marquardt (1963); Liang & Barsky (1984).
    """
    lambdas = DEFAULT_LAMBDAS if lambdas is None else np.asarray(lambdas, float).ravel()
    if lambdas.size == 0 or not np.all(np.isfinite(lambdas)) or np.any(lambdas <= 0):
        raise ValueError(f"lambdas must be positive finite numbers, got {lambdas!r}")
    strategies = tuple(str(s).lower() for s in strategies)
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not strategies:
        raise ValueError(f"unknown strategies {unknown}; choose from {STRATEGIES}")
    xlim, ylim = problem_window(problem)  # also rejects n ≠ 2
    if starts is None:
        starts = problem.starts[:3]
    starts = [np.asarray(s, float) for s in starts]
    if not starts or any(s.shape != (2,) or not np.all(np.isfinite(s)) for s in starts):
        raise ValueError("starts must be a non-empty list of points with 2 finite coordinates")

    frames, compact = [], []
    for i_s, strategy in enumerate(strategies):
        for i_p, x0 in enumerate(starts):
            for i_l, lam0 in enumerate(lambdas):
                f = _frame(problem, strategy, float(lam0), i_p, x0, max_nfev)
                frames.append(f)
                compact.append(_compact(f, i_s, i_l))

    dpi = 100
    png, box, (W, H) = _contour_png(problem, xlim, ylim, int(width), dpi, resolution=160)
    i_default = int(np.argmin(np.abs(np.log10(lambdas) + 2)))  # λ₀ nearest 1e-2, explore's default
    gauss_newton_paths = [_gauss_newton_path(problem, x0) for x0 in starts]
    data = {
        "box": box, "size": [W, H], "xlim": list(xlim), "ylim": list(ylim),
        "gn": [[[_g(v, 6) for v in point] for point in path] for path in gauss_newton_paths],
        "lambdas": [_g(v, 4) for v in lambdas], "strategies": list(strategies),
        "names": list(problem.param_names), "frames": compact,
    }
    text = _json_for_script(data)
    uid = f"lm-se-{hashlib.sha1(text.encode()).hexdigest()[:8]}-{next(_instances)}"
    snippet = _render(uid, problem, png, W, H, box, text, lambdas, strategies, starts, i_default)
    explorer = StaticExplorer(snippet, frames, lambdas=lambdas, strategies=strategies, starts=starts,
                              image_box=tuple(box), image_size=(W, H), xlim=xlim, ylim=ylim, uid=uid)
    explorer.gauss_newton_paths = gauss_newton_paths
    return explorer


def _gauss_newton_path(problem, x0: np.ndarray, max_iter: int = 30) -> list:
    """The undamped Gauss–Newton iterates from x0 (:func:`lm.baselines.gauss_newton`), for
    comparison with the LM path; a diverging run ends with its last finite point."""
    from ..baselines import gauss_newton

    res = gauss_newton(problem.fun, x0, problem.jac, max_iter=max_iter)
    points = [np.asarray(x0, float)] + [s.x_trial for s in res.history if s.accepted]
    return [[_finite_or_none(v) for v in point] for point in points]


# ---------------------------------------------------------------------------------------
# the page


_CSS = """
#UID{max-width:WIDTHpx;width:100%;box-sizing:border-box;margin:1em 0;font-size:0.95em;line-height:1.4}
#UID *{box-sizing:border-box}
#UID .lm-se-controls{display:flex;flex-wrap:wrap;gap:0.3em 1em;align-items:center;margin-bottom:0.4em}
#UID label{display:flex;align-items:center;gap:0.4em;flex:1 1 14em;min-width:0;margin:0}
#UID label>span{white-space:nowrap}
#UID input[type=range]{flex:1 1 6em;min-width:0;width:100%;margin:0}
#UID select{max-width:100%;min-width:0;flex:1 1 auto}
#UID output{font-variant-numeric:tabular-nums;white-space:nowrap}
#UID .lm-se-figure{position:relative;width:100%;max-width:100%;line-height:0}
#UID .lm-se-figure img{display:block;width:100%;max-width:100%;height:auto;margin:0}
#UID .lm-se-figure svg{position:absolute;left:0;top:0;width:100%;height:100%;overflow:hidden}
#UID p{margin:0.25em 0;overflow-wrap:anywhere}
"""

_JS = r"""
(function () {
  var uid = "__UID__";
  function init() {
    var root = document.getElementById(uid);
    if (!root || root.getAttribute("data-lm-ready")) { return; }
    root.setAttribute("data-lm-ready", "1");
    var D = JSON.parse(document.getElementById(uid + "-data").textContent);
    function q(name) { return root.querySelector('[data-lm-static="' + name + '"]'); }
    var inLam = q("lambda"), inIt = q("iteration"), selS = q("strategy"), selP = q("start");
    var box = D.box, xl = D.xlim, yl = D.ylim;
    var index = {};
    D.frames.forEach(function (f, i) { index[f.s + "," + f.p + "," + f.l] = i; });
    function px(x) { return box[0] + (x - xl[0]) / (xl[1] - xl[0]) * box[2]; }
    function py(y) { return box[1] + (yl[1] - y) / (yl[1] - yl[0]) * box[3]; }
    // segments are clipped (Liang-Barsky) to the axes box grown by its size on each side,
    // so that a trial point at 1e30 does not hand the SVG renderer absurd coordinates
    var X0 = box[0] - box[2], X1 = box[0] + 2 * box[2], Y0 = box[1] - box[3], Y1 = box[1] + 2 * box[3];
    function clip(ax, ay, bx, by) {
      if (![ax, ay, bx, by].every(isFinite)) { return null; }
      var t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay;
      var p = [-dx, dx, -dy, dy], r = [ax - X0, X1 - ax, ay - Y0, Y1 - ay];
      for (var i = 0; i < 4; i++) {
        if (p[i] === 0) { if (r[i] < 0) { return null; } continue; }
        var t = r[i] / p[i];
        if (p[i] < 0) { if (t > t1) { return null; } if (t > t0) { t0 = t; } }
        else { if (t < t0) { return null; } if (t < t1) { t1 = t; } }
      }
      return [ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy];
    }
    function n(v) { return Math.round(v * 100) / 100; }
    function pt(a) { return a === null ? null : [px(a[0]), py(a[1])]; }
    function polyline(pts) {
      var d = "", pen = null;
      for (var i = 1; i < pts.length; i++) {
        var a = pts[i - 1], b = pts[i];
        if (!a || !b) { pen = null; continue; }
        var c = clip(a[0], a[1], b[0], b[1]);
        if (!c) { pen = null; continue; }
        var m = [n(c[0]), n(c[1])], e = [n(c[2]), n(c[3])];
        if (!pen || pen[0] !== m[0] || pen[1] !== m[1]) { d += "M" + m[0] + " " + m[1]; pen = m; }
        if (e[0] !== pen[0] || e[1] !== pen[1]) { d += "L" + e[0] + " " + e[1]; pen = e; }
      }
      return d;
    }
    function inside(p) { return p && p[0] >= box[0] && p[0] <= box[0] + box[2] && p[1] >= box[1] && p[1] <= box[1] + box[3]; }
    function dots(pts) {
      return pts.filter(inside).map(function (p) { return "M" + n(p[0]) + " " + n(p[1]) + "h0"; }).join("");
    }
    function crosses(pts, h) {
      return pts.filter(inside).map(function (p) {
        return "M" + n(p[0] - h) + " " + n(p[1] - h) + "l" + 2 * h + " " + 2 * h +
               "M" + n(p[0] - h) + " " + n(p[1] + h) + "l" + 2 * h + " " + (-2 * h);
      }).join("");
    }
    function fmt(v, k) { return v === null || v === undefined ? "–" : v === 0 ? "0" : Number(v).toPrecision(k || 3); }
    function setAttr(name, attr, value) { q(name).setAttribute(attr, value); }
    var F = null, S = [], T = [], N = 0;
    function load() {
      var key = selS.value + "," + selP.value + "," + inLam.value;
      F = D.frames[index[key]];
      N = F.a.length; S = [F.x0]; T = [];
      var cur = F.x0;
      for (var j = 0; j < N; j++) {
        var t = [F.t[2 * j], F.t[2 * j + 1]];
        T.push(t[0] === null || t[1] === null ? null : t);
        if (F.a.charAt(j) === "1") { cur = t; }
        S.push(cur);
      }
      inIt.max = String(N);
      inIt.value = String(N);
      q("lambda-value").textContent = fmt(D.lambdas[+inLam.value], 2);
      var tr = D.strategies[+selS.value] === "trust-region";
      q("status").textContent = D.strategies[+selS.value] + ", λ₀ = " + fmt(D.lambdas[+inLam.value], 2) +
        (tr && F.dl && F.dl.length ? " (Δ₀ = " + fmt(F.dl[0]) + ")" : "") +
        ": final cost F = " + fmt(F.cost, 4) + " at (" + fmt(F.x[0], 4) + ", " + fmt(F.x[1], 4) + "), " +
        F.nit + " iterations, " + N + " trial steps, nfev = " + F.nfev +
        (F.ok ? " (converged)" : " (stopped without convergence)");
      draw();
    }
    function drawGaussNewton() {
      var on = q("show-gn").checked, gn = on ? D.gn[+selP.value].map(function (p) {
        return p[0] === null || p[1] === null ? null : pt(p); }) : [];
      setAttr("gauss-newton", "d", on ? polyline(gn) : "");
      setAttr("gauss-newton-dots", "d", on ? dots(gn.filter(function (p) { return p; })) : "");
    }
    function draw() {
      var j = Math.min(+inIt.value, N);
      var acc = [F.x0], rej = [], segs = [];
      for (var i = 0; i < j; i++) {
        if (F.a.charAt(i) === "1") { acc.push(T[i]); }
        else { rej.push(pt(T[i])); segs.push(pt(S[i]), pt(T[i]), null); }
      }
      var accPx = acc.map(pt);
      setAttr("accepted", "d", polyline(accPx));
      setAttr("accepted-dots", "d", dots(accPx));
      setAttr("rejected-steps", "d", polyline(segs));
      setAttr("rejected", "d", crosses(rej, 4));
      var c = pt(S[j]), s0 = pt(F.x0);
      setAttr("start-point", "d", inside(s0) ? "M" + n(s0[0]) + " " + n(s0[1]) + "h0" : "");
      var cur = q("current");
      if (c && isFinite(c[0]) && isFinite(c[1])) {
        cur.setAttribute("cx", n(c[0])); cur.setAttribute("cy", n(c[1])); cur.setAttribute("visibility", "visible");
      } else { cur.setAttribute("visibility", "hidden"); }
      var ells = [q("trust-region-halo"), q("trust-region")], trial = q("trial");
      var k = 0;
      for (var i2 = 0; i2 < j; i2++) { if (F.a.charAt(i2) === "1") { k++; } }
      q("iteration-value").textContent = j + " / " + N;
      if (j < N) {
        var a = F.r[2 * j], b = F.r[2 * j + 1];
        ells.forEach(function (ell) {
          if (a !== null && b !== null && c) {
            ell.setAttribute("cx", n(c[0])); ell.setAttribute("cy", n(c[1]));
            ell.setAttribute("rx", n(Math.min(a / (xl[1] - xl[0]) * box[2], 1e5)));
            ell.setAttribute("ry", n(Math.min(b / (yl[1] - yl[0]) * box[3], 1e5)));
            ell.setAttribute("visibility", "visible");
          } else { ell.setAttribute("visibility", "hidden"); }
        });
        trial.setAttribute("d", polyline([c, pt(T[j])]));
        q("step").textContent = "next: trial step " + (j + 1) + " of " + N + " from the ringed point (iteration k = " + k + "): λ = " +
          fmt(F.lam[j]) + (F.dl ? ", Δ = " + fmt(F.dl[j]) : "") + ", F(x) = " + fmt(F.F[j], 4) +
          ", " + (F.a.charAt(j) === "1" ? "accepted" : "rejected");
      } else {
        ells.forEach(function (ell) { ell.setAttribute("visibility", "hidden"); });
        trial.setAttribute("d", "");
        q("step").textContent = "after all " + N + " trial steps: " + k + " iterations, F = " + fmt(F.cost, 4);
      }
    }
    [selS, selP, inLam].forEach(function (el) { el.addEventListener("input", load); el.addEventListener("change", load); });
    inIt.addEventListener("input", draw);
    inIt.addEventListener("change", draw);
    q("show-gn").addEventListener("change", drawGaussNewton);
    selP.addEventListener("change", drawGaussNewton);
    selP.addEventListener("input", drawGaussNewton);
    load();
    drawGaussNewton();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
"""


def _render(uid, problem, png, W, H, box, data_text, lambdas, strategies, starts, i_default) -> str:
    e = _html.escape
    names = tuple(problem.param_names)
    name = getattr(problem, "name", "") or "problem"
    opt_s = "".join(f'<option value="{i}">{e(s)}</option>' for i, s in enumerate(strategies))
    opt_p = "".join(f'<option value="{i}">{e(names[0])}, {e(names[1])} = {e(_fmt_point(s))}</option>'
                    for i, s in enumerate(starts))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    css = _CSS.replace("UID", uid).replace("WIDTH", str(W)).strip()
    common = 'fill="none" vector-effect="non-scaling-stroke"'
    svg = (
        f'<svg viewBox="0 0 {W} {H}" preserveAspectRatio="none" role="img" aria-label="LM path">'
        f'<defs><clipPath id="{uid}-clip"><rect x="{box[0]}" y="{box[1]}" width="{box[2]}" height="{box[3]}"/></clipPath></defs>'
        f'<g clip-path="url(#{uid}-clip)">'
        # the trust region: a white ring over a black one, visible on any colour
        f'<ellipse data-lm-static="trust-region-halo" cx="0" cy="0" rx="0" ry="0" {common} stroke="black" stroke-width="3.2" visibility="hidden"/>'
        f'<ellipse data-lm-static="trust-region" cx="0" cy="0" rx="0" ry="0" {common} stroke="white" stroke-width="1.4" visibility="hidden"/>'
        f'<path data-lm-static="gauss-newton" d="" {common} stroke="#1f77b4" stroke-width="1.8" stroke-dasharray="6 3"/>'
        f'<path data-lm-static="gauss-newton-dots" d="" {common} stroke="#1f77b4" stroke-width="5" stroke-linecap="round"/>'
        f'<path data-lm-static="rejected-steps" d="" {common} stroke="#d62728" stroke-width="1" stroke-dasharray="4 3"/>'
        f'<path data-lm-static="rejected" d="" {common} stroke="#d62728" stroke-width="1.6"/>'
        f'<path data-lm-static="trial" d="" {common} stroke="white" stroke-width="1.2" stroke-dasharray="2 2"/>'
        f'<path data-lm-static="accepted" d="" {common} stroke="#d62728" stroke-width="2" stroke-linejoin="round"/>'
        f'<path data-lm-static="accepted-dots" d="" {common} stroke="#d62728" stroke-width="6" stroke-linecap="round"/>'
        f'<path data-lm-static="start-point" d="" {common} stroke="white" stroke-width="9" stroke-linecap="square"/>'
        f'<circle data-lm-static="current" cx="0" cy="0" r="7" {common} stroke="white" stroke-width="2.5" visibility="hidden"/>'
        f'</g></svg>'
    )
    return (
        f'<div class="lm-static-explorer tex2jax_ignore mathjax_ignore" id="{uid}" data-lm-problem="{e(name)}">'
        f'<style>{css}</style>'
        f'<div class="lm-se-controls">'
        f'<label><span>damping</span><select data-lm-static="strategy">{opt_s}</select></label>'
        f'<label><span>start</span><select data-lm-static="start">{opt_p}</select></label>'
        f'<label><span>λ₀ = <output data-lm-static="lambda-value"></output></span>'
        f'<input type="range" data-lm-static="lambda" min="0" max="{len(lambdas) - 1}" step="1" value="{i_default}" aria-label="initial damping λ₀"></label>'
        f'<label style="flex:0 1 auto"><input type="checkbox" data-lm-static="show-gn"><span>Gauss–Newton path (blue, dashed)</span></label>'
        f'</div>'
        f'<div class="lm-se-figure"><img src="{uri}" width="{W}" height="{H}" alt="filled contours of F = ½‖r‖² for {e(name)}">{svg}</div>'
        f'<div class="lm-se-controls"><label><span>after <output data-lm-static="iteration-value"></output> trial steps</span>'
        f'<input type="range" data-lm-static="iteration" min="0" max="0" step="1" value="0" aria-label="trial step"></label></div>'
        f'<p data-lm-static="status">Precomputed Levenberg–Marquardt paths on {e(name)} (the viewer needs JavaScript).</p>'
        f'<p data-lm-static="step"></p>'
        f'<script type="application/json" id="{uid}-data">{data_text}</script>'
        f'<script>{_JS.replace("__UID__", uid).strip()}</script>'
        f'</div>'
    )
