"""Benchmark of lm.batch: many small fits at once, against Python loops, and through Dask.

1. Speed: N = 10⁵ fits of y = A e^{−kt} + c (n = 3, m = 32) with noise; fits per second of
   lm.batch.levenberg_marquardt_batch (analytic Jacobian, and default differences) against a
   Python loop of scipy.optimize.least_squares (method="lm", MINPACK; and the default "trf")
   and of lm.levenberg_marquardt, the loops timed on a random sample of the same fits and
   extrapolated, all in the same run; the batch runs in its default blocks of 4096 fits
   (chunk=4096: each block's arrays stay in the processor's cache) and, for comparison,
   as one block of all N fits (chunk=None).
2. Agreement: on that sample, the batch's x, status and nfev against lm.levenberg_marquardt.
3. NIST: Misra1a repeated N times from both NIST starts (scaled by 0.8 … 1.25): the smallest
   number of certified digits (LRE) of the parameters and of the standard errors over all fits.
4. Dask: 10⁶ fits generated on the workers in chunks, solved by lm.batch.fit_dask on a
   distributed.LocalCluster of 2 worker processes (1 thread each) on 127.0.0.1: time, fits/s,
   fits/s per worker, and the peak memory (RSS summed over this process and every process it
   started, sampled every 0.1 s); the first chunk is checked against the in-memory batch.
5. Profile (also alone with `--profile`): the time of each part of lm.batch on the 10⁵ fits
   (wrapped timers), iterations per block, active fits per iteration and the time of the
   iterations with few active fits; and a lower bound for any numpy batch solver: only the
   benchmark's fun and jac, called exactly as often and on as many fits as in the solve,
   against the 100× budget (a scipy loop's time per fit / 100, measured in the same run).

Writes benchmarks/BATCH_RESULTS.md (and the raw figures to benchmarks/batch_results.json). Run: `.venv/bin/python benchmarks/batch.py`
(`--quick` for a smaller run: 10⁴ fits, 10⁵ through Dask). Not a test: the figures depend on
the machine and its load, which the results file records.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
T = np.linspace(0, 5, 32)
TRUTH_LOW, TRUTH_HIGH = np.array([1.0, 0.3, -0.2]), np.array([3.0, 2.0, 0.2])
SIGMA = 0.02


def residuals(X, y):
    """r = y − (A e^{−kt} + c) for each row (A, k, c) of X."""
    return y - X[:, 0:1] * np.exp(-X[:, 1:2] * T) - X[:, 2:3]


def jacobian(X, y):
    """∂r/∂(A, k, c), one (m, 3) block per fit."""
    e = np.exp(-X[:, 1:2] * T)
    J = np.empty(y.shape + (3,))
    J[:, :, 0] = -e
    J[:, :, 1] = X[:, 0:1] * T * e
    J[:, :, 2] = -1.0
    return J


def problem_block(N: int, seed: int) -> np.ndarray:
    """N fits: starts (N, 3) and data (N, m) side by side, from a seed."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(TRUTH_LOW, TRUTH_HIGH, (N, 3))
    y = -residuals(truth, np.zeros((N, T.size))) + SIGMA * rng.standard_normal((N, T.size))
    x0 = truth * rng.uniform(0.7, 1.3, (N, 3))
    return np.hstack([x0, y])


def one_fit_residuals(y):
    return lambda x: y - x[0] * np.exp(-x[1] * T) - x[2]


def one_fit_jacobian(x):
    e = np.exp(-x[1] * T)
    return -np.column_stack([e, -x[0] * T * e, np.ones_like(T)])


