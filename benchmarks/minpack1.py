"""Benchmark on the MINPACK-1 test set (53 runs; Moré, Garbow & Hillstrom 1981): lm against
MINPACK as SciPy ships it, in one process, every call of fun counted by the same wrapper.

Settings (each run from the driver's start factor·x₀):
* analytic, defaults   – exact Jacobians; lm at its defaults, SciPy's least_squares(method="lm")
                         at its defaults (ftol = xtol = gtol = 1e-8)
* analytic, same tols  – exact Jacobians; MINPACK at lm's tolerances (ftol 1e-15, xtol 1e-10,
                         gtol 1e-15) and lm's max_nfev
* differences          – no Jacobian: lm's default central differences, lm "2-point" and lm
                         "broyden" (secant updates between central differences);
                         least_squares(method="lm") (SciPy differences in Python, then lmder),
                         and scipy.optimize.leastsq = MINPACK's own lmdif (forward differences)

Measures: minima reached (lm.problems.reached_minimum: the paper's values), calls of fun in
total, calls until ‖r‖ first had 6 correct digits of the minimum it reached, and time (best of
REPEAT repetitions, the solvers of a run taking turns within each repetition so that a change of
the machine's load hits all of them; models included). The time ratio lm / MINPACK is given over
the set (total) and as the median of the per-run ratios. Writes benchmarks/minpack1_results.json and the section
between the markers in benchmarks/RESULTS.md. Run: `.venv/bin/python benchmarks/minpack1.py`.
"""
from __future__ import annotations

import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import least_squares, leastsq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import lm  # noqa: E402
from lm.problems import MINPACK1_RUNS, known_minima, minpack1_problem, reached_minimum  # noqa: E402

REPEAT = 7
LM_TOLS = dict(ftol=1e-15, xtol=1e-10, gtol=1e-15)


class Counted:
    """Counts every call of fun and remembers when ‖r‖ first had 6 correct digits."""

    def __init__(self, P, target):
        self.P, self.target, self.nfev, self.first6 = P, target, 0, None

    def fun(self, x):
        self.nfev += 1
        r = self.P.fun(x)
        if self.first6 is None and np.all(np.isfinite(r)):
            if np.linalg.norm(r) <= self.target * (1 + 1e-6) + 1e-9:
                self.first6 = self.nfev
        return r

    def jac(self, x):
        return self.P.jac(x)


def _solvers(P, mode):
    n = P.n
    lm_max = 500 * (n + 1)
    if mode == "analytic-defaults":
        return {"lm": lambda c: lm.levenberg_marquardt(c.fun, P.x0, c.jac).fun,
                "minpack": lambda c: least_squares(c.fun, P.x0, c.jac, method="lm").fun}
    if mode == "analytic-same":
        return {"lm": lambda c: lm.levenberg_marquardt(c.fun, P.x0, c.jac).fun,
                "minpack": lambda c: least_squares(c.fun, P.x0, c.jac, method="lm", max_nfev=lm_max,
                                                   **LM_TOLS).fun}
    return {"lm": lambda c: lm.levenberg_marquardt(c.fun, P.x0).fun,
            "lm-2point": lambda c: lm.levenberg_marquardt(c.fun, P.x0, "2-point").fun,
            "lm-broyden": lambda c: lm.levenberg_marquardt(c.fun, P.x0, "broyden").fun,
            "minpack": lambda c: least_squares(c.fun, P.x0, method="lm").fun,
            "lmdif": lambda c: c.fun(leastsq(c.fun, P.x0)[0])}


def run():
    rows = []
    for key, factor in MINPACK1_RUNS:
        name, n, m = key.split("/")
        n, m = int(n), int(m)
        P = minpack1_problem(key, factor)
        for mode in ("analytic-defaults", "analytic-same", "differences"):
            solvers = _solvers(P, mode)
            best, out = dict.fromkeys(solvers, np.inf), {}
            for _ in range(REPEAT):
                for solver, call in solvers.items():        # the solvers take turns
                    c = Counted(P, known_minima(name, n, m)[0])
                    t = time.perf_counter()
                    with warnings.catch_warnings(), np.errstate(all="ignore"):
                        warnings.simplefilter("ignore")
                        r = call(c)
                    best[solver] = min(best[solver], time.perf_counter() - t)
                    out[solver] = (c, r)
            for solver, (c, r) in out.items():
                norm = float(np.linalg.norm(r))
                rows.append(dict(problem=key, factor=factor, mode=mode, solver=solver, nfev=c.nfev,
                                 first6=c.first6, norm_r=norm, time=best[solver],
                                 reached=reached_minimum(name, n, m, norm)))
    return rows


def summary(rows):
    out = {}
    for mode in ("analytic-defaults", "analytic-same", "differences"):
        for solver in sorted({r["solver"] for r in rows if r["mode"] == mode}):
            sel = [r for r in rows if r["mode"] == mode and r["solver"] == solver]
            out[f"{mode}/{solver}"] = dict(
                reached=sum(r["reached"] is not None for r in sel), runs=len(sel),
                nfev=sum(r["nfev"] for r in sel), time=sum(r["time"] for r in sel),
                first6=sum(r["first6"] for r in sel if r["first6"] is not None),
                first6_runs=sum(r["first6"] is not None for r in sel))
        if mode != "differences":                      # lm's time against MINPACK's, same runs
            lm_t = {(r["problem"], r["factor"]): r["time"] for r in rows if r["mode"] == mode and r["solver"] == "lm"}
            mp_t = {(r["problem"], r["factor"]): r["time"] for r in rows if r["mode"] == mode and r["solver"] == "minpack"}
            out[f"{mode}/lm"]["time_ratio"] = sum(lm_t.values()) / sum(mp_t.values())
            out[f"{mode}/lm"]["time_ratio_median"] = float(np.median([lm_t[k] / mp_t[k] for k in lm_t]))
    return out


