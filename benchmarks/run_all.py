"""Benchmark: `lm` against MINPACK (scipy.optimize.least_squares(method="lm")) in one process.

Runs every NIST StRD file shipped in lm/problems/data/nist-strd (27 files, both starts) and a set of
Moré–Garbow–Hillstrom problems with both solvers, on the same counting callables, in three
settings:

* analytic  – both get the exact Jacobian, both at lm's default tolerances (ftol = 1e-15,
              xtol = 1e-10, gtol = 1e-15) with max_nfev = 20000
* differences – no Jacobian: lm's default (central) differences vs MINPACK's forward
              differences (SciPy's "2-point", then lmder), same tolerances as above
* defaults  – nothing but fun and x0 for both: lm's defaults vs scipy's defaults

"solved" (NIST) = every parameter agrees with the certified value to ≥ 6 significant digits
(log relative error, LRE). For MGH problems "solved" = ½‖r‖² within 1e-5 relative (or 1e-10
absolute when the minimum is 0) of the published minimum. nfev counts every call of fun
(difference Jacobians included) through the same wrapper for both solvers; the time of a
run is the best of REPEAT repetitions, lm and MINPACK taking turns within each repetition (so
that a change of the shared machine's load hits both).

SciPy ≥ 1.15 runs a C translation of MINPACK. The MINPACK-1 test set (53 runs, with
scipy.optimize.leastsq = MINPACK's lmdif as the forward-difference baseline and each solver
also at its own defaults) is measured by benchmarks/minpack1.py, which main() runs last.

Writes benchmarks/results.json, benchmarks/RESULTS.md and the headline in README.md.
Run: `make bench` (or `.venv/bin/python benchmarks/run_all.py`).
"""
from __future__ import annotations

import json
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import least_squares

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import lm  # noqa: E402
from lm.problems import MGH_PROBLEMS, nist, nist_files  # noqa: E402

NIST_DIR = ROOT / "lm" / "problems" / "data" / "nist-strd"
TIGHT = dict(ftol=1e-15, xtol=1e-10, gtol=1e-15)  # lm's defaults, for both solvers
MAX_NFEV = 20000
REPEAT = 5


