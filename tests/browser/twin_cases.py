"""Shared by the twin's conformance test (tests/browser/test_twin.py) and the benchmark:
the cases (problem × strategy × scaling × random starts × λ₀), the Python runs, and the
comparison with the JavaScript twin's runs (lm/viz/twin.js)."""
from __future__ import annotations

import json

import numpy as np

import lm
from lm.viz.explore import STRATEGIES, TOLERANCES, make_strategy
from lm.viz.plots import problem_window
from lm.viz.twin import js_source, symbolic_problem

SCALES = ("marquardt", "levenberg")
MAX_NFEV = 200
# a decision this close to its threshold (relative to the quantity's scale: F for reductions,
# ‖r(x₀)‖ for a residual, the threshold itself for a norm) may be flipped by rounding: about
# 4500 ε, room for the dozen roundings in each decision quantity (the runs' own difference so
# far, times 1000, widens it where they already differ more)
NEAR = 1e-12
# J D⁻¹ this ill-conditioned (κε > 2e-8) leaves the steps fewer correct digits on either
# side than the 1e-8 the comparison asks for, and the errors add up along a long path: such
# runs may part without any rule differing (Powell's problem with D = I)
ILL_CONDITIONED = 1e8


TYPED = "x1^2 + x2 - 11, x1 + x2^2 - 7"   # Himmelblau, as a reader types it into the page


def typed_problem(text: str = TYPED):
    """A reader's model: the page parses the text and differences it (central, as lm's
    default jac); the Python side gets the same text through SymPy and jac=None."""
    import sympy as sp

    x1, x2 = sp.symbols("x1 x2")
    exprs = [sp.sympify(t.replace("^", "**"), locals={"x1": x1, "x2": x2}) for t in text.split(",")]
    fun, _ = lm.symbolic.from_sympy(exprs, [x1, x2])
    prob = lm.problems.Problem("typed: " + text, fun, None, x0=[0.0, 0.0], xlim=(-5.0, 5.0), ylim=(-5.0, 5.0))
    prob.typed = text
    return prob


def explorer_problems():
    """Every problem an explorer of the book shows, one more the page supports, and a
    reader's typed model (Jacobian by differences on both sides)."""
    P = lm.problems
    return [P.rosenbrock(), P.beale(), P.powell_badly_scaled(), P.nist("Misra1a"), P.jennrich_sampson(),
            P.freudenstein_roth(), typed_problem()]


def _spec(problem) -> dict:
    if getattr(problem, "typed", None):
        return {"params": ["x1", "x2"], "residuals": [problem.typed], "jacobian": None, "data": None}
    return symbolic_problem(problem).js_spec()


def _numeric(problem):
    if getattr(problem, "typed", None):
        return problem.fun, None
    return symbolic_problem(problem).numeric()


def make_cases(problems, n_starts: int = 50, seed: int = 0):
    """For each problem, strategy and scaling: n_starts random starts in the plot window,
    each with two λ₀ drawn log-uniformly from [1e-4, 1e4] (every 10th: the solver's default)."""
    rng = np.random.default_rng(seed)
    cases = []
    for ip, problem in enumerate(problems):
        (a, b), (c, d) = problem_window(problem)
        for strategy in STRATEGIES:
            for scale in SCALES:
                for k in range(n_starts):
                    x0 = [float(rng.uniform(a, b)), float(rng.uniform(c, d))]
                    for j in range(2):
                        lam0 = None if (k % 10 == 0 and j == 0) else float(10 ** rng.uniform(-4, 4))
                        cases.append({"p": ip, "damping": strategy, "scale": scale, "lam0": lam0, "x0": x0})
    return cases


def python_run(fun, jac, case):
    x0 = np.array(case["x0"])
    damping = case["damping"] if case["lam0"] is None else make_strategy(case["damping"], case["lam0"], None, x0)
    try:
        return lm.levenberg_marquardt(fun, x0, jac, damping=damping, scale=case["scale"], max_nfev=MAX_NFEV,
                                      **TOLERANCES)
    except ValueError:  # a start where r or J is not finite: the twin must refuse it too
        return None


JS_HARNESS = """
(input) => {
  const T = window.lmTwin;
  const problems = input.specs.map(s => T.compileProblem(s));
  return input.cases.map(c => {
    let res;
    try {
      res = T.solve(problems[c.p], c.x0, Object.assign({damping: c.damping, scale: c.scale, lam0: c.lam0,
                                          maxNfev: input.maxNfev, margins: true}, input.tols));
    } catch (e) { return null; }
    const h = res.history;
    return {status: res.status, nit: res.nit, nfev: res.nfev,
            acc: h.map(s => s.accepted ? "1" : "0").join(""),
            t: h.flatMap(s => s.x_trial), lam: h.map(s => s.lam),
            Delta: h.map(s => s.Delta), margins: res.margins, whys: res.whys, x: res.x,
            cond: h.map(s => isFinite(s.cond) ? s.cond : 1e300)};
  });
}
"""


def page_html() -> str:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>twin</title></head><body>"
            f"<script>{js_source('twin.js')}</script></body></html>")


def js_input(problems, cases):
    return {"specs": [_spec(p) for p in problems], "cases": cases, "maxNfev": MAX_NFEV, "tols": TOLERANCES}


EPS = float(np.finfo(float).eps)


def _close(a, b, rtol: float = 1e-8) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return False
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb) or not np.array_equal(a[~fa], b[~fb]):
        return False
    return bool(np.all(np.abs(a[fa] - b[fb]) <= np.maximum(rtol * np.abs(b[fb]), 1e-12)))