def machine() -> str:
    """The processor and the BLAS numpy calls: decisions taken at the rounding level of F (the last
    steps of a run, the rank-deficient and the very ill-conditioned problems) depend on how the
    processor and the BLAS round, so some runs take a different number of calls on another machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return f"{cpu}, BLAS {blas.get('name', '?')} {blas.get('version', '')}".strip()


def markdown(s, rows):
    lines = [f"Machine: {machine()}. Decisions taken at the rounding level of F (the last steps of a run, "
             "the rank-deficient and the very ill-conditioned problems) depend on how the processor and the BLAS "
             "round, so on another machine some runs take a different number of calls.", "",
             f"SciPy {scipy.__version__} (MINPACK as a C translation since SciPy 1.15: least_squares(method=\"lm\") "
             "calls lmder, or lmder on SciPy's own Python differences without jac; leastsq calls lmdif), "
             f"numpy {np.__version__}, Python {platform.python_version()}. 53 runs, every call of fun counted "
             f"by one wrapper; time = best of {REPEAT} (the solvers taking turns), models included.", "",
             "| setting / solver | minima reached | calls of fun | time (s) | calls to 6 digits (runs) |",
             "| --- | --- | --- | --- | --- |"]
    for k, v in s.items():
        lines.append(f"| {k} | {v['reached']}/{v['runs']} | {v['nfev']} | {v['time']:.3f} | "
                     f"{v['first6']} ({v['first6_runs']}) |")
    lines += [""] + [f"Time lm / MINPACK, {mode}: {s[f'{mode}/lm']['time_ratio']:.2f} over the set, median per run "
                     f"{s[f'{mode}/lm']['time_ratio_median']:.2f}." for mode in ("analytic-defaults", "analytic-same")]
    lines += ["", "Per run (analytic, each at its defaults): problem, factor, lm nfev / MINPACK nfev, "
              "lm ‖r‖ / MINPACK ‖r‖, lm / MINPACK time", ""]
    a = {(r["problem"], r["factor"]): r for r in rows if r["mode"] == "analytic-defaults" and r["solver"] == "lm"}
    b = {(r["problem"], r["factor"]): r for r in rows if r["mode"] == "analytic-defaults" and r["solver"] == "minpack"}
    lines += ["| run | lm nfev | MINPACK nfev | lm ‖r‖ | MINPACK ‖r‖ | lm ms | MINPACK ms |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for k in a:
        lines.append(f"| {k[0]} ×{k[1]} | {a[k]['nfev']} | {b[k]['nfev']} | {a[k]['norm_r']:.7g} | {b[k]['norm_r']:.7g} | "
                     f"{1e3 * a[k]['time']:.2f} | {1e3 * b[k]['time']:.2f} |")
    return "\n".join(lines)


def write_section(name: str, text: str) -> None:
    """Put ``text`` between the markers <!-- name:start --> and <!-- name:end --> of
    benchmarks/RESULTS.md (appended, with the markers, if they are not there yet)."""
    results = ROOT / "benchmarks" / "RESULTS.md"
    old = results.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text}\n{end}"
    if start in old:
        old = old[:old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        old = old.rstrip() + "\n\n" + block + "\n"
    results.write_text(old)


def nist_broyden():
    """NIST StRD (every shipped file × 2 starts: 27 × 2 = 54 runs) without a Jacobian: lm's default central differences,
    jac="broyden", lm "2-point", and MINPACK's lmdif (scipy.optimize.leastsq) at lm's
    tolerances; solved = ≥ 6 certified digits in every parameter."""
    from lm.problems import nist, nist_files
    out = {}
    for jac in (None, "broyden", "2-point", "leastsq"):
        solved, nfev, failed = 0, 0, []
        for path in nist_files():
            P = nist(path)
            for k, x0 in enumerate(P.starts, start=1):
                c = Counted(P, 0.0)
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    if jac == "leastsq":       # MINPACK's lmdif, at lm's tolerances
                        x = leastsq(c.fun, x0, ftol=1e-15, xtol=1e-10, gtol=1e-15, maxfev=20000)[0]
                    else:
                        x = lm.levenberg_marquardt(c.fun, x0, jac).x
                ok = bool(lm.stats.lre(x, P.certified.params).min() >= 6)
                solved, nfev = solved + ok, nfev + c.nfev
                failed += [] if ok else [f"{P.name}/{k}"]
        out[jac or "3-point"] = dict(solved=solved, nfev=nfev, failed=failed)
    return out


if __name__ == "__main__":
    rows = run()
    s = summary(rows)
    nb = nist_broyden()
    (ROOT / "benchmarks" / "minpack1_results.json").write_text(
        json.dumps(dict(scipy=scipy.__version__, machine=machine(), summary=s, nist_broyden=nb, runs=rows), indent=1,
                   default=lambda o: o.item()))
    text = markdown(s, rows)
    text += "\n\nNIST StRD without jac (lm; leastsq = MINPACK's lmdif): " + "; ".join(
        f"{k}: {v['solved']}/{2 * len(lm.problems.nist_files())} solved, {v['nfev']} calls of fun (failed: {', '.join(v['failed']) or '—'})"
        for k, v in nb.items())
    write_section("minpack1", f"## MINPACK-1 test set (benchmarks/minpack1.py)\n\n{text}")
    print(text)
