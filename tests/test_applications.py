"""What the applications chapters (8 fitting real data, 9 lm versus MINPACK, 10 practice)
rely on, checked against independent truth: NIST's certified values and standard deviations,
scipy's curve_fit covariances, scipy's MINPACK, and the known minima of Freudenstein–Roth."""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import curve_fit, least_squares, leastsq, root

import lm
from lm.damping import Nielsen, TrustRegion
from lm.problems import freudenstein_roth, nist
from conftest import NIST_DIR

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_PROBLEMS = ["Misra1a", "Thurber", "MGH09", "BoxBOD", "Gauss1"]
FR_LOCAL_COST = 24.492126839619996      # ½‖r‖² at the local minimum near (11.4128, −0.8968)


def lre(x, certified):
    """Log relative error: the number of agreeing significant digits."""
    err = np.abs(np.asarray(x, dtype=float) - certified) / np.abs(certified)
    return -np.log10(np.maximum(err, 1e-16))


def problem(name):
    return nist(NIST_DIR / f"{name}.dat")


# --- chapter 8: certified values and standard deviations ---------------------------------


@pytest.mark.parametrize("start", [0, 1], ids=["start1", "start2"])
@pytest.mark.parametrize("name", CHAPTER_PROBLEMS)
def test_nist_fit_reaches_certified_values(name, start):
    P = problem(name)
    res = lm.levenberg_marquardt(P.fun, P.starts[start], P.jac)
    assert res.success, res.message
    digits = lre(res.x, P.certified.params)
    assert digits.min() >= 6, f"{name} start {start + 1}: digits {digits.round(1)}"
    sd_digits = lre(res.standard_errors(), P.certified.std_devs)
    assert sd_digits.min() >= 3, f"{name} start {start + 1}: sd digits {sd_digits.round(1)}"
    assert np.isclose(2 * res.cost, P.certified.rss, rtol=1e-8)


def test_thurber_parameters_are_strongly_correlated():
    """Chapter 8 says Thurber's numerator and denominator coefficients are nearly dependent."""
    P = problem("Thurber")
    res = lm.levenberg_marquardt(P.fun, P.starts[1], P.jac)
    R = res.correlation()
    assert np.allclose(np.diag(R), 1) and np.allclose(R, R.T)
    assert np.abs(R[~np.eye(P.n, dtype=bool)]).max() > 0.99


def test_confidence_band_widens_when_extrapolating():
    P = problem("Misra1a")
    res = lm.levenberg_marquardt(P.fun, P.starts[1], P.jac)
    C, dof = res.covariance(), P.m - P.n
    x = P.data[0]
    inside = lm.stats.confidence_band(P.model_jac, res.x, np.linspace(x.min(), x.max(), 50), C, dof=dof)
    outside = lm.stats.confidence_band(P.model_jac, res.x, np.array([1500.0]), C, dof=dof)
    s2 = lm.stats.reduced_chi2(res.fun, P.n)
    pred = lm.stats.confidence_band(P.model_jac, res.x, x, C, dof=dof, s2=s2)
    assert outside[0] > 3 * inside.max()
    assert np.all(pred > lm.stats.confidence_band(P.model_jac, res.x, x, C, dof=dof))


def weighted_decay():
    """Chapter 8's weighted fit: y = A e^{−t/τ} + B with known, unequal σ."""
    rng = np.random.default_rng(2026)
    t = np.linspace(0.0, 10.0, 40)

    def decay(t, A, tau, B):
        return A * np.exp(-t / tau) + B

    def decay_jac(t, A, tau, B):
        e = np.exp(-t / tau)
        return np.column_stack([e, A * t / tau**2 * e, np.ones_like(t)])

    truth = (5.0, 2.0, 0.5)
    sigma = 0.05 * decay(t, *truth) + 0.02
    y = decay(t, *truth) + sigma * rng.standard_normal(t.size)
    res = lm.levenberg_marquardt(lambda b: (y - decay(t, *b)) / sigma, [1.0, 1.0, 0.0],
                                 lambda b: -decay_jac(t, *b) / sigma[:, None])
    return t, y, sigma, decay, decay_jac, res


@pytest.mark.parametrize("absolute_sigma", [False, True])
def test_weighted_covariance_equals_curve_fit(absolute_sigma):
    t, y, sigma, decay, decay_jac, res = weighted_decay()
    popt, pcov = curve_fit(decay, t, y, p0=[1.0, 1.0, 0.0], sigma=sigma, absolute_sigma=absolute_sigma,
                           jac=decay_jac, xtol=1e-14, ftol=1e-14)
    assert np.allclose(res.x, popt, rtol=1e-9)
    assert np.allclose(res.covariance(absolute_sigma=absolute_sigma), pcov, rtol=1e-7)


