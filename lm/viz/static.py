"""The website's live explorer: a self-contained HTML snippet that solves in the page.

The built book has no Python kernel and no network. :func:`static_explorer` renders ONE
contour image of F = ½‖r‖² (matplotlib; a PNG in a ``data:`` URI) and writes the problem's
residuals and Jacobian as formulas (from its SymPy form, :mod:`lm.viz.twin`) into a JSON
block. In the page, ``twin.js`` (a JavaScript twin of ``lm``'s loop for 2 parameters) and
``explorer.js`` (the viewer) solve on every change: a click or drag on the contour sets the
start, a log slider λ₀, selects the strategy, the scaling and a second strategy; the trust
region of the current trial step, a convergence panel and a table of the trial steps follow
the step scrubber; a reader can type a model of their own. No external resource of any
kind: no CDN, no fonts, no remote scripts.

The scripts are files of this package. On the website the book's Sphinx extension
(``_ext/offline_site.py``) copies them into ``_static`` and adds them to the pages that
hold an explorer (``script="site"``); ``script="inline"`` (the default) puts their text into
the snippet, so that a saved page or a notebook output works on its own.

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

from ..solver import STATUS_MESSAGES
from .explore import STRATEGIES, TOLERANCES
from .i18n import language, text as _t
from .plots import plot_contour, problem_window
from .twin import SymbolicProblem, js_source, symbolic_problem

__all__ = ["static_explorer", "StaticExplorer"]

_instances = itertools.count()


class StaticExplorer:
    """The result of :func:`static_explorer`: a self-contained HTML snippet and its data.

    Attributes
    ----------
    html : str
        The snippet: ``<div class="lm-explorer" id=…>`` with its CSS, the contour image,
        the JSON data and (``script="inline"``) the scripts.
    data : dict
        The JSON the page reads: ``problem`` (residual and Jacobian formulas, parameter
        names, data columns), ``starts``, ``xlim``, ``ylim``, ``box`` (the axes in image
        pixels: left, top, width, height), ``size`` (the image's width and height),
        ``lam0``, ``strategy``, ``strategies``, ``maxNfev``, ``tols`` (the stopping tolerances,
        :data:`lm.viz.explore.TOLERANCES`), ``messages`` (lm's status texts).
    symbolic : :class:`lm.viz.twin.SymbolicProblem`, the formulas the page solves.
    """

    def __init__(self, html: str, data: dict, symbolic: SymbolicProblem, uid: str):
        self.html = html
        self.data = data
        self.symbolic = symbolic
        self.starts = [np.asarray(s, float) for s in data["starts"]]
        self.image_box = tuple(data["box"])
        self.image_size = tuple(data["size"])
        self.xlim, self.ylim = tuple(data["xlim"]), tuple(data["ylim"])
        self.id = uid
        self._shown = 0
        self.lang_attr, self.title = _t("html_lang"), _t("page_title")

    def _repr_html_(self) -> str:
        # shown twice on one page (a notebook displays the same object again), the copies
        # must not share element ids: every display after the first gets fresh ones
        self._shown += 1
        if self._shown == 1:
            return self.html
        return self.html.replace(self.id, f"{self.id}-r{self._shown}")

    def save(self, path) -> Path:
        """Write a standalone HTML page holding the snippet (UTF-8); returns the path. The
        page works offline from a file: its scripts are inlined if they were not already."""
        path = Path(path)
        body = self.html if "lmTwin" in self.html else self.html + _scripts()
        path.write_text(
            f"<!DOCTYPE html>\n<html lang=\"{self.lang_attr}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_html.escape(self.title)}</title></head><body style=\"margin:0.5em\">\n{body}\n</body></html>\n",
            encoding="utf-8")
        return path

    def __len__(self) -> int:
        return len(self.html)

    def __repr__(self) -> str:
        return (f"StaticExplorer({self.symbolic.name!r}, {len(self.starts)} starts, "
                f"{len(self.html) / 1024:.0f} kB of HTML)")


# ---------------------------------------------------------------------------------------
# computing


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


def _json_for_script(obj) -> str:
    # inside <script> no "</" may appear, and "<!--" neither: escape every "<"
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")


def _scripts() -> str:
    """The package's two scripts as inline <script> elements (a "</" cannot occur in them:
    checked by tests/test_viz.py)."""
    return "".join(f"<script>{js_source(name)}</script>" for name in ("twin.js", "explorer.js"))


def static_explorer(problem, *, strategies: Sequence[str] = STRATEGIES, starts: Optional[Sequence] = None,
                    damping: str = "trust-region", lam0: float = 1e-2, max_nfev: int = 200,
                    width: int = 640, script: str = "inline") -> StaticExplorer:
    """A live HTML explorer of LM paths that needs no kernel and no network.

    Parameters
    ----------
    problem : a 2-parameter :class:`lm.problems.Problem` with a symbolic form (the classics,
        NIST-style problems with a formula and data; see :func:`lm.viz.twin.symbolic_problem`)
        or a :class:`lm.viz.twin.SymbolicProblem` together with ``starts``.
    strategies : damping strategies offered (names of :mod:`lm.damping`).
    starts : preset starting points (default ``problem.starts``); a click sets any other.
    damping, lam0 : the strategy and the initial damping λ₀ shown first. As in
        :func:`lm.viz.explore`, the λ strategies start from λ₀ and the trust region from
        Δ₀ = ‖D₀x₀‖/λ₀ (:func:`lm.viz.explore.make_strategy`).
    max_nfev : the solver's evaluation budget per run (as ``levenberg_marquardt``'s).
    width : pixel width of the contour image (the widget shrinks with the page below it).
    script : ``"inline"`` (the scripts are in the snippet) or ``"site"`` (the page loads
        them from the site's ``_static``, see ``_ext/offline_site.py``).

    Returns
    -------
    StaticExplorer
        ``.html`` (also its ``_repr_html_``: MyST-NB puts it in the built page), ``.data``
        and ``.save(path)``.

    References
    ----------
    Moré (1978); Nielsen (1999); Marquardt (1963); Liang & Barsky (1984).
    """
    if script not in ("inline", "site"):
        raise ValueError(f"script must be 'inline' or 'site', got {script!r}")
    strategies = tuple(str(s).lower() for s in strategies)
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not strategies:
        raise ValueError(f"unknown strategies {unknown}; choose from {STRATEGIES}")
    if str(damping).lower() not in strategies:
        raise ValueError(f"damping {damping!r} is not among the strategies {strategies}")
    if not (isinstance(lam0, (int, float)) and np.isfinite(lam0) and lam0 > 0):
        raise ValueError(f"lam0 must be a positive finite number, got {lam0!r}")
    if isinstance(max_nfev, bool) or not isinstance(max_nfev, (int, np.integer)) or max_nfev < 2:
        raise ValueError(f"max_nfev must be an integer ≥ 2, got {max_nfev!r}")
    symbolic = symbolic_problem(problem)
    if isinstance(problem, SymbolicProblem):
        raise ValueError("pass the lm.problems.Problem (its window, starts and contour come from it)")
    xlim, ylim = problem_window(problem)  # also rejects n ≠ 2
    if starts is None:
        starts = problem.starts
    starts = [np.asarray(s, float) for s in starts]
    if not starts or any(s.shape != (2,) or not np.all(np.isfinite(s)) for s in starts):
        raise ValueError("starts must be a non-empty list of points with 2 finite coordinates")

    png, box, (W, H) = _contour_png(problem, xlim, ylim, int(width), 100, resolution=160)
    name = getattr(problem, "name", "") or "problem"
    data = {
        "name": name, "box": box, "size": [W, H], "xlim": list(xlim), "ylim": list(ylim),
        "names": list(problem.param_names), "problem": symbolic.js_spec(),
        "starts": [s.tolist() for s in starts], "strategy": str(damping).lower(),
        "strategies": list(strategies), "lam0": float(lam0), "maxNfev": int(max_nfev),
        "tols": dict(TOLERANCES),
        "messages": {str(k): v for k, v in STATUS_MESSAGES.items()},
        "lang": language(),
    }
    text = _json_for_script(data)
    uid = f"lm-ex-{hashlib.sha1(text.encode()).hexdigest()[:8]}-{next(_instances)}"
    e = _html.escape
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    alt = _t("alt", name=name, p0=problem.param_names[0], x0=f"{xlim[0]:.3g}", x1=f"{xlim[1]:.3g}",
             p1=problem.param_names[1], y0=f"{ylim[0]:.3g}", y1=f"{ylim[1]:.3g}")
    snippet = (
        f'<div class="lm-explorer lm-static-explorer tex2jax_ignore mathjax_ignore" id="{uid}" data-lm-problem="{e(name)}">'
        f'<style>{js_source("explorer.css")}</style>'
        f'<img class="lm-explorer-image" src="{uri}" width="{W}" height="{H}" alt="{e(alt)}" style="max-width:100%;height:auto">'
        f'<p>{e(_t("needs_js", name=name))}</p>'
        f'<script type="application/json" class="lm-explorer-data">{text}</script>'
        f'</div>'
    )
    if script == "inline":
        snippet += _scripts()
    return StaticExplorer(snippet, data, symbolic, uid)