def speed_and_agreement(N: int, sample: int) -> dict:
    import lm
    from scipy.optimize import least_squares

    from lm.batch import levenberg_marquardt_batch

    block = problem_block(N, seed=1)
    x0, y = block[:, :3], block[:, 3:]
    out = {"N": N, "m": T.size, "n": 3, "sample": sample}
    start = time.perf_counter()
    res = levenberg_marquardt_batch(residuals, x0, jacobian, args=(y,))
    out["batch_s"] = time.perf_counter() - start
    out["batch_success"] = int(res.success.sum())
    start = time.perf_counter()
    res_fd = levenberg_marquardt_batch(residuals, x0, args=(y,))
    out["batch_fd_s"] = time.perf_counter() - start
    # the same fits in one block (chunk=None): the arrays of 10⁵ fits do not stay in the
    # processor's cache, those of the default blocks of 4096 fits do
    start = time.perf_counter()
    whole = levenberg_marquardt_batch(residuals, x0, jacobian, args=(y,), chunk=None)
    out["batch_whole_s"] = time.perf_counter() - start
    out["chunks_identical"] = bool(np.array_equal(whole.x, res.x) and np.array_equal(whole.nfev, res.nfev))

    idx = np.random.default_rng(2).choice(N, sample, replace=False)
    loops = {
        "scipy_lm": lambda i: least_squares(one_fit_residuals(y[i]), x0[i], one_fit_jacobian, method="lm"),
        "scipy_trf": lambda i: least_squares(one_fit_residuals(y[i]), x0[i], one_fit_jacobian),
        "lm": lambda i: lm.levenberg_marquardt(one_fit_residuals(y[i]), x0[i], one_fit_jacobian),
    }
    singles = {}
    for name, solve in loops.items():
        start = time.perf_counter()
        singles[name] = [solve(i) for i in idx]
        out[f"{name}_s"] = (time.perf_counter() - start) / sample * N   # extrapolated to N fits
    rel = [np.max(np.abs(res.x[i] - s.x) / np.maximum(np.abs(s.x), 1e-300)) for i, s in zip(idx, singles["lm"])]
    out["agree_max_rel_x"] = float(np.max(rel))
    out["agree_status"] = int(sum(res.status[i] == s.status for i, s in zip(idx, singles["lm"])))
    out["agree_nfev"] = int(sum(res.nfev[i] == s.nfev for i, s in zip(idx, singles["lm"])))
    out["agree_bitwise"] = int(sum(np.array_equal(res.x[i], s.x) for i, s in zip(idx, singles["lm"])))
    out["agree_x_1e8"] = int(sum(bool(np.all(np.abs(res.x[i] - s.x) <= 1e-8 * np.abs(s.x))) for i, s in zip(idx, singles["lm"])))
    out["agree_both"] = int(sum(bool(res.status[i] == s.status and np.all(np.abs(res.x[i] - s.x) <= 1e-8 * np.abs(s.x)))
                                for i, s in zip(idx, singles["lm"])))
    minpack = np.array([0.5 * s.fun @ s.fun for s in singles["scipy_lm"]])
    out["cost_vs_minpack_max_rel"] = float(np.max((res.cost[idx] - minpack) / minpack))
    out["fd_same_success"] = int(res_fd.success.sum())
    return out


def nist_repeated(N: int) -> dict:
    import lm
    from lm import stats
    from lm.batch import levenberg_marquardt_batch

    P = lm.problems.nist("Misra1a")
    x, y = P.data

    def misra1a(B, y):
        return y - B[:, 0:1] * (1 - np.exp(-B[:, 1:2] * x))

    X0 = np.array([P.starts[i % 2] for i in range(N)]) * np.linspace(0.8, 1.25, N)[:, None]
    start = time.perf_counter()
    res = levenberg_marquardt_batch(misra1a, X0, args=(np.broadcast_to(y, (N, y.size)),))
    seconds = time.perf_counter() - start
    sample = np.random.default_rng(3).choice(N, 300, replace=False)     # agreement with lm, fit by fit
    alone = [lm.levenberg_marquardt(P.fun, X0[i]) for i in sample]
    same = sum(bool(one.status == res.status[i] and np.all(np.abs(res.x[i] - one.x) <= 1e-8 * np.abs(one.x)))
               for i, one in zip(sample, alone))
    return {"N": N, "seconds": seconds, "success": int(res.success.sum()), "status_counts": res.status_counts(),
            "agree_sample": len(sample), "agree_same": int(same),
            "agree_max_rel_x": float(max(np.max(np.abs(res.x[i] - one.x) / np.abs(one.x)) for i, one in zip(sample, alone))),
            "min_lre_x": float(stats.lre(res.x, P.certified.params).min()),
            "min_lre_se": float(stats.lre(res.standard_errors(), P.certified.std_devs).min())}