def lre(x, certified) -> np.ndarray:
    """Log relative error per parameter: the number of agreeing significant digits (≤ 15)."""
    x, c = np.asarray(x, float), np.asarray(certified, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.abs(x - c) / np.abs(c)
    return np.clip(-np.log10(np.where(np.isfinite(err), np.maximum(err, 1e-15), 1.0)), 0, 15)


class Counted:
    """The same callables for both solvers, counting every residual evaluation."""

    def __init__(self, fun, jac):
        self.f, self.j, self.nfev = fun, jac, 0

    def fun(self, x):
        self.nfev += 1
        return self.f(x)

    def jac(self, x):
        return self.j(x)


def run_lm(P, x0, mode):
    c = Counted(P.fun, P.jac)
    if mode == "analytic":
        run = lambda: lm.levenberg_marquardt(c.fun, x0, c.jac, max_nfev=MAX_NFEV)  # noqa: E731
    elif mode == "differences":
        run = lambda: lm.levenberg_marquardt(c.fun, x0, max_nfev=MAX_NFEV)  # noqa: E731
    else:
        run = lambda: lm.levenberg_marquardt(c.fun, x0)  # noqa: E731
    return run, c


def run_minpack(P, x0, mode):
    c = Counted(P.fun, P.jac)
    if mode == "analytic":
        run = lambda: least_squares(c.fun, x0, c.jac, method="lm", max_nfev=MAX_NFEV, **TIGHT)  # noqa: E731
    elif mode == "differences":
        run = lambda: least_squares(c.fun, x0, "2-point", method="lm", max_nfev=MAX_NFEV, **TIGHT)  # noqa: E731
    else:
        run = lambda: least_squares(c.fun, x0, method="lm")  # noqa: E731
    return run, c


def timed_pair(P, x0, mode):
    """{solver: (result, nfev, best time)} for lm and MINPACK, taking turns REPEAT times."""
    runs = {"lm": run_lm(P, x0, mode), "minpack": run_minpack(P, x0, mode)}
    best, out = dict.fromkeys(runs, np.inf), {}
    for _ in range(REPEAT):
        for solver, (run, counter) in runs.items():
            counter.nfev = 0
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    res = run()
            best[solver] = min(best[solver], time.perf_counter() - t0)
            out[solver] = (res, counter.nfev, best[solver])
    return out


def record(suite, P, start, mode, solver, res, nfev, seconds, solved, digits):
    return dict(suite=suite, problem=P.name, start=start, mode=mode, solver=solver,
                solved=bool(solved), digits=float(digits), nfev=int(nfev), time=seconds,
                cost=float(res.cost), status=int(res.status), x=np.asarray(res.x).tolist())


def nist_runs():
    rows = []
    for path in nist_files(NIST_DIR):
        P = nist(path)
        for k, x0 in enumerate(P.starts, start=1):
            for mode in ("analytic", "differences", "defaults"):
                for solver, (res, nfev, t) in timed_pair(P, x0, mode).items():
                    d = lre(res.x, P.certified.params).min()
                    rows.append(record("NIST", P, k, mode, solver, res, nfev, t, d >= 6, d))
        print(f"  {P.name}", flush=True)
    return rows


def mgh_runs():
    rows = []
    for name, make in MGH_PROBLEMS.items():
        P = make()
        for mode in ("analytic", "differences"):
            for solver, (res, nfev, t) in timed_pair(P, P.x0, mode).items():
                F, Fs = float(res.cost), P.cost_star
                solved = F <= Fs * (1 + 1e-5) + (1e-10 if Fs == 0 else 0.0)
                rows.append(record("MGH", P, 1, mode, solver, res, nfev, t, solved, np.nan))
    return rows


def strategies() -> dict:
    """lm alone with each damping strategy at its defaults otherwise (the default, trust-region,
    was chosen on these NIST files: its rivals' figures belong beside it): NIST StRD, both
    starts, exact Jacobians and default (central) differences, solved = ≥ 6 certified digits;
    the MINPACK-1 set with exact Jacobians, minima reached. Calls of fun counted as above."""
    from lm.problems import MINPACK1_RUNS, minpack1_problem
    from lm.problems.minpack1 import reached_minimum
    out = {}
    for damping in ("trust-region", "nielsen", "marquardt"):
        for mode in ("analytic", "differences"):
            solved, nfev, failed = 0, 0, []
            for path in nist_files():
                P = nist(path)
                for k, x0 in enumerate(P.starts, start=1):
                    c = Counted(P.fun, P.jac)
                    with warnings.catch_warnings(), np.errstate(all="ignore"):
                        warnings.simplefilter("ignore")
                        res = lm.levenberg_marquardt(c.fun, x0, c.jac if mode == "analytic" else None,
                                                     damping=damping)
                    ok = bool(lre(res.x, P.certified.params).min() >= 6)
                    solved, nfev = solved + ok, nfev + c.nfev
                    failed += [] if ok else [f"{P.name}/{k}"]
            out[f"NIST/{mode}/{damping}"] = dict(runs=54, solved=solved, nfev=nfev, failed=failed)
        reached, nfev, missed = 0, 0, []
        for key, factor in MINPACK1_RUNS:
            name, n, m = key.split("/")
            P = minpack1_problem(key, factor)
            c = Counted(P.fun, P.jac)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                res = lm.levenberg_marquardt(c.fun, P.x0, c.jac, damping=damping)
            ok = reached_minimum(name, int(n), int(m), float(np.linalg.norm(res.fun))) is not None
            reached, nfev = reached + ok, nfev + c.nfev
            missed += [] if ok else [f"{key}×{factor:g}"]
        out[f"MINPACK-1/analytic/{damping}"] = dict(runs=len(MINPACK1_RUNS), solved=reached, nfev=nfev, failed=missed)
    return out


def strategies_markdown(table: dict) -> str:
    lines = ["", "## Damping strategies (lm alone)", "",
             "lm's default damping, the trust region, and its Δ₀ were chosen on these NIST files; the other "
             "strategies on the same runs (NIST: ≥ 6 certified digits, both starts; MINPACK-1: the published "
             "minima, exact Jacobians), every other setting at lm's defaults.", "",
             "| suite / Jacobian / damping | runs | solved | calls of fun | unsolved |", "|---|---|---|---|---|"]
    for key, t in table.items():
        lines.append(f"| {key} | {t['runs']} | {t['solved']} | {t['nfev']} | {', '.join(t['failed']) or '—'} |")
    return "\n".join(lines) + "\n"


def summarize(rows):
    out = {}
    for suite in ("NIST", "MGH"):
        for mode in ("analytic", "differences", "defaults"):
            sel = [r for r in rows if r["suite"] == suite and r["mode"] == mode]
            if not sel:
                continue
            lm_rows = [r for r in sel if r["solver"] == "lm"]
            mp_rows = [r for r in sel if r["solver"] == "minpack"]
            ratios = [a["nfev"] / b["nfev"] for a, b in zip(lm_rows, mp_rows)]
            out[f"{suite}/{mode}"] = dict(
                runs=len(lm_rows),
                lm_solved=sum(r["solved"] for r in lm_rows),
                minpack_solved=sum(r["solved"] for r in mp_rows),
                lm_median_nfev=float(np.median([r["nfev"] for r in lm_rows])),
                minpack_median_nfev=float(np.median([r["nfev"] for r in mp_rows])),
                median_nfev_ratio=float(np.median(ratios)),
                lm_time=sum(r["time"] for r in lm_rows),
                minpack_time=sum(r["time"] for r in mp_rows),
                time_ratio=sum(r["time"] for r in lm_rows) / sum(r["time"] for r in mp_rows),
                lm_failed=[f"{r['problem']}/{r['start']}" for r in lm_rows if not r["solved"]],
                minpack_failed=[f"{r['problem']}/{r['start']}" for r in mp_rows if not r["solved"]],
            )
    return out


def markdown(summary, rows) -> str:
    lines = ["# Benchmark: `lm` versus MINPACK (`scipy.optimize.least_squares(method=\"lm\")`)", "",
             "Produced by `benchmarks/run_all.py` (`make bench`); do not edit by hand.", "",
             "| suite / setting | runs | solved: lm | solved: MINPACK | median nfev lm | median nfev MINPACK | median nfev ratio lm/MINPACK | time lm (s) | time MINPACK (s) | time ratio |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for key, s in summary.items():
        lines.append(f"| {key} | {s['runs']} | {s['lm_solved']} | {s['minpack_solved']} | {s['lm_median_nfev']:.0f} | "
                     f"{s['minpack_median_nfev']:.0f} | {s['median_nfev_ratio']:.2f} | {s['lm_time']:.2f} | "
                     f"{s['minpack_time']:.2f} | {s['time_ratio']:.2f} |")
    lines += ["", f"SciPy {scipy.__version__}: least_squares(method=\"lm\") runs a C translation of MINPACK (SciPy ≥ 1.15); "
              "in this version it calls lmder, on SciPy's own Python differences when jac is not given.", "",
              "Settings: *analytic* = exact Jacobians (both at lm's tolerances ftol = 1e-15, xtol = 1e-10, gtol = 1e-15), "
              "*differences* = lm's central vs MINPACK's forward differences (same tolerances), "
              "*defaults* = nothing but fun and x0 for both. Solved = ≥ 6 certified digits in every parameter "
              "(NIST) or the published minimum (MGH). nfev counts every call of fun, difference Jacobians included.", "",
              "## Unsolved runs", ""]
    for key, s in summary.items():
        lines.append(f"- {key}: lm {', '.join(s['lm_failed']) or '—'}; MINPACK {', '.join(s['minpack_failed']) or '—'}")
    lines += ["", "## Per run (NIST, digits = smallest LRE over the parameters)", "",
              "| problem | start | setting | lm digits | lm nfev | MINPACK digits | MINPACK nfev |", "|---|---|---|---|---|---|---|"]
    nist_rows = [r for r in rows if r["suite"] == "NIST"]
    for a, b in zip(nist_rows[::2], nist_rows[1::2]):
        lines.append(f"| {a['problem']} | {a['start']} | {a['mode']} | {a['digits']:.1f} | {a['nfev']} | {b['digits']:.1f} | {b['nfev']} |")
    return "\n".join(lines) + "\n"


def headline(summary) -> str:
    a, d, f = summary["NIST/analytic"], summary["NIST/differences"], summary["NIST/defaults"]
    m = summary.get("MGH/analytic")
    text = (f"NIST StRD ({a['runs']} runs, ≥ 6 certified digits): exact Jacobians — lm {a['lm_solved']}, "
            f"MINPACK {a['minpack_solved']}; difference Jacobians — lm {d['lm_solved']}, MINPACK {d['minpack_solved']}; "
            f"every setting at its default — lm {f['lm_solved']}, scipy {f['minpack_solved']}. "
            f"Median nfev ratio lm/MINPACK {a['median_nfev_ratio']:.2f} (exact Jacobians), "
            f"total time ratio {a['time_ratio']:.2f}.")
    if m:
        text += (f" MGH ({m['runs']} problems, exact Jacobians): lm {m['lm_solved']}, MINPACK {m['minpack_solved']}"
                 f", median nfev ratio {m['median_nfev_ratio']:.2f}.")
    mp1 = ROOT / "benchmarks" / "minpack1_results.json"
    if mp1.exists():
        s = json.loads(mp1.read_text())["summary"]
        a1, b1 = s["analytic-defaults/lm"], s["analytic-defaults/minpack"]
        d1, e1, b1_ = s["differences/lm"], s["differences/minpack"], s.get("differences/lm-broyden")
        text += (f" MINPACK-1 test set (53 runs, exact Jacobians, each at its defaults): minima reached lm "
                 f"{a1['reached']}, MINPACK {b1['reached']}; calls of fun lm/MINPACK {a1['nfev'] / b1['nfev']:.2f}, "
                 f"time {a1['time'] / b1['time']:.1f}×"
                 + (f" (median run {a1['time_ratio_median']:.1f}×)" if "time_ratio_median" in a1 else "")
                 + f"; with difference Jacobians calls {d1['nfev'] / e1['nfev']:.2f}×"
                 + (f" (jac=\"broyden\": {b1_['nfev'] / e1['nfev']:.2f}×; against MINPACK's lmdif "
                    f"{b1_['nfev'] / s['differences/lmdif']['nfev']:.2f}×)" if b1_ else "") + ".")
    text += (" (lm's default damping and its Δ₀ factor were chosen on these NIST files; the other"
             " strategies' figures are in benchmarks/RESULTS.md, section \"Damping strategies\".)")
    return text + " Details: [benchmarks/RESULTS.md](benchmarks/RESULTS.md)."


def update_readme(text: str) -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        return
    body = readme.read_text()
    block = f"<!-- bench:start -->\n{text}\n<!-- bench:end -->"
    if "<!-- bench:start -->" in body:
        body = re.sub(r"<!-- bench:start -->.*?<!-- bench:end -->", lambda _: block, body, flags=re.S)
    else:
        body = body.replace("(filled by benchmarks/run_all.py)", block)
    readme.write_text(body)


def main():
    print("NIST StRD:", flush=True)
    rows = nist_runs()
    print("Moré–Garbow–Hillstrom:", flush=True)
    rows += mgh_runs()
    summary = summarize(rows)
    print("Damping strategies:", flush=True)
    table = strategies()
    here = Path(__file__).resolve().parent
    (here / "results.json").write_text(json.dumps(dict(summary=summary, strategies=table, runs=rows), indent=1))
    (here / "RESULTS.md").write_text(markdown(summary, rows) + strategies_markdown(table))
    import runpy
    runpy.run_path(str(here / "minpack1.py"), run_name="__main__")   # appends its section
    update_readme(headline(summary))
    print(markdown(summary, rows).split("## Per run")[0])
    print(headline(summary))


if __name__ == "__main__":
    main()
