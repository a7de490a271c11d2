"""The MINPACK-1 test set (Moré, Garbow & Hillstrom 1981; the 53 runs of MINPACK-1's lmder
driver): exact Jacobians agree with differences, the linear problems' minima agree with
numpy's lstsq, and lm reaches the paper's minima at least as often as SciPy's MINPACK,
run side by side on the same problems."""
import numpy as np
import pytest
from scipy.optimize import least_squares

import lm
from lm.problems import MINPACK1_RUNS, known_minima, minpack1_problem, reached_minimum


def _split(key):
    name, n, m = key.split("/")
    return name, int(n), int(m)


def test_the_set_has_53_runs_of_18_problems():
    assert len(MINPACK1_RUNS) == 53
    assert len({_split(k)[0] for k, _ in MINPACK1_RUNS}) == 18


@pytest.mark.parametrize("key", sorted({k for k, _ in MINPACK1_RUNS}))
def test_jacobians_match_differences(key):
    P = minpack1_problem(key)
    x = P.x0 + 0.1 * np.random.default_rng(1).standard_normal(P.n)
    assert lm.check_jacobian(P.fun, P.jac, x, tol=1e-5).ok


@pytest.mark.parametrize("key", ["linear_full_rank/5/10", "linear_rank1/5/50", "linear_rank1_zero/5/10"])
def test_linear_minima_equal_lstsq(key):
    """The closed forms of the paper (m − n; m(m−1)/(2(2m+1)); (m²+3m−6)/(2(2m−3)))."""
    P = minpack1_problem(key)
    A, b = P.jac(P.x0), -P.fun(np.zeros(P.n))
    best = np.linalg.lstsq(A, b, rcond=None)[0]
    assert np.isclose(np.linalg.norm(A @ best - b), known_minima(*_split(key))[0], rtol=1e-12)


def test_chebyquad_n1_minima_are_the_two_local_minima():
    """n = 1 is not in the paper: the listed values are the local minima of the 1-D function."""
    P = minpack1_problem("chebyquad/1/8")
    grid = np.linspace(0, 1, 20001)
    norms = np.array([np.linalg.norm(P.fun(np.array([z]))) for z in grid])
    interior = (norms[1:-1] < norms[:-2]) & (norms[1:-1] < norms[2:])
    local = norms[1:-1][interior]
    for value in known_minima("chebyquad", 1, 8):
        assert np.min(np.abs(local - value)) <= 1e-5 * value


def test_lm_reaches_at_least_as_many_minima_as_minpack():
    """All 53 runs, analytic Jacobians, each solver at its defaults."""
    lm_hits, mp_hits = [], []
    for key, factor in MINPACK1_RUNS:
        P = minpack1_problem(key, factor)
        res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
        with np.errstate(all="ignore"):
            mp = least_squares(P.fun, P.x0, P.jac, method="lm")
        lm_hits.append(reached_minimum(*_split(key), np.linalg.norm(res.fun)) is not None)
        mp_hits.append(reached_minimum(*_split(key), np.linalg.norm(mp.fun)) is not None)
        assert res.status != -2, (key, factor)          # the Jacobians are correct
        assert res.cost <= P.cost(P.x0)
    assert sum(lm_hits) >= 44 and sum(lm_hits) >= sum(mp_hits)


def test_kowalik_osborne_from_10x0_ends_at_a_local_minimizer_the_paper_does_not_list():
    """From 10·x₀ lm ends at ‖r‖ = 0.0205834, neither of the paper's values (0.0175358, and
    0.0320521 as x runs off to infinity, where MINPACK goes): a genuine local minimizer, with
    a vanishing gradient and a positive definite Hessian (by differences of the exact gradient)."""
    P = minpack1_problem("kowalik_osborne/4/11", 10)
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    assert reached_minimum("kowalik_osborne", 4, 11, np.linalg.norm(res.fun)) is None
    assert res.success and np.isclose(np.linalg.norm(res.fun), 0.0205834, rtol=1e-5)
    g = lambda z: P.jac(z).T @ P.fun(z)                                  # noqa: E731
    H = lm.jacobians.central(g, res.x)
    assert np.linalg.eigvalsh(0.5 * (H + H.T)).min() > 1e-3 and np.abs(g(res.x)).max() < 1e-9
    assert np.linalg.norm(res.fun) < known_minima("kowalik_osborne", 4, 11)[1]   # below MINPACK's end
