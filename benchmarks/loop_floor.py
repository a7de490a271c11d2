"""How fast can a numpy Levenberg–Marquardt loop be? A floor (not a proof) for issue 12's time target.

On the MINPACK-1 set (53 runs, exact Jacobians) this times three things in one process, taking
turns (best of REPEAT):

* MINPACK: scipy.optimize.least_squares(method="lm") at its defaults;
* lm: lm.levenberg_marquardt at its defaults;
* the floor: the bare trust-region loop below, made to take lm's own sequence of accepted and
  rejected trial steps on each run (a step is accepted where lm accepted one, if F is finite
  there): as many trial steps, calls of fun and iterates as lm (the count is in its section of
  benchmarks/RESULTS.md). It does only what any SVD-based LM step must do:
  one SVD of J D⁻¹ per iterate, the radius search for λ, the step, the model's evaluations, the
  gain ratio and the radius update. No argument checking, no records, no stopping tests, no
  safeguards beyond treating rounding-level singular values as zero.

The model's own cost (fun and jac at the points lm evaluates) and the SVDs alone are timed too.
If the floor alone takes more than 1.5× MINPACK's time, lm's loop, which does all of this and
more, is unlikely to meet the 1.5× target by trimming its Python: the SVDs are a small part of
the floor's time (see their row); the rest is numpy's per-call overhead on arrays of a few
entries, so it would need a compiled inner loop. Writes the section between the markers in
benchmarks/RESULTS.md. Run: `.venv/bin/python benchmarks/loop_floor.py`.
"""
from __future__ import annotations

import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import lm  # noqa: E402
from lm.problems import MINPACK1_RUNS, minpack1_problem  # noqa: E402

REPEAT = 7
TINY = np.finfo(float).tiny


def floor_loop(fun, jac, x, accepted: list) -> np.ndarray:
    """The trust-region LM loop (Moré 1978) stripped to its arithmetic; trial k is accepted
    when ``accepted[k]`` is (lm's decision) and F is finite there, whatever its own gain ratio says."""
    r = fun(x)
    cost, J = 0.5 * (r @ r), jac(x)
    D = np.sqrt((J * J).sum(axis=0))
    D[D == 0] = 1.0
    Delta = float(np.linalg.norm(D * x)) or 1.0
    U, s, Vt = _svd(J / D)
    c = U.T @ r
    for accept in accepted:
        s2, sc2 = s * s, (s * c) ** 2
        t = (s / np.maximum(s2, TINY)) * c             # the Gauss–Newton step, V ᵀD p_GN
        lam = 0.0
        if math.sqrt(t @ t) > Delta:                   # λ with ‖Dp(λ)‖ = Δ to 10 %
            lam = 0.0 if s[-1] > 0 else math.sqrt(sc2.sum()) / Delta   # as lm: from the right if rank deficient
            for _ in range(10):
                d = s2 + lam
                w = sc2 / (d * d)
                q = w.sum()
                if abs(math.sqrt(q) - Delta) <= 0.1 * Delta:
                    break
                new = lam - (2 * q / (-2.0 * (w / d).sum())) * (math.sqrt(q) - Delta) / Delta
                lam = new if new > 0 else 0.5 * lam
        y = -(s / np.maximum(s2 + lam, TINY)) * c      # V ᵀD p
        p = (Vt.T @ y) / D
        x_new = x + p
        r_new = fun(x_new)
        cost_new = 0.5 * (r_new @ r_new)
        Sy = s * y
        predicted = 0.5 * (Sy @ Sy) + lam * (y @ y)
        rho = (cost - cost_new) / predicted if predicted > 0 else -1.0
        Dp = math.sqrt(y @ y)
        if rho <= 0.25:
            Delta = 0.5 * min(Delta, 10 * Dp)
        elif rho >= 0.75 or lam == 0:
            Delta = 2 * Dp
        if accept and math.isfinite(cost_new):
            x, r, cost, J = x_new, r_new, cost_new, jac(x_new)
            D = np.maximum(D, np.sqrt((J * J).sum(axis=0)))
            U, s, Vt = _svd(J / D)
            c = U.T @ r
    return x


def _svd(A):
    """The thin SVD, singular values at rounding level set to zero (rank-deficient J)."""
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U, np.where(s > 1e-15 * max(A.shape) * s[0], s, 0.0), Vt


def measure() -> dict:
    problems = [minpack1_problem(key, factor) for key, factor in MINPACK1_RUNS]
    points = []                                         # where lm evaluates fun and jac
    for P in problems:
        xs, js = [], []
        res = lm.levenberg_marquardt(lambda x, P=P, xs=xs: (xs.append(x.copy()), P.fun(x))[1], P.x0,
                                     lambda x, P=P, js=js: (js.append(x.copy()), P.jac(x))[1])
        points.append((P, xs, js, [step.accepted for step in res.history]))

    def run_floor():
        for P, _, _, accepted in points:
            floor_loop(P.fun, P.jac, P.x0.copy(), accepted)

    def run_lm():
        for P in problems:
            lm.levenberg_marquardt(P.fun, P.x0, P.jac)

    def run_minpack():
        for P in problems:
            least_squares(P.fun, P.x0, P.jac, method="lm")

    mats = []                                           # J D⁻¹ at lm's iterates, for the SVDs alone
    for P, _, js, _ in points:
        D = np.zeros(P.n)
        for x in js:
            J = P.jac(x)
            D = np.maximum(D, np.sqrt((J * J).sum(axis=0)))
            mats.append(J / np.where(D > 0, D, 1.0))

    def run_svd():
        for A in mats:
            np.linalg.svd(A, full_matrices=False)

    def run_model():
        for P, xs, js, _ in points:
            for x in xs:
                P.fun(x)
            for x in js:
                P.jac(x)

    best = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for _ in range(REPEAT):
            for name, run in (("minpack", run_minpack), ("lm", run_lm), ("floor", run_floor), ("model", run_model),
                              ("svd", run_svd)):
                start = time.perf_counter()
                run()
                best[name] = min(best.get(name, math.inf), time.perf_counter() - start)
    best["trials"] = sum(len(p[3]) for p in points)
    return best


def markdown(b: dict) -> str:
    T = b["trials"]
    rows = [("MINPACK (least_squares, method=\"lm\")", b["minpack"]), ("lm", b["lm"]),
            ("the floor: the bare loop, lm's accepted/rejected sequence", b["floor"]), ("the model alone (fun and jac at lm's points)", b["model"]),
            ("the SVDs alone (np.linalg.svd of J D⁻¹ at lm's iterates)", b["svd"])]
    lines = ["## How fast can a numpy LM loop be? (benchmarks/loop_floor.py)", "",
             f"MINPACK-1 set, exact Jacobians, each solver at its defaults; {T} trial steps of lm; best of {REPEAT}, taking turns.", "",
             "| what | time (ms) | × MINPACK | µs per lm trial step |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {1e3 * t:.1f} | {t / b['minpack']:.2f} | {1e6 * t / T:.1f} |" for name, t in rows]
    lines += ["", f"Overhead beyond the model: MINPACK {1e3 * (b['minpack'] - b['model']):.1f} ms, the floor "
              f"{1e3 * (b['floor'] - b['model']):.1f} ms, lm {1e3 * (b['lm'] - b['model']):.1f} ms."]
    return "\n".join(lines)


if __name__ == "__main__":
    b = measure()
    text = markdown(b)
    from minpack1 import write_section                    # (benchmarks/ is this script's folder)
    write_section("floor", text)
    print(text)