def _scipy_loop_per_fit(x0, y, sample: int, repeats: int, seed: int = 2) -> float:
    """Seconds per fit of a Python loop of least_squares(method='lm') on a random sample
    (best of ``repeats``: on a shared machine the least disturbed run)."""
    from scipy.optimize import least_squares

    idx = np.random.default_rng(seed).choice(len(x0), sample, replace=False)
    return min(_timed(lambda: [least_squares(one_fit_residuals(y[i]), x0[i], one_fit_jacobian, method="lm")
                               for i in idx]) for _ in range(repeats)) / sample


# The profile and the bound count the CPU time of this process (all of these run in one thread):
# on a shared machine other jobs stretch the wall clock of both sides of a comparison unevenly,
# the CPU time much less.
CPU = time.process_time


# the parts of lm.batch timed by --profile: module functions and methods, each wrapped in a
# timer for one run (the wrappers cost about a microsecond a call, a few thousand calls)
_PROFILED = {
    "fun (the user's residuals)": [("_Problem", "residuals"), ("_Problem", "first_residuals")],
    "jac (the user's Jacobian)": [("_Problem", "jacobian")],
    "Householder QR of J D⁻¹": [(None, "_householder_qr")],
    "Jacobi SVD of R": [(None, "_jacobi_svd")],
    "secular equation (λ for Δ)": [("_Subproblems", "lam_for_radius")],
    "step p(λ) and ‖Jp‖²": [("_Subproblems", "step"), ("_Subproblems", "model_norm_sq")],
    "column norms ‖J_j‖ and g = Jᵀr": [(None, "_col_norms"), (None, "_Jt_r")],
    "stopping tests": [(None, "_after")],
    "retiring stopped fits (compaction)": [(None, "_retire")],
    "joining the blocks' results": [("BatchResult", "concatenate")],
}


