"""Statistics against independent truth: scipy's curve_fit covariance (relative and absolute
σ), the inverse of JᵀJ, and the delta-method band computed by hand."""
import numpy as np
import pytest
from scipy.optimize import curve_fit

import lm
from lm import stats
from lm.problems import CLASSICS


def fit_weighted():
    rng = np.random.default_rng(3)
    t = np.linspace(0, 4, 30)
    sigma = 0.02 + 0.03 * t
    y = 2.0 * np.exp(-0.7 * t) + sigma * rng.standard_normal(t.size)
    model = lambda t, a, k: a * np.exp(-k * t)  # noqa: E731
    res = lm.levenberg_marquardt(lambda b: (y - model(t, *b)) / sigma, [1.0, 1.0],
                                 lambda b: -np.column_stack([np.exp(-b[1] * t), -b[0] * t * np.exp(-b[1] * t)]) / sigma[:, None])
    return t, y, sigma, model, res


@pytest.mark.parametrize("absolute_sigma", [False, True])
def test_covariance_matches_curve_fit(absolute_sigma):
    t, y, sigma, model, res = fit_weighted()
    popt, pcov = curve_fit(model, t, y, p0=[1.0, 1.0], sigma=sigma, absolute_sigma=absolute_sigma)
    assert np.allclose(res.x, popt, rtol=1e-6)
    assert np.allclose(res.covariance(absolute_sigma=absolute_sigma), pcov, rtol=1e-5)
    assert np.allclose(res.standard_errors(absolute_sigma), np.sqrt(np.diag(pcov)), rtol=1e-5)


def test_reduced_chi2_and_correlation():
    t, y, sigma, model, res = fit_weighted()
    chi2 = stats.reduced_chi2(res.fun, 2)
    assert np.isclose(chi2, res.fun @ res.fun / (t.size - 2)) and 0.4 < chi2 < 2.0
    C = res.covariance()
    R = res.correlation()
    assert np.allclose(np.diag(R), 1.0) and np.allclose(R, R.T) and abs(R[0, 1]) < 1
    assert np.isclose(R[0, 1], C[0, 1] / np.sqrt(C[0, 0] * C[1, 1]))
    J = res.jac
    assert np.allclose(stats.covariance(J, res.fun, absolute_sigma=True), np.linalg.inv(J.T @ J), rtol=1e-8)


def test_confidence_band_is_the_delta_method():
    P = CLASSICS["exponential_decay"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    C = res.covariance()
    tt = np.linspace(0, 5, 7)
    half = stats.confidence_band(P.model_jac, res.x, tt, C, level=0.95, dof=P.m - 2)
    G = P.model_jac(res.x, tt)
    from scipy.stats import t as student
    expected = student.ppf(0.975, P.m - 2) * np.sqrt(np.einsum("ij,jk,ik->i", G, C, G))
    assert np.allclose(half, expected)
    s2 = stats.reduced_chi2(res.fun, 2)
    wider = stats.confidence_band(P.model_jac, res.x, tt, C, level=0.95, dof=P.m - 2, s2=s2)
    assert np.all(wider > half)


def test_errors():
    J = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    with pytest.raises(ValueError, match="rank deficient"):
        stats.covariance(J, np.ones(3))
    with pytest.raises(ValueError, match="more residuals than parameters"):
        stats.covariance(np.eye(2), np.ones(2))
    with pytest.raises(ValueError, match="shape"):
        stats.covariance(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="level"):
        stats.t_quantile(1.5, 3)


def test_lre_counts_agreeing_digits():
    assert np.allclose(stats.lre([1.23456789, 2.0], [1.23456000, 2.0]), [-np.log10(789e-8 / 1.23456), 15.0])
    assert stats.lre([np.nan], [1.0])[0] == 0.0 and stats.lre([5.0], [1.0])[0] == 0.0
    assert np.isclose(stats.lre([100.1], [100.0])[0], 3.0)
