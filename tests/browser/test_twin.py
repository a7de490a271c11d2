"""Conformance of the website's solver (lm/viz/twin.js) with lm, in headless Chromium.

For every explorer problem (tests/browser/twin_cases.py; and a reader's typed Himmelblau model,
differenced on both sides as lm's default jac does), each strategy, both scalings, 50
random starts in the plot window and two λ₀ per start (log-uniform in [1e-4, 1e4], or the
solver's default): the JavaScript run and the Python run on the same SymPy formulas have the
same number of trial steps, the same accepted/rejected sequence and the same final status, and
every trial point and λ agree to 1e-8 relative (1e-12 absolute). All cases run in ONE page
evaluation.

Both sides stop at the explorers' tolerances (lm.viz.explore.TOLERANCES: xtol = 1e-8,
gtol = 1e-6, ftol = 1e-10). With lm's defaults (ftol = gtol = 1e-15, xtol = 1e-10) a run goes on
until F changes only at its rounding level, and a fifth of the runs parted there: a stall count
of |actual| ≤ 10ε·F, a predicted reduction ≤ 10ε·F (status 5 or 2), the sign of an actual
reduction of 1e-16·F, and (on Jennrich–Sampson, whose minimum lies on the line x₁ = x₂ where J is
singular) steps taken at κ(J D⁻¹) > 1e8, where the two SVDs agree to fewer digits than asked.
At the explorers' tolerances a decisive test (xtol, gtol, ftol well above F's rounding) ends
nearly every run first.

Rounding still differs between the two sides (numpy's LAPACK SVD and BLAS products, with fused
multiply-adds, against the twin's one-sided Jacobi SVD), so a decision taken within rounding of
its threshold may go either way. The twin records, per trial step, the smallest distance of any
of its decisions to its threshold (relative to the quantity's scale) and which decision that
was; a run whose first difference sits at such a decision (margin ≤ NEAR ≈ 4500ε, or ≤ 1000× the
two runs' difference so far) is reported separately, as are runs on a J D⁻¹ with κ ≥ 1e8 (κε
above the 1e-8 asked for). Any other difference fails the test, so changing an update rule on
either side fails it (the second test changes one on purpose).

What still parts, and why:

- ``r_zero``: the run lands on a minimum with r = 0 that is exactly representable (Rosenbrock's
  (1, 1) after the trust region's two Gauss–Newton steps) on one side, and one ulp beside it on
  the other. Since lm tests xtol before the gradient test (MINPACK's order), both sides end with
  status 3 there; a run that still parts this way is labelled ``r_zero`` and counted with the
  others under the 1 % budget.
- every other decision near its threshold, and ill-conditioned runs: together with the above
  under NEAR_BUDGET, the issue's 1 %.
"""
from __future__ import annotations

import pytest

from .twin_cases import JS_HARNESS, compare, explorer_problems, js_input, make_cases, page_html

pytestmark = pytest.mark.browser

NEAR_BUDGET = 0.01  # the limit: runs parting at a decision within rounding of its threshold


@pytest.fixture(scope="module")
def twin_page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content(page_html())
    assert page.evaluate("typeof window.lmTwin") == "object", errors
    yield page
    context.close()


def run_js(page, problems, cases):
    return page.evaluate(JS_HARNESS, js_input(problems, cases))


def test_twin_conforms_to_lm_on_every_explorer_problem(twin_page):
    problems = explorer_problems()
    cases = make_cases(problems, n_starts=50)
    agree, near, bad = compare(problems, cases, run_js(twin_page, problems, cases))
    report = "\n".join(f"{problems[c['p']].name} {c}: {why}" for c, why in bad[:15])
    assert not bad, f"{len(bad)} of {len(cases)} runs differ beyond rounding:\n{report}"
    zero = [(c, why) for c, why in near if c["decision"] == "r_zero"]
    rest = [(c, why) for c, why in near if c["decision"] != "r_zero"]
    print(f"\ntwin vs lm: {len(agree)} of {len(cases)} runs agree, {len(rest)} part at a decision within "
          f"rounding of its threshold ({100 * len(rest) / len(cases):.2f} %), {len(zero)} at an exactly zero "
          f"residual on one side ({100 * len(zero) / len(cases):.2f} %), {len(bad)} differ")
    assert len(near) <= NEAR_BUDGET * len(cases), (
        f"{len(near)} of {len(cases)} runs part at a decision within rounding of its threshold:\n"
        + "\n".join(f"{problems[c['p']].name}: {why}" for c, why in near[:15]))
    assert len(agree) + len(near) == len(cases)