def profile_batch(N: int, repeats: int = 3) -> dict:
    """Where lm.batch's time goes on the benchmark: wall time of each part (wrapped timers,
    best of ``repeats`` runs), iterations per block and active fits per iteration, the time
    of the iterations with few active fits (the tail); then the lower bound: only the
    user's fun and jac, called as often and on as many fits as in the solve."""
    import lm.batch as lb

    block = problem_block(N, seed=1)
    x0, y = block[:, :3], block[:, 3:]
    plain = min(_timed(lambda: lb.levenberg_marquardt_batch(residuals, x0, jacobian, args=(y,))) for _ in range(repeats))
    parts, calls, trace = {}, [], []          # calls: (kind, fits) of every fun/jac call, in order
    originals = {}
    for label, places in _PROFILED.items():
        for owner, name in places:
            where = getattr(lb, owner) if owner else lb
            if not hasattr(where, name):           # (a part that a later version does not have)
                continue
            originals[(owner, name)] = (where, name, vars(where)[name])   # as stored (a classmethod stays one)

            def timed(*a, _f=getattr(where, name), _label=label, **k):
                start = CPU()
                try:
                    return _f(*a, **k)
                finally:
                    parts[_label] = parts.get(_label, 0.0) + CPU() - start
            setattr(where, name, timed)
    after = lb._after

    def traced(fits, sub, **kw):              # one call per iteration: stamp it, count the fits
        trace.append((CPU(), len(fits.x)))
        return after(fits, sub, **kw)
    lb._after = traced

    def fun_logged(X, y):
        calls.append(("fun", len(X)))
        return residuals(X, y)

    def jac_logged(X, y):
        calls.append(("jac", len(X)))
        return jacobian(X, y)
    best = None
    try:
        for _ in range(repeats):
            parts.clear(), calls.clear(), trace.clear()
            start = CPU()
            res = lb.levenberg_marquardt_batch(fun_logged, x0, jac_logged, args=(y,))
            total = CPU() - start
            if best is None or total < best["total_s"]:
                best = {"total_s": total, "parts": dict(parts), "trace": list(trace)}
    finally:
        for where, name, f in originals.values():
            setattr(where, name, f)
        lb._after = after
    stamps = np.array([t for t, _ in best["trace"]])
    active = np.array([a for _, a in best["trace"]])
    new_block = np.r_[True, active[1:] > active[:-1]]      # the active count only falls in a block
    iterations = np.diff(np.r_[np.flatnonzero(new_block), len(active)])
    dt = np.diff(np.r_[stamps, stamps[-1]])                 # iteration k: from its tests to the next
    dt[np.r_[np.flatnonzero(new_block)[1:] - 1, len(dt) - 1]] = np.nan   # (a block's last: unknown)
    tail = {}
    for lo, hi in [(0, 8), (8, 64), (64, 512), (512, 2048), (2048, N)]:
        sel = (active > lo) & (active <= hi)
        tail[f"{lo + 1}-{hi}"] = {"iterations": int(sel.sum()), "fit_iterations": int(active[sel].sum()),
                                  "seconds": float(np.nansum(dt[sel])), "ms_per_iteration": float(np.nanmean(dt[sel]) * 1e3)
                                  if np.isfinite(dt[sel]).any() else None}
    out = {"N": N, "plain_s": plain, "profiled_s": best["total_s"], "parts": best["parts"],
           "blocks": int(new_block.sum()), "iterations_per_block": iterations.tolist(),
           "iterations": int(len(active)), "fit_iterations": int(active.sum()),
           "active_first_block": active[:iterations[0]].tolist(), "tail": tail,
           "active_last_run": active[len(active) - iterations[-1]:].tolist(),
           "nfev": int(res.nfev.sum()), "njev": int(res.njev.sum())}
    out["bound"] = fun_jac_bound(calls, x0, y, repeats)
    out["scipy_sample"] = min(1000, N // 10)
    out["scipy_lm_per_fit_s"] = _scipy_loop_per_fit(x0, y, out["scipy_sample"], repeats)
    return out


def fun_jac_bound(calls, x0, y, repeats: int) -> dict:
    """The lower bound of any numpy batch solver that calls the benchmark's fun and jac: the
    same calls (kind, number of fits) as the solve made, in the same order, on ready-made
    contiguous inputs (the first rows of the data: what the model costs does not depend on
    the values), nothing else; best of ``repeats``. Also the time to form JᵀJ and Jᵀr of each
    new J (np.matmul, the fastest numpy way here): the least a Gauss–Newton-type step does with J."""
    fun_only = jac_only = normal = float("inf")
    for _ in range(repeats):
        t_fun = t_jac = t_normal = 0.0
        for kind, k in calls:
            X, Y = x0[:k].copy(), y[:k].copy()
            start = CPU()
            if kind == "fun":
                residuals(X, Y)
                t_fun += CPU() - start
            else:
                J = jacobian(X, Y)
                t_jac += CPU() - start
                start = CPU()
                Jt = J.transpose(0, 2, 1)
                np.matmul(Jt, J), np.matmul(Jt, Y[:, :, None])
                t_normal += CPU() - start
        fun_only, jac_only, normal = min(fun_only, t_fun), min(jac_only, t_jac), min(normal, t_normal)
    return {"fun_calls": sum(kind == "fun" for kind, _ in calls), "jac_calls": sum(kind == "jac" for kind, _ in calls),
            "fun_fits": sum(k for kind, k in calls if kind == "fun"), "jac_fits": sum(k for kind, k in calls if kind == "jac"),
            "fun_s": fun_only, "jac_s": jac_only, "normal_equations_s": normal}


def _timed(f) -> float:
    """The CPU time of f()."""
    start = CPU()
    f()
    return CPU() - start


class PeakMemory:
    """The largest RSS summed over this process and its descendants, sampled in a thread."""

    def __init__(self, dt: float = 0.1):
        import psutil

        self.me, self.dt, self.peak, self._stop = psutil.Process(), dt, 0, threading.Event()

    def _sample(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.me] + self.me.children(recursive=True):
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.dt)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def through_dask(N: int, chunk: int) -> dict:
    import dask.array as da
    from distributed import Client, LocalCluster

    from lm.batch import fit_dask, levenberg_marquardt_batch

    chunks = (chunk,) * (N // chunk) + ((N % chunk,) if N % chunk else ())
    seeds = np.arange(len(chunks)) + 100
    blocks = da.map_blocks(lambda s: problem_block(chunk, int(s.item())), da.from_array(seeds, chunks=1)[:, None],
                           dtype=float, chunks=(chunks, (3 + T.size,)))
    x0, y = blocks[:, :3], blocks[:, 3:]
    out = {"N": N, "chunk": chunk, "workers": 2}
    with PeakMemory() as memory:
        start = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, silence_logs=40) as cluster, Client(cluster):
            out["startup_s"] = time.perf_counter() - start
            start = time.perf_counter()
            res = fit_dask(residuals, x0, y, jac=jacobian).compute()
            out["fit_s"] = time.perf_counter() - start
    out["peak_rss_gb"] = memory.peak / 1e9
    out["success"] = int(res.success.sum())
    out["fits_per_s"] = N / out["fit_s"]
    out["fits_per_s_per_worker"] = out["fits_per_s"] / 2
    first = problem_block(chunk, int(seeds[0]))
    ref = levenberg_marquardt_batch(residuals, first[:, :3], jacobian, args=(first[:, 3:],))
    out["first_chunk_identical"] = bool(np.array_equal(ref.x, res.x[:chunk]) and np.array_equal(ref.status, res.status[:chunk]))
    return out