def test_relative_sigma_ignores_a_common_scale_of_the_error_bars():
    t, y, sigma, decay, decay_jac, res = weighted_decay()
    big = lm.levenberg_marquardt(lambda b: (y - decay(t, *b)) / (10 * sigma), [1.0, 1.0, 0.0],
                                 lambda b: -decay_jac(t, *b) / (10 * sigma[:, None]))
    assert np.allclose(big.x, res.x, rtol=1e-8)
    assert np.allclose(big.standard_errors(False), res.standard_errors(False), rtol=1e-6)
    assert np.allclose(big.standard_errors(True), 10 * res.standard_errors(True), rtol=1e-6)


# --- chapter 9: BoxBOD from start 1, and the saved benchmark --------------------------------


def test_boxbod_start1_minpack_stops_on_the_plateau_lm_does_not():
    P = problem("BoxBOD")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for jac in ("2-point", P.jac):
            mp = least_squares(P.fun, P.starts[0], jac, method="lm")
            assert mp.x[1] > 50, mp.x                           # the false point: b2 on the plateau
            assert np.isclose(mp.x[0], P.data[1].mean())         # b1 = mean(y): the plateau's minimum
            assert np.abs(mp.grad).max() < 1e-20                 # the gradient vanishes there
            assert mp.cost > 5 * P.cost_star
    res = lm.levenberg_marquardt(P.fun, P.starts[0], P.jac)
    assert lre(res.x, P.certified.params).min() >= 6
    # its first step is limited to ‖D p‖ ≤ ‖D x0‖, up to the 10 % tolerance of the radius search
    first = res.history[0]
    assert np.linalg.norm(first.D * first.p) <= 1.1 * np.linalg.norm(first.D * P.starts[0])


def test_boxbod_start1_the_first_radius_decides():
    P = problem("BoxBOD")
    strict = dict(ftol=2.3e-16, xtol=2.3e-16, gtol=2.3e-16)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        tr100 = lm.levenberg_marquardt(P.fun, P.starts[0], P.jac, damping=TrustRegion(factor=100))
        nielsen_free = lm.levenberg_marquardt(P.fun, P.starts[0], P.jac, damping=Nielsen(lam0=1e-3))
        nielsen = lm.levenberg_marquardt(P.fun, P.starts[0], P.jac, damping=Nielsen())
        mp1 = leastsq(P.fun, P.starts[0], Dfun=P.jac, factor=1, **strict)[0]
        mp100 = leastsq(P.fun, P.starts[0], Dfun=P.jac, factor=100, **strict)[0]
    assert tr100.x[1] > 50 and nielsen_free.x[1] > 50 and mp100[1] > 50
    assert lre(nielsen.x, P.certified.params).min() >= 6
    assert lre(mp1, P.certified.params).min() >= 6


def test_saved_benchmark_supports_the_chapter():
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    summary, runs = results["summary"], results["runs"]
    assert summary["NIST/analytic"]["minpack_failed"] == ["BoxBOD/1"]
    assert all(s["lm_solved"] >= s["minpack_solved"] for s in summary.values())
    for mode in ("analytic", "differences", "defaults"):
        lm_runs = [(r["problem"], r["start"]) for r in runs if r["suite"] == "NIST" and r["mode"] == mode and r["solver"] == "lm"]
        mp_runs = [(r["problem"], r["start"]) for r in runs if r["suite"] == "NIST" and r["mode"] == mode and r["solver"] == "minpack"]
        assert lm_runs == mp_runs and len(lm_runs) == 2 * len(list(NIST_DIR.glob("*.dat")))


# --- chapter 10: Jacobian check, local minima, bounds, equations -----------------------------


def test_check_jacobian_flags_the_wrong_column():
    P = problem("Misra1a")
    x = P.data[0]

    def wrong(b):                                                # ∂/∂b2 without the inner factor x
        e = np.exp(-b[1] * x)
        return -np.column_stack([1 - e, b[0] * e])

    good = lm.check_jacobian(P.fun, P.jac, P.starts[0])
    bad = lm.check_jacobian(P.fun, wrong, P.starts[0])
    assert good.ok and good.max_error < 1e-8
    assert not bad.ok and bad.worst_column == 1 and bad.column_errors[0] < 1e-8
    assert bad.column_errors[1] > 0.5
    res = lm.levenberg_marquardt(P.fun, P.starts[0], wrong)     # the solver stops at a wrong point
    assert res.cost > 10 * P.cost_star