def test_a_changed_update_rule_is_caught(twin_page):
    """The check can fail: the twin with Marquardt's factor 10 → 9 (or the trust region
    growing by 3 instead of 2) disagrees with lm on most runs, beyond rounding."""
    problems = explorer_problems()[:2]
    cases = [c for c in make_cases(problems, n_starts=5) if c["damping"] in ("marquardt", "trust-region")]
    js = twin_page.evaluate("""(input) => { const T = window.lmTwin;
      const problems = input.specs.map(s => T.compileProblem(s));
      function changed(kind, lam0) {
        const st = T.makeDamping(kind, lam0), up = st.update;
        if (kind === 'marquardt') { st.update = (rho) => { st.lam = rho > 0 ? st.lam / 9 : Math.max(st.lam, 1e-300) * 9; }; }
        else { st.update = (rho, p, sub) => { up(rho, p, sub); if (rho > 0.75) { st.Delta *= 1.5; } }; }
        return st;
      }
      return input.cases.map(c => {
        const res = T.solve(problems[c.p], c.x0, Object.assign({strategy: changed(c.damping, c.lam0), scale: c.scale,
                                                  maxNfev: input.maxNfev, margins: true}, input.tols));
        const h = res.history;
        return {status: res.status, nit: res.nit, nfev: res.nfev, acc: h.map(s => s.accepted ? "1" : "0").join(""),
                t: h.flatMap(s => s.x_trial), lam: h.map(s => s.lam), Delta: h.map(s => s.Delta), margins: res.margins, whys: res.whys, x: res.x};
      }); }""", js_input(problems, cases))
    agree, near, bad = compare(problems, cases, js)
    print(f"\nwith a changed rule: {len(bad)} of {len(cases)} runs differ beyond rounding, {len(near)} part near a threshold")
    assert len(bad) >= 0.5 * len(cases), (len(agree), len(near), len(bad))


def test_a_column_norm_beyond_1e154_is_no_infinite_D_in_the_twin(twin_page):
    """As lm.subproblem.column_norms: ‖J_j‖² overflows for entries beyond 1e154, though ‖J_j‖ is a
    float. The twin then had D = inf and claimed xtol (3) at x₀ (cost 1.5e296); now it reaches the
    lstsq minimum as lm does, and a norm beyond the largest float is refused at the start."""
    import numpy as np
    import lm

    js = twin_page.evaluate("""() => { const T = window.lmTwin, out = [];
      for (const [a, x1, m] of [[1e200, 1e-160, 3], [1e308, 1e-160, 3], [1e308, 1e-160, 4]]) {
        const fun = x => Array.from({length: m}, (_, i) => a * x[0] - (i + 1) + (i === m - 1 ? x[1] : 0));
        const jac = x => Array.from({length: m}, (_, i) => [a, i === m - 1 ? 1 : 0]);
        try { const res = T.solve({fun: fun, jac: jac}, [x1, 5], {}); out.push([res.status, res.x, res.cost]); }
        catch (e) { out.push(e.message); }
      }
      return out; }""")
    for (a, x1, m), got in zip([(1e200, 1e-160, 3), (1e308, 1e-160, 3)], js):
        t = np.arange(1.0, m + 1)
        fun = lambda x, a=a, t=t, m=m: a * x[0] - t + np.r_[np.zeros(m - 1), x[1]]  # noqa: E731
        J = np.c_[np.full(m, a), np.r_[np.zeros(m - 1), 1.0]]
        ref = lm.levenberg_marquardt(fun, [x1, 5.0], lambda x, J=J: J)
        status, x, cost = got
        assert status > 0 and cost == pytest.approx(ref.cost, rel=1e-12) == pytest.approx(0.25, rel=1e-12)
        np.testing.assert_allclose(a * x[0], a * ref.x[0], rtol=1e-8)
    assert "column norms" in js[2] and "overflow" in js[2]


def test_the_twin_checks_a_blamed_jacobian_as_lm_does(twin_page):
    """As lm.solver._blame_jac: −2 only after J has been compared with central differences, the
    rounding of r measured by a second difference. The rule itself, point by point: the twin's
    blameJac and lm's _blame_jac give the same verdict on a right and a wrong J (the factor t
    forgotten), with and without an offset of 10¹⁰ inside r (r a small difference of large
    terms), and without budget. And whole runs: a correct J with the offset was blamed by the old
    twin in 39 of 40 runs; now in none, while the wrong J without offset is still blamed."""
    import numpy as np
    from lm.solver import _blame_jac

    t = np.linspace(0, 4, 25)
    rng = np.random.default_rng(3)
    y = 2 * np.exp(-0.7 * t) + 0.01 * rng.standard_normal(t.size)
    cases = [(off, kind, rng.uniform(0.1, 4, 2).tolist(), budget)
             for off in (0.0, 1e10) for kind in ("right", "wrong") for _ in range(5) for budget in (True, False)]
    js = twin_page.evaluate("""([t, y, cases]) => { const T = window.lmTwin;
      function problem(off, kind) {
        return {fun: x => t.map((ti, i) => (x[0] * Math.exp(-x[1] * ti) + off) - (y[i] + off)),
                jac: x => t.map(ti => [Math.exp(-x[1] * ti), -x[0] * (kind === "right" ? ti : 1) * Math.exp(-x[1] * ti)])};
      }
      const verdicts = cases.map(([off, kind, x, budget]) => {
        const p = problem(off, kind);
        return T.blameJac(p.fun, x, p.fun(x), p.jac(x), budget); });
      const runs = cases.filter(c => c[3]).map(([off, kind, x]) => T.solve(problem(off, kind), x, {}).status);
      return [verdicts, runs]; }""", [t.tolist(), y.tolist(), cases])
    verdicts, runs = js
    for (off, kind, x, budget), verdict in zip(cases, verdicts):
        x = np.array(x)
        fun = lambda z, off=off: (z[0] * np.exp(-z[1] * t) + off) - (y + off)  # noqa: E731
        J = np.c_[np.exp(-x[1] * t), -x[0] * (t if kind == "right" else 1.0) * np.exp(-x[1] * t)]
        assert verdict == _blame_jac(fun, x, fun(x), J, np.finfo(float).eps, budget), (off, kind, x.tolist(), budget)
        if kind == "right" or not budget:
            assert verdict == -4
        elif off == 0:
            assert verdict == -2           # (with the offset a wrong J may or may not stand out of the noise)
    kinds = [(off, kind) for off, kind, _, budget in cases if budget]
    assert -2 not in [s for (off, kind), s in zip(kinds, runs) if kind == "right"]
    assert -2 in [s for (off, kind), s in zip(kinds, runs) if kind == "wrong" and off == 0]