def report(results) -> str:
    speed, nist, dask_run = results["speed"], results["nist"], results.get("dask")
    N = speed["N"]
    rate = lambda s, n=N: f"{n / s:,.0f}"  # noqa: E731
    lines = [
        "# lm.batch benchmark results",
        "",
        f"Written by `benchmarks/batch.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, run under `nice`; load average (1 min) at the start "
        f"{results['load']:.1f}, at the end of the 10⁵ part {results.get('load_after_speed', float('nan')):.1f} "
        f"(Dask part: {results.get('load_dask', results['load']):.1f} at its start, "
        f"{results.get('load_dask_end', float('nan')):.1f} at its end); the machine was shared with other jobs, "
        "so all times are pessimistic, the loops' as much as the batch's.",
        "",
        f"## {N:,} fits of y = A e^(−kt) + c (n = 3, m = {speed['m']}), analytic Jacobians",
        "",
        "Loops timed on a random sample of the same fits and extrapolated; all in one run.",
        "",
        "| method | time for all fits (s) | fits per second | batch speed-up |",
        "|---|---|---|---|",
    ]
    for name, label in [("batch", "lm.batch.levenberg_marquardt_batch (default blocks of 4096 fits)"),
                        ("batch_fd", "lm.batch, default differences (no jac)"),
                        ("batch_whole", "lm.batch as one block of all fits (chunk=None)"),
                        ("scipy_lm", f"loop of least_squares(method='lm') (sample {speed['sample']})"),
                        ("scipy_trf", f"loop of least_squares() default 'trf' (sample {speed['sample']})"),
                        ("lm", f"loop of lm.levenberg_marquardt (sample {speed['sample']})")]:
        s = speed[f"{name}_s"]
        lines.append(f"| {label} | {s:.1f} | {rate(s)} | {s / speed['batch_s']:.1f}× |")
    lines += [
        "",
        f"Agreement on the sample of {speed['sample']} fits with lm.levenberg_marquardt: "
        f"same status and x to 1e-8 relative {speed.get('agree_both', '?')} (same status {speed['agree_status']}, "
        f"x to 1e-8 {speed.get('agree_x_1e8', '?')}), same nfev {speed['agree_nfev']}, x bit for bit identical "
        f"{speed['agree_bitwise']}; largest relative difference in x {speed['agree_max_rel_x']:.1e}. "
        f"Largest relative excess of the batch's cost over MINPACK's on the sample: "
        f"{speed['cost_vs_minpack_max_rel']:.1e}. Successful fits: {speed['batch_success']:,} of {N:,} "
        f"(differences: {speed['fd_same_success']:,}). The run as one block gives the same x and nfev bit for bit: "
        f"{speed.get('chunks_identical')}.",
        "",
        f"## NIST Misra1a repeated {nist['N']:,} times (both starts, scaled by 0.8 … 1.25)",
        "",
        f"{nist['success']:,} of {nist['N']:,} successful in {nist['seconds']:.1f} s; the smallest number of "
        f"certified digits over all fits: {nist['min_lre_x']:.1f} for the parameters, "
        f"{nist['min_lre_se']:.1f} for the standard errors (NIST-grade: ≥ 6 and ≥ 3). Status counts "
        f"{nist.get('status_counts')}. Against lm.levenberg_marquardt on a sample of {nist.get('agree_sample')} of these fits: "
        f"{nist.get('agree_same')} end with the same status and x to 1e-8 relative; the largest relative difference in x "
        f"is {nist.get('agree_max_rel_x', float('nan')):.1e}. Where they differ, the runs part at the last steps, "
        "where the ill-conditioned Misra1a changes F by no more than its rounding noise (classified on 400 such "
        "fits with tests/test_batch.py's margin test when this was written: 353 the same, 47 parted within 10× "
        "F's measured rounding noise, none otherwise).",
        "",
    ]
    if dask_run:
        d = dask_run
        lines += [
            f"## {d['N']:,} fits through Dask (chunks of {d['chunk']:,}, LocalCluster of 2 worker processes)",
            "",
            "| figure | value |",
            "|---|---|",
            f"| cluster start-up | {d['startup_s']:.1f} s |",
            f"| time to fit (data generated on the workers) | {d['fit_s']:.1f} s |",
            f"| fits per second | {d['fits_per_s']:,.0f} |",
            f"| fits per second per worker | {d['fits_per_s_per_worker']:,.0f} |",
            f"| peak memory, all processes (RSS sum) | {d['peak_rss_gb']:.2f} GB |",
            f"| successful fits | {d['success']:,} |",
            f"| first chunk identical to the in-memory batch | {d['first_chunk_identical']} |",
            "",
        ]
    if results.get("profile"):
        lines += profile_report(results["profile"])
    return "\n".join(lines)