@pytest.mark.parametrize("start", [(15.0, -2.0), (0.5, -2.0)])
def test_freudenstein_roth_local_minimum(start):
    fr = freudenstein_roth()
    res = lm.levenberg_marquardt(fr.fun, start, fr.jac)
    assert np.isclose(res.cost, FR_LOCAL_COST, rtol=1e-8)
    assert np.allclose(res.x, [11.4128, -0.8968], atol=1e-3)
    assert np.abs(res.grad).max() < 1e-6                         # a stationary point with F ≠ 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mp = least_squares(fr.fun, start, fr.jac, method="lm")
        hybr = root(fr.fun, start, jac=fr.jac, method="hybr")
    assert np.isclose(mp.cost, FR_LOCAL_COST, rtol=1e-6)          # MINPACK ends there too
    assert not hybr.success                                       # Powell's hybrid method reports failure


def test_freudenstein_roth_global_minimum():
    fr = freudenstein_roth()
    res = lm.levenberg_marquardt(fr.fun, [5.0, 6.0], fr.jac)
    assert res.cost < 1e-12 and np.allclose(res.x, [5.0, 4.0], atol=1e-6)


def decay_si():
    """Chapter 10's decay in SI units: A ~ 2e4 counts, τ ~ 2e-3 s, c ~ 150 counts."""
    rng = np.random.default_rng(1)
    t = np.linspace(0.0, 0.01, 50)
    y = 2.0e4 * np.exp(-t / 2.0e-3) + 150.0 + 200.0 * rng.standard_normal(t.size)
    fun = lambda b: b[0] * np.exp(-t / b[1]) + b[2] - y  # noqa: E731

    def jac(b):
        e = np.exp(-t / b[1])
        return np.column_stack([e, b[0] * t / b[1] ** 2 * e, np.ones_like(t)])

    return t, y, fun, jac


def test_marquardt_scaling_rescues_the_badly_scaled_decay():
    t, y, fun, jac = decay_si()
    x0 = [1e3, 1e-2, 0.0]
    with np.errstate(all="ignore"):
        good = lm.levenberg_marquardt(fun, x0, jac, scale="marquardt")
        bad = lm.levenberg_marquardt(fun, x0, jac, scale="levenberg")
    assert np.isclose(good.x[1], 2e-3, rtol=0.05)
    assert bad.cost > 10 * good.cost


def test_log_linear_start_from_the_data():
    t, y, fun, jac = decay_si()
    c0 = np.median(y[-10:])
    z = y - c0
    use = z > 0.05 * z.max()
    slope, intercept = np.polyfit(t[use], np.log(z[use]), 1)
    x_data = np.array([np.exp(intercept), -1 / slope, c0])
    assert np.allclose(x_data[:2], [2e4, 2e-3], rtol=0.1)
    res = lm.levenberg_marquardt(fun, x_data, jac)
    ref = lm.levenberg_marquardt(fun, [1e3, 1e-2, 0.0], jac)
    assert np.isclose(res.cost, ref.cost, rtol=1e-10) and res.nfev < ref.nfev


def test_reparametrization_matches_bounds():
    rng = np.random.default_rng(1)
    t = np.linspace(0.0, 6.0, 30)
    y = 2.0 * np.exp(-t) + 0.05 * rng.standard_normal(t.size)
    fun = lambda b: b[0] * np.exp(-b[1] * t) + b[2] - y  # noqa: E731
    jac = lambda b: np.column_stack([np.exp(-b[1] * t), -b[0] * t * np.exp(-b[1] * t), np.ones_like(t)])  # noqa: E731
    free = lm.levenberg_marquardt(fun, [1.0, 1.0, 0.1], jac)
    trf = least_squares(fun, [1.0, 1.0, 0.1], jac, method="trf", bounds=([-np.inf, -np.inf, 0.0], np.inf))
    rep = lm.levenberg_marquardt(lambda u: fun([u[0], u[1], np.exp(u[2])]), [1.0, 1.0, np.log(0.1)],
                                 lambda u: jac([u[0], u[1], np.exp(u[2])]) * np.array([1, 1, np.exp(u[2])]))
    assert free.x[2] < 0 and trf.active_mask[2] == -1
    assert np.isclose(rep.cost, trf.cost, rtol=1e-8) and np.allclose(rep.x[:2], trf.x[:2], rtol=1e-6)


def test_nonlinear_system_as_least_squares():
    F = lambda x: np.array([x[0] ** 2 + x[1] ** 2 - 4, np.exp(x[0]) + x[1] - 1])  # noqa: E731
    JF = lambda x: np.array([[2 * x[0], 2 * x[1]], [np.exp(x[0]), 1.0]])  # noqa: E731
    roots = [lm.levenberg_marquardt(F, s, JF).x for s in [(-1.0, 1.0), (2.0, -2.0)]]
    for x in roots:
        assert np.abs(F(x)).max() < 1e-10
    assert np.linalg.norm(roots[0] - roots[1]) > 1                # two different intersections
