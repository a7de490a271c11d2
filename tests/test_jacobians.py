"""Difference Jacobians against analytic ones, and check_jacobian catching a wrong column."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lm
from lm.jacobians import central, complex_step, forward
from lm.problems import CLASSICS, MGH_PROBLEMS


@pytest.mark.parametrize("name", sorted(MGH_PROBLEMS))
def test_differences_match_analytic(name):
    P = MGH_PROBLEMS[name]()
    x = P.x0 + 0.1 * np.linspace(0.3, 0.9, P.n)
    J, r = P.jac(x), P.fun(x)
    scale = np.abs(J).max()
    eps = np.finfo(float).eps
    # truncation error plus the rounding error ε·|r_i|/h_j that any difference carries
    noise = lambda rel: 10 * eps * np.abs(r)[:, None] / (rel * np.abs(x))[None, :]  # noqa: E731
    assert np.all(np.abs(forward(P.fun, x) - J) <= 1e-5 * scale + noise(eps**0.5))
    assert np.all(np.abs(central(P.fun, x) - J) <= 1e-7 * scale + noise(eps ** (1 / 3)))


# coefficients of ordinary size or exactly zero: subnormal ones like 1e-303 only test the
# rounding of the reference formula
coef = st.one_of(st.just(0.0), st.floats(1e-3, 3), st.floats(-3, -1e-3))


@settings(max_examples=100, deadline=None)
@given(coef, st.floats(1e-6, 1e6), coef)
def test_steps_are_relative_to_the_parameter_size(a, scale, b):
    """d/dx of a·exp(x/scale) + b·x at x = scale: every method gets it to its own order."""
    f = lambda x: np.array([a * np.exp(x[0] / scale) + b * x[0]])  # noqa: E731
    x = np.array([scale])
    exact = a * np.e / scale + b
    size = abs(a) * np.e / scale + abs(b) + 1e-300
    assert abs(forward(f, x)[0, 0] - exact) <= 1e-6 * size
    assert abs(central(f, x)[0, 0] - exact) <= 1e-9 * size
    assert abs(complex_step(f, x)[0, 0] - exact) <= 1e-13 * size


def test_central_falls_back_to_one_side_where_fun_is_undefined():
    f = lambda x: np.array([np.sqrt(x[0]) if x[0] >= 1.0 else np.nan])  # noqa: E731
    J = central(f, np.array([1.0]))
    assert np.isclose(J[0, 0], 0.5, rtol=1e-5)


def test_floor_for_parameters_crossing_zero():
    f = lambda x: np.array([np.sin(x[0]) + 2.0])  # noqa: E731
    J = central(f, np.array([1e-300]), typical=np.array([1e-3]))
    assert np.isclose(J[0, 0], 1.0, rtol=1e-8)


def test_check_jacobian_finds_the_wrong_column():
    P = CLASSICS["beale"]()

    def wrong(x):
        J = P.jac(x)
        J[:, 1] *= 1.5  # a slip in ∂r/∂x₂
        return J

    good = lm.check_jacobian(P.fun, P.jac, [1.0, 1.5])
    bad = lm.check_jacobian(P.fun, wrong, [1.0, 1.5])
    assert good.ok and good.max_error < 1e-8
    assert not bad.ok and bad.worst_column == 1 and bad.column_errors[1] > 0.1 and bad.column_errors[0] < 1e-8
    assert "MISMATCH in column 1" in str(bad) and "OK" in str(good)
    with pytest.raises(ValueError, match="expected"):
        lm.check_jacobian(P.fun, lambda x: np.ones((2, 2)), [1.0, 1.0])
    with pytest.raises(TypeError):
        lm.check_jacobian(P.fun, "jac", [1.0, 1.0])


def test_check_jacobian_allows_the_rounding_noise_of_its_own_differences():
    """A float32 model (differenced on float32's ε) and residuals with a large offset (whose
    differences carry ε·10⁸/h of noise) pass with a correct J, and a wrong column is still
    caught in both (before: MISMATCH 1.4e-2 and 1e-3 for the correct ones)."""
    t = np.linspace(0, 4, 20)
    t32, y32 = t.astype(np.float32), (3 * np.exp(-0.7 * t) + 0.5).astype(np.float32)
    f32 = lambda b: np.float32(b[0]) * np.exp(-np.float32(b[1]) * t32) + np.float32(b[2]) - y32   # noqa: E731
    good = lambda b: np.column_stack([np.exp(-b[1] * t), -b[0] * t * np.exp(-b[1] * t), np.ones_like(t)])  # noqa: E731
    bad = lambda b: good(b) * np.array([1.0, -1.0, 1.0])                     # noqa: E731
    assert lm.check_jacobian(f32, good, [1.0, 1.0, 1.0]).ok
    check = lm.check_jacobian(f32, bad, [1.0, 1.0, 1.0])
    assert not check.ok and check.worst_column == 1
    s = np.linspace(0, 1, 10)
    offset = lambda x: x[0] * s + 1e8                                          # noqa: E731
    assert lm.check_jacobian(offset, lambda x: s[:, None], [1.0]).ok
    assert not lm.check_jacobian(offset, lambda x: 2 * s[:, None], [1.0]).ok