def test_the_twin_sees_parameters_that_cancel_as_lm_does(twin_page):
    """lm.solver._StoppingTests._diverged's cancellation case, point by point in the twin: two
    parameters grown 10⁶-fold whose contributions J₁x₁ + J₂x₂ cancel on a nearly collinear J.
    A convergence test is met (ftol = 10⁻⁶: the Gauss–Newton promise); both sides say −3 when
    the columns are collinear to 10⁻¹¹ (J D⁻¹ ill-conditioned), a success at 10⁻³ (well
    conditioned: no evidence) and when the parameters do not cancel (x₂ of the same sign)."""
    import numpy as np
    from lm.solver import _StoppingTests
    from lm.subproblem import Subproblem

    t = np.linspace(0, 1, 12)
    cases = []
    for delta, sign in ((1e-11, -1.0), (1e-3, -1.0), (1e-11, 1.0)):
        J = np.c_[np.ones_like(t), 1 + delta * t]
        x = np.array([1e6, sign * 1e6])
        r = 1e-3 * np.cos(7 * t)
        r = r - J @ np.linalg.lstsq(J, r, rcond=None)[0]                   # r ⟂ range(J): GN promises 0
        cases.append((J, x, r))
    ours = []
    for J, x, r in cases:
        D = np.linalg.norm(J, axis=0)
        tests = _StoppingTests(1e-6, 1e-10, 1e-15, 10**6, None, 1.0, np.ones(2), np.finfo(float).eps)
        ours.append(tests.at_point(x, J.T @ r, D, Subproblem(r, J, D), 0.5 * float(r @ r)))
    js = twin_page.evaluate("""(cases) => { const T = window.lmTwin;
      return cases.map(([J, x, r]) => {
        const D = [0, 1].map(j => Math.sqrt(J.reduce((a, row) => a + row[j] * row[j], 0)));
        const tests = T.stoppingTests(1e-6, 1e-10, 1e-15, 1e6, 1.0, [1, 1], T.EPS, null, false);
        const g = [0, 1].map(j => J.reduce((a, row, i) => a + row[j] * r[i], 0));
        return tests.atPoint(x, g, D, T.subproblem(r, J, D), 0.5 * r.reduce((a, v) => a + v * v, 0)); }); }""",
        [[J.tolist(), x.tolist(), r.tolist()] for J, x, r in cases])
    assert ours[0] == -3 and ours[1] > 0 and ours[2] > 0 and js == ours, (ours, js)


def test_the_twin_tells_differencing_noise_from_a_real_singular_value_as_lm_does(twin_page):
    """As lm.solver._resolved_verdict: a·b·t (J of rank 1 everywhere) with central differences
    ends with success (5) at the least-squares slope in the twin as in lm, from every start;
    before, both ended many such runs with −4 ("before x was shown stationary")."""
    import numpy as np
    import lm

    t = np.linspace(0, 1, 20)
    rng = np.random.default_rng(3)
    Y = 3.0 * t + 0.1 * rng.standard_normal((12, 20))
    X0 = rng.uniform(0.5, 3, (12, 2))
    js = twin_page.evaluate("""([t, Y, X0]) => { const T = window.lmTwin;
      return Y.map((y, k) => { const res = T.solve({fun: x => t.map((ti, i) => x[0] * x[1] * ti - y[i]), jac: null}, X0[k], {});
        return [res.status, res.x[0] * res.x[1]]; }); }""", [t.tolist(), Y.tolist(), X0.tolist()])
    for (status, slope), x0, y in zip(js, X0, Y):
        ref = lm.levenberg_marquardt(lambda x, y=y: x[0] * x[1] * t - y, x0)
        assert status == ref.status == 5
        assert slope == pytest.approx((t @ y) / (t @ t), rel=1e-6)