def compare(problems, cases, js_results):
    """(agree, near_threshold, disagree): lists of (case, reason)."""
    numeric = [_numeric(p) for p in problems]
    agree, near, bad = [], [], []
    for case, js in zip(cases, js_results):
        fun, jac = numeric[case["p"]]
        py = python_run(fun, jac, case)
        if py is None or js is None:
            (agree if (py is None) == (js is None) else bad).append((case, "start refused" if py is None else "one side refused"))
            continue
        acc = "".join("1" if s.accepted else "0" for s in py.history)
        trial = [v for s in py.history for v in s.x_trial]
        lam = [s.lam for s in py.history]
        reasons = []
        if acc != js["acc"]:
            reasons.append(f"accepted/rejected {acc} vs {js['acc']}")
        if py.status != js["status"]:
            reasons.append(f"status {py.status} vs {js['status']}")
        # from the first step whose actual reduction is below 1e-6·F on (ρ then carries a
        # relative error of ε·F/|actual| > 2e-10, amplified by the λ updates), ρ is a ratio of
        # rounding noise: the λ (or Δ) it sets is not comparable, nor (slightly) what follows
        noisy = next((i for i, s in enumerate(py.history) if abs(s.actual) < 1e-6 * s.cost), len(py.history))
        kappa_all = max([1.0] + [c for c in js.get("cond", []) if c is not None])
        # the two sides' J differ by rounding: ε for an analytic J, but for central differences the
        # rounding of r divided by the step, about ε^(2/3) relative (two formulas for the same r
        # round differently); the solve amplifies it by κ, and a new difference J at every iterate
        # adds its own error along the path (measured: 2.1e-8 after 12 steps of Himmelblau at
        # κ = 5.5, where 100κε^(2/3) = 2.0e-8), hence the wider margin there
        unit = 100 * EPS if jac is not None else 1000 * EPS ** (2 / 3)
        allowed_all = max(1e-8, unit * kappa_all)
        # λ comes from the singular values of J D⁻¹ (λ = 0 at Δ ≥ ‖Dp_GN‖, else the secular
        # equation), whose smallest the two SVDs know to about κε relative: λ is compared to
        # max(1e-8, 100κε), the trial points to 1e-8 up to the first noisy step
        if not reasons and not (_close(js["t"][:2 * (noisy + 1)], trial[:2 * (noisy + 1)])
                                and _close(js["t"], trial, rtol=allowed_all)
                                and _close(js["lam"][:noisy + 1], lam[:noisy + 1], rtol=allowed_all)):
            reasons.append("iterates differ")
        if not reasons:
            agree.append((case, ""))
            continue
        # where did they part? the first differing trial step (or the last one, for the status)
        n = min(len(acc), len(js["acc"]))
        first = next((j for j in range(n) if acc[j] != js["acc"][j]), n - 1)
        # up to there the two runs must agree to the tolerance; their difference δ so far
        # (rounding, amplified along the path) bounds how close to a threshold a decision
        # must have been to flip
        t_js, t_py = np.array(js["t"][:2 * first], float), np.array(trial[:2 * first], float)
        # normwise per trial point, as a forward-error bound holds: ‖Δx‖ / ‖x‖
        a, b = t_js.reshape(-1, 2), t_py.reshape(-1, 2)
        ok = np.all(np.isfinite(a) & np.isfinite(b), axis=1)
        delta = float(np.max(np.linalg.norm(a[ok] - b[ok], axis=1) / np.maximum(np.linalg.norm(b[ok], axis=1), 1e-300),
                             initial=0.0))
        window = range(max(first - 1, 0), min(first + 1, len(js["margins"])))
        marked = [(js["margins"][i], js["whys"][i]) for i in window if js["margins"][i] is not None]
        margins = [m for m, _ in marked]
        decision = min(marked)[1] if marked else ""
        # a backward-stable solve errs by about κ·ε forwards (κ: condition number of J D⁻¹),
        # so where J is ill-conditioned the two sides' iterates may differ by up to ~100κε
        kappa = max([1.0] + [c for c in js.get("cond", [])[:first + 1] if c is not None])
        allowed = max(1e-8, unit * kappa)
        prefix_ok = delta <= allowed and _close(js["lam"][:min(first, noisy + 1)], lam[:min(first, noisy + 1)], rtol=allowed)
        if kappa >= ILL_CONDITIONED and delta <= 1e-2:
            case = dict(case, decision="ill-conditioned")
            near.append((case, "; ".join(reasons) + f" (ill-conditioned: κ = {kappa:.1e} before trial {first}, δ = {delta:.1e})"))
        elif prefix_ok and margins and min(margins) <= max(NEAR, 1e3 * delta):
            case = dict(case, decision=decision)
            near.append((case, "; ".join(reasons) + f" ({decision}: margin {min(margins):.1e} at trial {first}, δ = {delta:.1e})"))
        else:
            bad.append((case, "; ".join(reasons) + ("" if prefix_ok else
                        f"; iterates differ by {delta:.1e} before trial {first} (κ = {kappa:.1e})")))
    return agree, near, bad


if __name__ == "__main__":  # quick check with node: python tests/twin_cases.py
    import subprocess
    import tempfile

    problems = explorer_problems()
    import sys
    cases = make_cases(problems, n_starts=int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as fh:
        fh.write("global.window = global;\n" + js_source("twin.js") + "\nconst input = " + json.dumps(js_input(problems, cases)) +
                 ";\nconsole.log(JSON.stringify((" + JS_HARNESS + ")(input)));\n")
    out = subprocess.run(["node", fh.name], capture_output=True, text=True, check=True).stdout
    agree, near, bad = compare(problems, cases, json.loads(out))
    print(len(agree), len(near), len(bad))
    from collections import Counter
    print("near by problem", Counter(problems[c["p"]].name for c, _ in near))
    print("bad by problem", Counter(problems[c["p"]].name for c, _ in bad))
    for c, why in bad[:10]:
        print(c, why)