def profile_report(prof: dict) -> list[str]:
    """The section on where the time goes and on the lower bound (``--profile``)."""
    N, total = prof["N"], prof["profiled_s"]
    per_fit = lambda s: f"{s / N * 1e6:.2f} µs"  # noqa: E731
    lines = [
        f"## Where the time goes: a profile of the {N:,} fits (default blocks)",
        "",
        f"Measured on {prof.get('date', '?')}, in CPU seconds of the process (time.process_time: the machine's other "
        f"jobs stretch it much less than the wall clock). Each part of lm.batch wrapped in a timer for one run "
        f"(best of 3; that run took {total:.2f} s, the same run unwrapped {prof['plain_s']:.2f} s; load average {prof.get('load', float('nan')):.1f} at its start). "
        f"The parts overlap nowhere; the remainder is the main loop's own array arithmetic "
        f"(trial points, ρ, the damping update, moving the accepted fits).",
        "",
        "| part | time (s) | share | per fit |",
        "|---|---|---|---|",
    ]
    for label, seconds in sorted(prof["parts"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {seconds:.2f} | {seconds / total:.0%} | {per_fit(seconds)} |")
    rest = total - sum(prof["parts"].values())
    lines.append(f"| the rest (main loop arithmetic) | {rest:.2f} | {rest / total:.0%} | {per_fit(rest)} |")
    its = prof["iterations_per_block"]
    tail = prof["tail"]
    lines += [
        "",
        f"{prof['blocks']} runs of the loop (the blocks of 4096 fits, each until no more than 64 of its fits run, then "
        f"the last fits of all blocks together), {min(its)}–{max(its)} iterations each ({prof['iterations']} in all); "
        f"{prof['fit_iterations']:,} fit-iterations, i.e. {prof['fit_iterations'] / N:.2f} trial steps per fit "
        f"(nfev {prof['nfev'] / N:.2f} and njev {prof['njev'] / N:.2f} per fit). Active fits per iteration in the "
        f"first block: {', '.join(str(a) for a in prof['active_first_block'])}; in the last run: "
        f"{', '.join(str(a) for a in prof.get('active_last_run', []))}.",
        "",
        "| active fits in the iteration | iterations | fit-iterations | time (s) | ms per iteration |",
        "|---|---|---|---|---|",
    ]
    for band, t in tail.items():
        ms = f"{t['ms_per_iteration']:.2f}" if t["ms_per_iteration"] is not None else "–"
        lines.append(f"| {band} | {t['iterations']} | {t['fit_iterations']:,} | {t['seconds']:.2f} | {ms} |")
    b = prof["bound"]
    budget = prof["scipy_lm_per_fit_s"] / 100
    bound = (b["fun_s"] + b["jac_s"]) / N
    normal = bound + b["normal_equations_s"] / N
    lines += [
        "",
        "### A lower bound for any numpy batch solver",
        "",
        f"Only the benchmark's fun and jac, called as in the solve above ({b['fun_calls']} calls of fun on "
        f"{b['fun_fits']:,} fits, {b['jac_calls']} of jac on {b['jac_fits']:,} fits, in the same blocks), "
        f"on ready-made inputs, nothing else: fun {b['fun_s']:.2f} s, jac {b['jac_s']:.2f} s, "
        f"**{bound * 1e6:.2f} µs per fit**. The 100× budget, measured in the same run: a loop of "
        f"least_squares(method='lm') takes {prof['scipy_lm_per_fit_s'] * 1e6:.0f} µs per fit (sample of {prof.get('scipy_sample', 1000)}, "
        f"best of 3), so 100× means **{budget * 1e6:.2f} µs per fit**; the bound is {bound / budget:.0%} of it, which leaves "
        f"{max(budget - bound, 0) * 1e6:.2f} µs per fit, {max(budget - bound, 0) / (prof['fit_iterations'] / N) * 1e6:.2f} µs "
        "per trial step, for all the rest of the algorithm. Forming JᵀJ and Jᵀr of each new J "
        f"(np.matmul; the least a Gauss–Newton-type step does with J, and the normal equations square J's condition number) adds {b['normal_equations_s']:.2f} s: "
        f"{normal * 1e6:.2f} µs per fit, {normal / budget:.0%} of the budget.",
        "",
    ]
    return lines


LOAD_AT_START = os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10⁴ fits, 10⁵ through Dask")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask part (keep its figures from batch_results.json)")
    parser.add_argument("--only-dask", action="store_true", help="rerun only the Dask part (the rest from batch_results.json)")
    parser.add_argument("--profile", action="store_true",
                        help="rerun only the profile and the lower bound (the rest from batch_results.json)")
    args = parser.parse_args()
    N, sample, N_dask, chunk = (10_000, 300, 100_000, 25_000) if args.quick else (100_000, 1000, 1_000_000, 50_000)
    saved = ROOT / "benchmarks" / "batch_results.json"
    if args.only_dask or args.profile:  # keep the other figures of the last run
        results = json.loads(saved.read_text(encoding="utf-8"))
    else:
        results = {"speed": speed_and_agreement(N, sample), "load": LOAD_AT_START, "load_after_speed": os.getloadavg()[0]}
        print(results["speed"], flush=True)
        results["nist"] = nist_repeated(N // 10)
        print(results["nist"], flush=True)
        results["dask"] = None
        if args.no_dask and saved.exists():      # keep the Dask figures of the last run, with their load
            last = json.loads(saved.read_text(encoding="utf-8"))
            for key in ("dask", "load_dask", "load_dask_end"):
                if key in last:
                    results[key] = last[key]
    if args.profile or not args.only_dask:
        load = os.getloadavg()[0]
        results["profile"] = profile_batch(N)
        results["profile"].update(load=load, date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))
        print({k: v for k, v in results["profile"].items() if k != "active_first_block"}, flush=True)
    if not args.no_dask and not args.profile:
        results["load_dask"] = os.getloadavg()[0]
        results["dask"] = through_dask(N_dask, chunk)
        results["load_dask_end"] = os.getloadavg()[0]
        print(results["dask"], flush=True)
    saved.write_text(json.dumps(results, indent=1), encoding="utf-8")
    (ROOT / "benchmarks" / "BATCH_RESULTS.md").write_text(report(results) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
