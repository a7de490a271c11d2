"""The line-search Gauss–Newton baseline (lm.baselines.damped_gauss_newton): Armijo decrease on
every step, exact on linear problems, converges where the undamped step overshoots, and says
so when it cannot go on (the book's chapter 04 relies on each of these)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import lm
from lm.baselines import damped_gauss_newton, gauss_newton
from lm.problems import exponential_decay, jennrich_sampson, rosenbrock


def _armijo_holds(res, c1=1e-4):
    for s in res.history:
        alpha_slope = -s.predicted                                  # α gᵀp
        assert s.cost_trial <= s.cost + c1 * alpha_slope * (1 - 1e-12) + 1e-300
        assert s.cost_trial <= s.cost                               # never uphill


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(3, 12), st.integers(1, 3))
def test_linear_residuals_one_step(seed, m, n):
    rng = np.random.default_rng(seed)
    A, b = rng.standard_normal((m, n)), rng.standard_normal(m)
    res = damped_gauss_newton(lambda x: A @ x - b, np.zeros(n), lambda x: A)
    x_ls = np.linalg.lstsq(A, b, rcond=None)[0]                     # independent truth
    assert np.allclose(res.history[0].x_trial, x_ls, atol=1e-9)     # the full step, α = 1
    assert res.history[0].lam == 1.0
    assert np.allclose(res.x, x_ls, atol=1e-9)


def test_rosenbrock_converges_with_armijo_steps():
    P = rosenbrock()
    res = damped_gauss_newton(P.fun, P.x0, P.jac)
    assert res.success and np.allclose(res.x, [1.0, 1.0], atol=1e-8)
    _armijo_holds(res)
    assert any(s.lam > 1 for s in res.history)                      # some step was shortened


def test_line_search_fixes_the_overshoot_plain_gauss_newton_makes():
    P = exponential_decay()
    plain = gauss_newton(P.fun, P.x0, P.jac)
    damped = damped_gauss_newton(P.fun, P.x0, P.jac)
    assert plain.cost > 1.5 * P.cost_star                           # chapter 04: plain GN fails
    assert np.isclose(damped.cost, P.cost_star, rtol=1e-10)
    assert np.allclose(damped.x, P.x_star, rtol=1e-6)
    _armijo_holds(damped)


def test_reports_failure_at_a_non_stationary_point():
    P = jennrich_sampson()
    res = damped_gauss_newton(P.fun, P.x0, P.jac)
    assert not res.success and res.status == 0 and "line search" in res.message
    assert res.cost > 10 * P.cost_star and np.abs(res.grad).max() > 1.0   # stuck, not converged
    _armijo_holds(res)


def test_bad_input():
    P = rosenbrock()
    with pytest.raises(TypeError):
        damped_gauss_newton(P.fun, P.x0, None)
    with pytest.raises(ValueError):
        damped_gauss_newton(P.fun, [np.nan, 1.0], P.jac)
