"""The damped step against independent truth: numpy.linalg.lstsq on the augmented system,
the normal equations, the Gauss–Newton and steepest-descent limits, the radius search."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lm.subproblem import Subproblem, column_norms, largest_cosine

# entries of ordinary size (or exact zeros): extreme magnitudes like 1e-129 test overflow of
# the test's own reference computations rather than the method
finite = st.one_of(st.just(0.0), st.floats(1e-4, 10), st.floats(-10, -1e-4))


@st.composite
def system(draw, min_m=1, max_m=8, max_n=5):
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(max(min_m, 1), max_m))
    J = draw(arrays(float, (m, n), elements=finite))
    r = draw(arrays(float, (m,), elements=finite))
    D = draw(arrays(float, (n,), elements=st.floats(0.1, 10)))
    return r, J, D


@settings(max_examples=200, deadline=None)
@given(system(), st.floats(1e-6, 1e6))
def test_step_solves_augmented_least_squares(sys_, lam):
    r, J, D = sys_
    p = Subproblem(r, J, D).step(lam)
    A = np.vstack([J, np.sqrt(lam) * np.diag(D)])
    b = np.concatenate([-r, np.zeros(D.size)])
    p_ref = np.linalg.lstsq(A, b, rcond=None)[0]
    # both are backward stable: they may differ by about cond(A)²·ε (least squares)
    tol = (1e-9 + 1e-14 * np.linalg.cond(A) ** 2) * (1 + np.abs(p_ref).max())
    assert np.allclose(p, p_ref, rtol=0, atol=tol)


@settings(max_examples=200, deadline=None)
@given(system(min_m=5, max_m=9, max_n=4))
def test_lambda_to_zero_is_gauss_newton(sys_):
    r, J, D = sys_
    # the subproblem factors J D⁻¹, so its conditioning (not J's) bounds the agreement
    assume(np.linalg.matrix_rank(J) == J.shape[1] and np.linalg.cond(J) <= 1e6 and np.linalg.cond(J / D) <= 1e6)
    p_gn = np.linalg.lstsq(J, -r, rcond=None)[0]
    sub = Subproblem(r, J, D)
    # both solutions carry the least-squares perturbation error, of order ε·κ²·‖r + J p_gn‖/‖J‖
    # (Golub & Van Loan, §5.3): it dominates where the residual is large and p_gn near 0
    kappa, size = np.linalg.cond(J), np.linalg.norm(J, 2)
    noise = 100 * np.finfo(float).eps * kappa**2 * np.linalg.norm(r + J @ p_gn) / size
    assert np.allclose(sub.step(0.0), p_gn, rtol=1e-8, atol=1e-10 + noise)
    lam = 1e-10 * sub.s[-1] ** 2
    assert np.allclose(sub.step(lam), p_gn, rtol=1e-6, atol=1e-8 * (1 + np.abs(p_gn).max()) + noise)


@settings(max_examples=200, deadline=None)
@given(system(), st.floats(1e8, 1e12))
def test_lambda_to_infinity_is_short_steepest_descent(sys_, lam):
    r, J, D = sys_
    g = J.T @ r
    limit = -g / D**2 / lam
    sub = Subproblem(r, J, D)
    p = sub.step(lam)
    # D p = −(S²/λ + I)⁻¹… : the relative error of the limit is at most s_max²/λ, s of J D⁻¹
    bound = (sub.s.max() ** 2 / lam if sub.s.size else 0.0) + 1e-12
    rounding = 1e-13 * np.linalg.norm(J, 2) * np.linalg.norm(r) / (lam * D.min())  # g = Jᵀr cancels
    assert np.linalg.norm(D * (p - limit)) <= bound * np.linalg.norm(D * limit) + rounding + 1e-300


def test_normal_equations_hold():
    rng = np.random.default_rng(1)
    J, r, D = rng.normal(size=(7, 3)), rng.normal(size=7), rng.uniform(0.5, 2, 3)
    for lam in (0.0, 1e-3, 1.0, 1e3):
        p = Subproblem(r, J, D).step(lam)
        assert np.allclose((J.T @ J + lam * np.diag(D**2)) @ p, -J.T @ r, atol=1e-10)


@settings(max_examples=150, deadline=None)
@given(system(min_m=2), st.floats(1e-3, 1e3))
def test_lam_for_radius_hits_the_radius(sys_, frac):
    r, J, D = sys_
    sub = Subproblem(r, J, D)
    gn = sub.scaled_norm(0.0)
    assume(gn > 0)
    Delta = gn * min(frac, 0.85)
    lam = sub.lam_for_radius(Delta)
    assert lam > 0
    assert abs(np.linalg.norm(D * sub.step(lam)) - Delta) <= 0.1 * Delta + 1e-12
    # λ = 0 exactly when the full (untruncated) Gauss–Newton step fits in the radius
    full = sub.gauss_newton_norm()
    if np.isfinite(full):
        assert sub.lam_for_radius(full * 1.01) == 0.0
    assert full >= gn * (1 - 1e-12)


def test_rank_deficient_gauss_newton_is_minimum_norm():
    J = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    r = np.array([1.0, 0.0, -1.0]) + 1.0
    p = Subproblem(r, J, np.ones(2)).step(0.0)
    assert np.allclose(p, np.linalg.lstsq(J, -r, rcond=None)[0])


def test_bad_arguments():
    sub = Subproblem(np.ones(3), np.eye(3), np.ones(3))
    with pytest.raises(ValueError, match="λ must be ≥ 0"):
        sub.step(-1.0)
    with pytest.raises(ValueError, match="Δ must be > 0"):
        sub.lam_for_radius(0.0)


# ---------------------------------------------------------------------------------------
# the per-iterate quantities the solver computes once (benchmarks/history_check.py checks
# that the whole runs are unchanged; these check each quantity against independent truth)

any_float = st.floats(allow_nan=False, allow_infinity=False)       # overflow of J² included


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 7), st.integers(1, 5), st.data())
def test_column_norms_are_numpys_norms_bit_for_bit_or_do_not_overflow(m, n, data):
    """Where ‖J_j‖² is a normal float (norms from 1e-150 up to the overflow of the square),
    numpy's norm bit for bit; where the square overflows (entries beyond 1e154) or underflows
    (norms below 1e-150), Python's scaled math.hypot: inf only for a norm beyond the largest
    float (a D = inf made the xtol test ‖Dp‖ ≤ xtol·‖Dx‖ = inf pass at any x), and 0 only for a
    column of zeros (an underflowed 0 made the gradient test skip a nonzero column)."""
    J = data.draw(arrays(float, (m, n), elements=st.one_of(finite, any_float, st.floats(-1e-160, 1e-160))))
    with np.errstate(all="ignore"):
        ours, numpys = column_norms(J), np.linalg.norm(J, axis=0)
    hypot = np.array([math.hypot(*J[:, j]) for j in range(n)])
    normal = np.isfinite(numpys) & (numpys > 1e-150)
    assert np.array_equal(ours[normal], numpys[normal])
    assert np.all(np.isinf(ours[~normal]) == np.isinf(hypot[~normal]))
    assert np.all((ours == 0) == ~J.any(axis=0))
    scaled = ~normal & np.isfinite(hypot)
    np.testing.assert_allclose(ours[scaled], hypot[scaled], rtol=4 * np.finfo(float).eps * m)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(-300, -150), st.integers(-150, 0), st.integers(0, 10**6))
def test_the_gradient_cosine_of_tiny_columns_is_the_cosine_of_unit_vectors(m, n, col_exp, r_exp, seed):
    """largest_cosine given J: where ‖J_j‖‖r‖ underflows (J's entries 1e-300…1e-150, r's down to
    1e-150), the cosine of the unit vectors J_j/‖J_j‖ and r/‖r‖ (scaled by 10^±200 in exact powers
    of two, computed plainly), not the 0 that an underflowed g_j/(‖J_j‖‖r‖) gave."""
    rng = np.random.default_rng(seed)
    J0, r0 = rng.standard_normal((m, n)), rng.standard_normal(m)
    J, r = J0 * 2.0 ** round(col_exp * 3.32), r0 * 2.0 ** round(r_exp * 3.32)   # (exact: powers of two)
    truth = np.max(np.abs(J0.T @ r0) / (np.linalg.norm(J0, axis=0) * np.linalg.norm(r0)))
    got = largest_cosine(J.T @ r, r, column_norms(J), J)
    assert got == pytest.approx(truth, rel=1e-12, abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(system())
def test_largest_cosine_is_the_largest_cosine(sys_):
    r, J, D = sys_
    g = J.T @ r
    cos = largest_cosine(g, r, column_norms(J))
    # each column on its own: |J_jᵀr| / (‖J_j‖‖r‖), zero columns (and r = 0) skipped
    each = [abs(J[:, j] @ r) / (np.linalg.norm(J[:, j]) * np.linalg.norm(r)) for j in range(J.shape[1])
            if np.linalg.norm(J[:, j]) * np.linalg.norm(r) > 0]
    assert cos == pytest.approx(max(each, default=0.0), rel=1e-12, abs=0)
    assert 0.0 <= cos <= 1 + 1e-12                                      # Cauchy–Schwarz
    sub = Subproblem(r, J, D)
    assert np.array_equal(sub.col_norms, np.linalg.norm(J, axis=0)) and sub.cosine(g) == cos


@settings(max_examples=200, deadline=None)
@given(system(min_m=2, max_m=9, max_n=4))
def test_gauss_newton_norm_and_reduction_against_lstsq(sys_):
    r, J, D = sys_
    sub = Subproblem(r, J, D)
    # lstsq on J D⁻¹ with the same relative cutoff: y = D p_GN, the minimum-norm solution
    y = np.linalg.lstsq(J / D, -r, rcond=np.finfo(float).eps * max(J.shape))[0]
    reduction = 0.5 * (r @ r) - 0.5 * np.sum((r + (J / D) @ y) ** 2)  # L(0) − L(p_GN)
    assert sub.gauss_newton_reduction() == pytest.approx(reduction, rel=1e-9, abs=1e-12 * (1 + r @ r))
    if np.linalg.matrix_rank(J) == J.shape[1] and np.linalg.cond(J / D) <= 1e6:   # no direction dropped
        assert sub.gauss_newton_norm() == pytest.approx(np.linalg.norm(y), rel=1e-8, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(system(min_m=2), st.floats(0.01, 0.85))
def test_radius_step_solves_augmented_least_squares(sys_, frac):
    """The step of the λ found for a radius Δ is the lstsq solution of [J; √λD]p ≈ [−r; 0]."""
    r, J, D = sys_
    sub = Subproblem(r, J, D)
    assume(sub.scaled_norm(0.0) > 0)
    lam = sub.lam_for_radius(frac * sub.scaled_norm(0.0))
    A = np.vstack([J, np.sqrt(lam) * np.diag(D)])
    p_ref = np.linalg.lstsq(A, np.concatenate([-r, np.zeros(D.size)]), rcond=None)[0]
    tol = (1e-9 + 1e-14 * np.linalg.cond(A) ** 2) * (1 + np.abs(p_ref).max())
    assert np.allclose(sub.step(lam), p_ref, rtol=0, atol=tol)


@settings(max_examples=200, deadline=None)
@given(system(max_n=5), st.data(), st.one_of(st.just(0.0), st.floats(1e-6, 1e6)))
def test_a_zero_column_leaves_its_parameter_exactly_alone(sys_, data, lam):
    """Row j of (JᵀJ + λD²)p = −g reads λD_j²p_j = 0 when column j of J is zero, so p_j = 0
    exactly (for λ = 0 in the least-‖Dp‖ step too); the other components solve the problem
    without that parameter (numpy.linalg.lstsq on the augmented system of the others)."""
    r, J, D = sys_
    j = data.draw(st.integers(0, J.shape[1] - 1))
    J = J.copy()
    J[:, j] = 0.0
    p = Subproblem(r, J, D).step(lam)
    assert p[j] == 0.0                                   # exactly: not rounding leaked by the SVD
    keep = np.arange(J.shape[1]) != j
    if not keep.any():
        assert np.array_equal(p, np.zeros(1))
        return
    A = np.vstack([J[:, keep], np.sqrt(lam) * np.diag(D[keep])])
    if lam == 0:
        A = J[:, keep] / D[keep]                          # least ‖Dp‖: in the scaled variables Dp
    b = np.concatenate([-r, np.zeros(keep.sum())]) if lam > 0 else -r
    p_ref = np.linalg.lstsq(A, b, rcond=None)[0]
    p_ref = p_ref if lam > 0 else p_ref / D[keep]
    if lam == 0:
        # lstsq's cutoff for small singular values differs from the solver's; compare only
        # where both see a well-conditioned J (ε·cond² ≪ 1)
        s = np.linalg.svd(A, compute_uv=False)
        assume(s.size and s[-1] > 1e-6 * s[0])
    tol = (1e-9 + 1e-14 * np.linalg.cond(A) ** 2) * (1 + np.abs(p_ref).max())
    assert np.allclose(p[keep], p_ref, rtol=0, atol=tol)
