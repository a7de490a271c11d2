"""Damping strategies: each solves the classics, the protocol admits a user's strategy, and
Marquardt's scaling makes the iterates independent of the parameters' units."""
import numpy as np
import pytest

import lm
from lm.damping import Fixed, Marquardt, Nielsen, TrustRegion, make_damping
from lm.problems import CLASSICS
from lm.subproblem import Subproblem


@pytest.mark.parametrize("damping", ["trust-region", "nielsen", "marquardt", Nielsen(tau=1e-6),
                                     Marquardt(factor=3), TrustRegion(factor=100.0)])
@pytest.mark.parametrize("name", ["rosenbrock", "beale", "powell_badly_scaled", "jennrich_sampson", "exponential_decay"])
def test_every_strategy_reaches_the_known_minimum(name, damping):
    P = CLASSICS[name]()
    d = make_damping(damping) if isinstance(damping, str) else type(damping)(**vars_of(damping))
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=d, max_nfev=5000)
    assert np.isclose(res.cost, P.cost_star, rtol=1e-6, atol=1e-12), (res.cost, P.cost_star)
    assert np.allclose(res.x, P.x_star, rtol=1e-5, atol=1e-9)


def vars_of(d):
    return {k: v for k, v in vars(d).items() if k in ("tau", "factor", "lam0", "Delta0")}


def test_freudenstein_roth_local_minimum():
    """From the standard start every strategy stops at the local minimum F ≈ 24.49."""
    P = CLASSICS["freudenstein_roth"]()
    for d in ("trust-region", "nielsen", "marquardt"):
        res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=d)
        assert np.isclose(res.cost, 24.4921, rtol=1e-5) and np.allclose(res.x, [11.41277900, -0.89680525], rtol=1e-6)


def test_user_strategy_protocol():
    """A strategy of one's own: constant λ = 1, counting the calls the solver makes."""
    class Constant:
        Delta = None

        def __init__(self):
            self.lam, self.calls = 1.0, []

        def start(self, sub, x0):
            self.calls.append("start")

        def propose(self, sub):
            return sub.step(self.lam), self.lam

        def update(self, rho, p, sub):
            self.calls.append("update")

    s = Constant()
    P = CLASSICS["beale"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=s)
    assert s.calls[0] == "start" and s.calls.count("update") == len(res.history)
    assert all(h.lam == 1.0 for h in res.history)
    assert np.allclose(res.x, P.x_star, atol=1e-6)


def test_a_strategy_needs_no_lam_but_a_delta():
    """The solver calls start, propose, update and reads Delta; λ comes from propose's answer,
    so a strategy without a ``lam`` attribute works (it is an isinstance of the Protocol), and
    one without ``Delta`` is refused with a TypeError that says so (it was an AttributeError
    deep in the loop)."""
    class NoLam:
        Delta = None

        def start(self, sub, x0):
            pass

        def propose(self, sub):
            return sub.step(0.5), 0.5

        def update(self, rho, p, sub):
            pass

    P = CLASSICS["beale"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=NoLam())
    assert isinstance(NoLam(), lm.damping.Damping) and np.allclose(res.x, P.x_star, atol=1e-6)
    assert all(h.lam == 0.5 for h in res.history)
    no_delta = type("NoDelta", (), {k: v for k, v in vars(NoLam).items() if k != "Delta"})()
    with pytest.raises(TypeError, match="Delta"):
        lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=no_delta)


def test_strategy_classes_and_fresh_instances():
    assert isinstance(make_damping(Nielsen), Nielsen)
    a, b = make_damping("nielsen"), make_damping("nielsen")
    assert a is not b
    with pytest.raises(ValueError, match="tau must be > 0"):
        Nielsen(tau=0)
    with pytest.raises(ValueError, match="factor must be > 1"):
        Marquardt(factor=1)
    with pytest.raises(ValueError, match="Delta0 must be > 0"):
        TrustRegion(Delta0=-1)


def test_initial_lambda_rules():
    J = np.array([[3.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    r = np.array([1.0, 2.0, 3.0])
    sub = Subproblem(r, J, np.ones(2))
    n = Nielsen(tau=1e-3)
    n.start(sub, np.array([100.0, 100.0]))  # far from 0: the τ rule decides
    assert np.isclose(n.lam, 1e-3 * np.max(np.sum(J**2, axis=0)))
    n.start(sub, np.array([1e-3, 1e-3]))    # tiny x0: λ₀ raised so that ‖Dp₀‖ ≤ ‖Dx₀‖ (within 10 %)
    assert np.linalg.norm(sub.step(n.lam)) <= 1.1 * np.linalg.norm([1e-3, 1e-3])
    t = TrustRegion()
    t.start(sub, np.array([3.0, 4.0]))
    assert t.Delta == 5.0
    f = Fixed(0.0)
    f.start(sub, np.zeros(2))
    assert f.propose(sub)[1] == 0.0


@pytest.mark.parametrize("damping", ["trust-region", "nielsen", "marquardt"])
def test_marquardt_scaling_is_invariant_to_units(damping):
    """Solving r(x) and r(S y) with x = S y: under Marquardt's D the iterates correspond
    exactly (to rounding); under Levenberg's D = I they do not."""
    P = CLASSICS["exponential_decay"]()
    S = np.array([1e3, 1e-3])
    fun_y = lambda y: P.fun(S * y)  # noqa: E731
    jac_y = lambda y: P.jac(S * y) * S  # noqa: E731
    x_path = [s.x for s in lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=damping).history]
    y_path = [S * s.x for s in lm.levenberg_marquardt(fun_y, P.x0 / S, jac_y, damping=damping).history]
    assert len(x_path) == len(y_path)
    assert all(np.allclose(a, b, rtol=1e-8) for a, b in zip(x_path, y_path))
    lev_x = [s.x for s in lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=damping, scale="levenberg").history]
    lev_y = [S * s.x for s in lm.levenberg_marquardt(fun_y, P.x0 / S, jac_y, damping=damping, scale="levenberg").history]
    assert len(lev_x) != len(lev_y) or not all(np.allclose(a, b, rtol=1e-6) for a, b in zip(lev_x, lev_y))


def test_fixed_scaling_vector():
    P = CLASSICS["rosenbrock"]()
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac, scale=[1.0, 2.0])
    assert np.allclose(res.x, [1, 1]) and all(np.array_equal(s.D, [1.0, 2.0]) for s in res.history)
