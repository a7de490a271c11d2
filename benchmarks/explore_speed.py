"""How long one update of ``lm.viz.explore`` takes, per 2-parameter problem.

An update is what a move of the λ₀ slider costs: the solver run plus the redraw of the
figure (Agg backend, no display): restore the cached contour background, ``set_data`` on
the path artists, redraw the convergence axes. Also measured: a move of the trial-step
slider (only the trust-region ellipse, the ring, the λ label and one tick line are
redrawn), the PNG encoding a notebook adds on top of either (the inline backend shows the
figure as a PNG in an ``ipywidgets.Output``), and for comparison a full ``canvas.draw()``
(what every update would cost without the cached background).

Median over ``--repeats`` (default 20) updates. Prints a Markdown table and writes it to
``benchmarks/explore_speed.md``. Target: ≤ 100 ms per update.

Run: ``.venv/bin/python benchmarks/explore_speed.py``
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from lm.problems import (  # noqa: E402
    beale, exponential_decay, freudenstein_roth, jennrich_sampson, nist, powell_badly_scaled,
    rosenbrock,
)
from lm.viz import explore  # noqa: E402
from lm.viz.explore import run  # noqa: E402

HERE = Path(__file__).resolve().parent
NIST_DIR = Path(__file__).resolve().parents[1] / "lm/problems/data/nist-strd"
TARGET_MS = 100.0


def problems():
    out = [rosenbrock(), beale(), powell_badly_scaled(), freudenstein_roth(), jennrich_sampson(),
           exponential_decay()]
    misra = NIST_DIR / "Misra1a.dat"
    if misra.is_file():
        out.append(nist(misra))
    else:
        print(f"(skipping Misra1a: {misra} not found)")
    return out


def median_ms(times) -> float:
    return float(np.median(times)) * 1e3


def measure(problem, repeats: int) -> dict:
    ex = explore(problem, damping="nielsen", lam0=1e-2)
    c = ex.controls
    # distinct values on the slider's grid (step 1/8 decade), so every set fires an update
    exps = np.arange(-12, 13) * 0.25
    values = [10.0 ** e for e in exps if not np.isclose(10.0 ** e, c["lam0"].value)][:repeats]
    upd, nit = [], []
    for v in values:
        t = time.perf_counter()
        c["lam0"].value = v  # observer → solver run + blitted redraw
        upd.append(time.perf_counter() - t)
        nit.append(len(ex.result.history))
    solver = []
    for v in values:
        t = time.perf_counter()
        run(problem, "nielsen", v, ex.start, ex.max_nfev)
        solver.append(time.perf_counter() - t)
    c["lam0"].value = 1e-2
    N = len(ex.result.history)
    scrub = []
    for k in range(repeats):
        t = time.perf_counter()
        c["iteration"].value = (k * 7 + 1) % max(N, 1)
        scrub.append(time.perf_counter() - t)
    png = []
    for _ in range(max(5, repeats // 2)):
        t = time.perf_counter()
        ex.png()
        png.append(time.perf_counter() - t)
    full = []
    for _ in range(5):
        t = time.perf_counter()
        ex.fig.canvas.draw()
        full.append(time.perf_counter() - t)
    ex._bg = None  # a full draw replaced the canvas pixels; recapture on the next update
    return {
        "problem": problem.name, "trial steps": f"{min(nit)}–{max(nit)}",
        "update": median_ms(upd), "solver": median_ms(solver), "scrub": median_ms(scrub),
        "png": median_ms(png), "full": median_ms(full),
    }


def table(rows) -> str:
    head = ("| problem | trial steps | λ₀ update (solver + redraw) | of which solver | "
            "trial-step scrub | + PNG for the notebook | full `canvas.draw()` |\n"
            "|---|---|---:|---:|---:|---:|---:|\n")
    body = "".join(
        f"| {r['problem']} | {r['trial steps']} | {r['update']:.1f} ms | {r['solver']:.1f} ms | "
        f"{r['scrub']:.1f} ms | {r['png']:.1f} ms | {r['full']:.1f} ms |\n" for r in rows)
    return head + body


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--out", type=Path, default=HERE / "explore_speed.md")
    args = ap.parse_args(argv)
    rows = [measure(p, args.repeats) for p in problems()]
    worst = max(r["update"] for r in rows)
    md = (
        "# explore() update times\n\n"
        f"Measured {datetime.date.today().isoformat()} by `benchmarks/explore_speed.py` "
        f"(median of {args.repeats} updates, Agg backend, Nielsen damping, λ₀ from 10⁻³ to 10³; "
        f"{platform.python_implementation()} {platform.python_version()}, matplotlib "
        f"{matplotlib.__version__}, {os.cpu_count()} CPUs shared with other jobs, so expect noise).\n\n"
        + table(rows)
        + f"\nTarget ≤ {TARGET_MS:.0f} ms per update: "
        + ("met" if worst <= TARGET_MS else "NOT met") + f" (slowest median {worst:.1f} ms).\n\n"
        "How: the contour is drawn once and kept as pixels (`copy_from_bbox`); an update moves the "
        "existing path artists with `set_data`, restores the pixels and draws only the paths and the "
        "convergence axes (log axes with decade ticks only and plain-Unicode labels: mathtext tick "
        "labels and minor ticks were most of their cost); a trial-step move redraws four small artists "
        "over a second cached layer. The last column is what each update would cost without the "
        "cache.\n"
    )
    print(md)
    args.out.write_text(md, encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
