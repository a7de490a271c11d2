"""The solver loop: results against independent truth (lstsq, MINPACK), its laws (costs never
increase, never worse than the start, max_nfev respected) and every bad input's error."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import least_squares

import lm
from lm.problems import CLASSICS, MGH_PROBLEMS
from lm.solver import STATUS_MESSAGES, _all_finite

EPS = np.finfo(float).eps

entries = st.one_of(st.just(0.0), st.floats(1e-3, 10), st.floats(-10, -1e-3))


def linear(A, b):
    return (lambda x: A @ x - b), (lambda x: A)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    arrays(float, (n + 3, n), elements=entries), arrays(float, (n + 3,), elements=entries),
    arrays(float, (n,), elements=entries))), st.sampled_from(["trust-region", "nielsen", "marquardt"]))
def test_linear_problems_equal_lstsq(data, damping):
    A, b, x0 = data
    assume(np.linalg.matrix_rank(A) == A.shape[1] and np.linalg.cond(A) <= 1e4)
    fun, jac = linear(A, b)
    res = lm.levenberg_marquardt(fun, x0, jac, damping=damping)
    x_ref = np.linalg.lstsq(A, b, rcond=None)[0]
    assert res.success, res.message
    F_ref = 0.5 * np.sum((A @ x_ref - b) ** 2)
    # the cost agrees to the ftol contract: F(x) − F(x_ls) = ½‖A(x − x_ls)‖² ≤ ftol-level
    assert 0.5 * np.sum((A @ (res.x - x_ref)) ** 2) <= 1e-13 * F_ref + 1e-18 * (1 + b @ b)
    # and x agrees to 1e-7 relative, or, where the data hardly determine x (a large
    # residual beside a tiny column of A), to 1e-6 of its standard error
    close = np.isclose(res.x, x_ref, rtol=1e-7, atol=1e-9 * (1 + np.abs(x_ref).max()))
    if not close.all():
        m, n = A.shape
        se = np.sqrt(np.diag(np.linalg.inv(A.T @ A)) * max(2 * F_ref / max(m - n, 1), 1e-300))
        assert np.all(close | (np.abs(res.x - x_ref) <= 1e-6 * se)), (res.x, x_ref, se)


@pytest.mark.parametrize("damping", ["trust-region", "nielsen", "marquardt"])
@pytest.mark.parametrize("name", sorted(MGH_PROBLEMS))
def test_accepted_costs_never_increase_and_match_minpack(name, damping):
    P = MGH_PROBLEMS[name]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=damping, max_nfev=3000)
    accepted = [s.cost_trial for s in res.history if s.accepted]
    costs = [P.cost(P.x0)] + accepted
    assert all(b <= a for a, b in zip(costs, costs[1:]))
    assert res.cost <= P.cost(P.x0)
    assert res.nit == len(accepted) and res.nfev <= 3000
    if damping == "trust-region":  # the default: as good as MINPACK on every problem
        ref = least_squares(P.fun, P.x0, P.jac, method="lm", ftol=2.3e-16, xtol=2.3e-16, gtol=2.3e-16, max_nfev=5000)
        assert res.cost <= ref.cost * (1 + 1e-6) + 1e-12, (res.cost, ref.cost)


def test_result_fields_and_history():
    P = CLASSICS["rosenbrock"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    assert res.success and res.status in STATUS_MESSAGES and res.message == STATUS_MESSAGES[res.status]
    assert np.allclose(res.x, [1, 1]) and np.isclose(res.cost, 0.5 * res.fun @ res.fun)
    assert np.allclose(res.grad, res.jac.T @ res.fun)
    assert np.allclose(res.jac, P.jac(res.x))
    h = res.history
    assert len(h) >= res.nit and res.nit == sum(s.accepted for s in h) and res.njev == res.nit + 1
    for s in h:
        assert np.isclose(s.actual, s.cost - s.cost_trial) or not np.isfinite(s.cost_trial)
        assert s.predicted > 0 and (s.rho > 0) == s.accepted
        assert np.isclose(s.rho, s.actual / s.predicted)
        assert s.Delta is not None and np.linalg.norm(s.D * s.p) <= 1.1 * s.Delta + 1e-12
        assert np.isclose(s.cost, P.cost(s.x)) and np.allclose(s.x_trial, s.x + s.p)
    # a rejected step leaves x, an accepted one moves it
    for a, b in zip(h, h[1:]):
        assert np.array_equal(b.x, a.x_trial if a.accepted else a.x)
    assert "LMResult" in repr(res) and "nit" in repr(res)


def test_nielsen_and_marquardt_lambda_updates():
    P = CLASSICS["beale"]()
    for name in ("nielsen", "marquardt"):
        h = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=name).history
        for a, b in zip(h, h[1:]):
            if not a.accepted:
                assert b.lam > a.lam          # a failure raises λ
            elif name == "marquardt":
                assert np.isclose(b.lam, a.lam / 10)
            else:
                assert b.lam <= a.lam * (1 - (2 * a.rho - 1) ** 3) * 1.0000001 or np.isclose(b.lam, a.lam / 3)
        assert all(s.Delta is None for s in h)


def test_max_nfev_is_never_exceeded():
    P = MGH_PROBLEMS["brown_dennis"]()
    for max_nfev in (1, 2, 5, 9, 17, 40):
        for jac, per_jac in ((P.jac, 0), (None, 2 * P.n), ("2-point", P.n)):
            calls = []
            run = lambda: lm.levenberg_marquardt(lambda x: calls.append(1) or P.fun(x), P.x0, jac, max_nfev=max_nfev)  # noqa: E731
            if max_nfev < 1 + per_jac:
                with pytest.raises(ValueError, match="cannot pay for r at x0 and one Jacobian"):
                    run()
                continue
            res = run()
            assert len(calls) <= max_nfev and res.nfev == len(calls)
            assert res.status == 0 and not res.success and "max_nfev" in res.message


def test_callback_stops_and_sees_every_step():
    P = CLASSICS["rosenbrock"]()
    seen = []
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, callback=lambda s: seen.append(s) or len(seen) == 3)
    assert res.status == -1 and not res.success and len(seen) == 3 and seen == res.history


def test_a_callback_answering_with_numpys_true_stops_too():
    """A comparison on numpy numbers answers np.True_, not True: it stops the loop as True does
    (it was ignored); None, 1 or a non-empty list do not stop it."""
    P = CLASSICS["rosenbrock"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, callback=lambda s: np.float64(s.cost) < 1.0)
    assert res.status == -1 and res.history[-1].cost < 1.0 and all(s.cost >= 1.0 for s in res.history[:-1])
    for answer in (None, 1, [1], np.False_):
        res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, callback=lambda s, a=answer: a)
        assert res.status > 0, answer


def test_nonfinite_trial_points_are_rejected_not_returned():
    # r is NaN for x₁ > 2; the unconstrained Gauss–Newton step jumps there first
    def fun(x):
        return np.array([x[0] - 3.0, 0.1 * x[1]]) if x[0] <= 2 else np.array([np.nan, np.nan])

    res = lm.levenberg_marquardt(fun, [0.0, 1.0], lambda x: np.array([[1.0, 0], [0, 0.1]]), damping="nielsen")
    assert np.all(np.isfinite(res.x)) and res.x[0] <= 2
    assert any(not s.accepted and s.cost_trial == np.inf for s in res.history)
    assert res.cost <= fun(np.array([0.0, 1.0])) @ fun(np.array([0.0, 1.0])) / 2


def test_user_exceptions_propagate_unchanged():
    class Boom(Exception):
        pass

    def fun(x):
        if x[0] > 0.5:
            raise Boom("from the user")
        return np.array([x[0] - 1.0])

    with pytest.raises(Boom, match="from the user"):
        lm.levenberg_marquardt(fun, [0.0], lambda x: np.array([[1.0]]))


def test_underdetermined_problems_are_allowed():
    A = np.array([[1.0, 2.0, 3.0]])
    res = lm.levenberg_marquardt(lambda x: A @ x - 6.0, [0.0, 0.0, 0.0], lambda x: A)
    assert res.success and abs(A @ res.x - 6.0) < 1e-8


def test_zero_residual_start_stops_immediately():
    res = lm.levenberg_marquardt(lambda x: x - 1.0, [1.0, 1.0], lambda x: np.eye(2))
    assert res.success and res.status == 1 and res.nfev == 1 and res.history == []


def test_args_and_kwargs_are_passed():
    def fun(x, a, scale=1.0):
        return scale * (x - a)

    res = lm.levenberg_marquardt(fun, [0.0, 0.0], None, args=(np.array([1.0, 2.0]),), kwargs={"scale": 3.0})
    assert np.allclose(res.x, [1.0, 2.0])


@pytest.mark.parametrize("method", ["2-point", "3-point", "cs", None])
def test_difference_jacobians_solve(method):
    P = CLASSICS["beale"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, method)
    assert np.allclose(res.x, P.x_star, atol=1e-6)


# ------------------------------------------------------------------------- bad input

def f2(x):
    return np.array([x[0] - 1.0, x[1] - 2.0, x[0] * x[1]])


BAD = [
    (dict(fun=42), TypeError, "fun must be callable"),
    (dict(x0=[[1.0, 2.0]]), ValueError, "1-D"),
    (dict(x0=[]), ValueError, "1-D"),
    (dict(x0=[np.nan, 1.0]), ValueError, "x0 must be finite"),
    (dict(x0=[np.inf, 1.0]), ValueError, "x0 must be finite"),
    (dict(x0="ab"), TypeError, "x0 must be a sequence of real numbers"),
    (dict(fun=lambda x: 0.5 * x @ x), ValueError, "not the cost"),
    (dict(fun=lambda x: np.ones((2, 2))), ValueError, "1-D real array"),
    (dict(fun=lambda x: np.array([np.nan, 1.0])), ValueError, "non-finite residuals at x0"),
    (dict(fun=lambda x: np.array([np.inf, 1.0])), ValueError, "non-finite residuals at x0"),
    (dict(jac=3), TypeError, "jac must be a callable"),
    (dict(jac="5-point"), ValueError, "unknown jac"),
    (dict(jac=lambda x: np.ones((2, 2))), ValueError, r"jac returned shape \(2, 2\), expected \(3, 2\)"),
    (dict(jac=lambda x: np.full((3, 2), np.nan)), ValueError, "Jacobian at x0 has NaN"),
    (dict(damping="levenberg"), ValueError, "unknown damping"),
    (dict(damping=object()), TypeError, "lacks the method"),
    (dict(scale="units"), ValueError, "unknown scale"),
    (dict(scale=[1.0, -1.0]), ValueError, "positive"),
    (dict(ftol=-1.0), ValueError, "ftol must be a finite number ≥ 0"),
    (dict(xtol=np.nan), ValueError, "xtol must be"),
    (dict(gtol="0"), ValueError, "gtol must be"),
    (dict(max_nfev=0), ValueError, "max_nfev must be a positive integer"),
    (dict(max_nfev=2.5), ValueError, "max_nfev must be a positive integer"),
    (dict(callback=1), TypeError, "callback must be callable"),
    (dict(args=[1]), TypeError, "args must be a tuple"),
    (dict(kwargs=[1]), TypeError, "kwargs must be a dict"),
]


@pytest.mark.parametrize("bad,error,match", BAD, ids=[str(list(b[0])[0]) + str(i) for i, b in enumerate(BAD)])
def test_bad_input_gets_a_clear_error(bad, error, match):
    call = dict(fun=f2, x0=[0.5, 0.5], jac=None) | bad
    extra = {k: call.pop(k) for k in list(call) if k not in ("fun", "x0", "jac")}
    with pytest.raises(error, match=match):
        lm.levenberg_marquardt(call["fun"], call["x0"], call["jac"], **extra)


def test_fun_changing_shape_later_is_an_error():
    def fun(x):
        return np.array([x[0] - 1.0, x[0]]) if x[0] == 0 else np.array([x[0] - 1.0])

    with pytest.raises(ValueError, match="fun returned shape"):
        lm.levenberg_marquardt(fun, [0.0], lambda x: np.array([[1.0], [1.0]]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       st.sampled_from(["trust-region", "nielsen", "marquardt"]), st.sampled_from([None, "2-point"]),
       st.integers(10, 200))
def test_laws_hold_for_random_nonlinear_fits(b_true, b0, damping, jac, max_nfev):
    """For any data and start: accepted costs never increase, the result is never worse
    than the start, max_nfev is never exceeded, and the status says why the loop ended."""
    t = np.linspace(0, 2, 12)
    y = b_true[0] * np.exp(b_true[1] * t) + b_true[2] * t
    fun = lambda b: b[0] * np.exp(b[1] * t) + b[2] * t - y  # noqa: E731
    x0 = np.array(b0)
    try:
        res = lm.levenberg_marquardt(fun, x0, jac, damping=damping, max_nfev=max_nfev)
    except ValueError as e:
        assert "cannot pay" in str(e) and max_nfev < 7
        return
    costs = [0.5 * fun(x0) @ fun(x0)] + [s.cost_trial for s in res.history if s.accepted]
    assert all(b <= a for a, b in zip(costs, costs[1:]))
    assert res.cost <= costs[0] and np.isclose(res.cost, costs[-1])
    assert res.nfev <= max_nfev
    assert res.message == STATUS_MESSAGES[res.status] and res.success == (res.status > 0)


def test_a_wrong_jacobian_is_reported_not_a_success(nist_dir):
    """A derivative with a slip (the factor x forgotten): the solver cannot converge and
    says that jac does not match fun, instead of claiming success at a wrong point."""
    from lm.problems import nist

    P = nist(nist_dir / "Misra1a.dat")
    t = P.data[0]

    def wrong(b):
        return -np.column_stack([1 - np.exp(-b[1] * t), b[0] * np.exp(-b[1] * t)])  # should be b0·t·e^(−b1 t)

    for damping in ("trust-region", "nielsen", "marquardt"):
        res = lm.levenberg_marquardt(P.fun, P.starts[0], wrong, damping=damping)
        assert res.status == -2 and not res.success and "check_jacobian" in res.message
        assert res.cost <= P.cost(P.starts[0])
        right = lm.levenberg_marquardt(P.fun, P.starts[0], P.jac, damping=damping)
        assert right.success and right.status != -2


def test_no_long_tail_of_rejections_at_the_end():
    """Once F cannot decrease any more, the loop stops within a few rejected steps."""
    P = MGH_PROBLEMS["bard"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    tail = 0
    for s in reversed(res.history):
        if s.accepted:
            break
        tail += 1
    assert res.success and tail <= 12


@pytest.mark.parametrize("column", range(5))
def test_a_negated_jacobian_column_never_passes_as_success(column):
    """Osborne 1 with one column of J negated: wherever the run ends, it does not claim
    success at a point that is not stationary for the true J."""
    from lm.solver import _cosine

    P = MGH_PROBLEMS["osborne_1"]()
    sign = np.ones(5)
    sign[column] = -1.0
    res = lm.levenberg_marquardt(P.fun, P.x0, lambda x: P.jac(x) * sign)
    if res.success:
        J, r = P.jac(res.x), P.fun(res.x)
        assert _cosine(J.T @ r, J, r) <= 1e-5   # truly stationary (negating a column keeps Jᵀr = 0)
    else:
        assert res.status in (-2, 0)


@pytest.mark.parametrize("name", sorted(MGH_PROBLEMS))
def test_status_messages_are_true(name):
    """Status 3 means the Gauss–Newton step is below xtol; 5 that the last step failed and
    the Gauss–Newton step promises no reduction beyond F's precision; 1 that the cosine ≤ gtol."""
    from lm.solver import _cosine
    from lm.subproblem import Subproblem

    P = MGH_PROBLEMS[name]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    last = res.history[-1] if res.history else None
    D = last.D if last is not None else np.ones(P.n)
    if res.status == 3:
        D_now = np.maximum(D, np.linalg.norm(res.jac, axis=0)) if last is not None and not last.accepted else None
        sub = Subproblem(res.fun, res.jac, np.where(D > 0, D, 1.0) if D_now is None else np.where(D_now > 0, D_now, 1.0))
        assert sub.gauss_newton_norm() <= 1e-10 * np.linalg.norm(sub.D * res.x) * 1.0000001
    if res.status == 5:   # the Gauss–Newton step promises no reduction beyond F's precision
        D_now = np.maximum(D, np.linalg.norm(res.jac, axis=0))
        sub = Subproblem(res.fun, res.jac, np.where(D_now > 0, D_now, 1.0))
        short = not last.accepted and (last.predicted <= EPS * last.cost or
                                       np.linalg.norm(last.D * last.p) <= 1e-10 * np.linalg.norm(last.D * res.x))
        noise = 10 * abs(last.actual) if short else 0.0
        assert sub.gauss_newton_reduction() <= max(10 * EPS * res.cost, noise) * 1.000001 or res.cost <= EPS**2 * P.cost(P.x0)
    if res.status == 1:
        assert _cosine(res.grad, res.jac, res.fun) <= 1e-15
    assert res.success == (res.status > 0)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6).flatmap(lambda m: arrays(float, (m, 3), elements=st.one_of(
    st.floats(), st.sampled_from([1.7e308, -1.7e308, 0.0])))))
def test_all_finite_is_numpys_isfinite(A):
    """The one-pass test (a finite sum) agrees with np.isfinite everywhere, overflowing sums included."""
    with np.errstate(all="ignore"):
        assert _all_finite(A) == bool(np.all(np.isfinite(A)))


def test_a_sparse_jacobian_is_used_and_a_complex_one_refused():
    """A scipy.sparse J is densified (it used to fail with "setting an array element with a
    sequence"); a complex J is refused with a TypeError instead of losing its imaginary part."""
    import scipy.sparse as sp
    A = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    b = np.array([1.0, 2.0, 3.0])
    res = lm.levenberg_marquardt(lambda x: A @ x - b, [0.0, 0.0], lambda x: sp.csr_matrix(A))
    assert res.success and np.allclose(res.x, np.linalg.lstsq(A, b, rcond=None)[0])
    with pytest.raises(TypeError, match="complex"):
        lm.levenberg_marquardt(lambda x: A @ x - b, [0.0, 0.0], lambda x: A * (1 + 1e-3j))
