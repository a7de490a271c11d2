"""Properties of the solver that the chapters 5–7 state and draw, checked on every strategy.

The book explains a run through its ``Step`` records (tables, plots, explorers), so the
records must mean exactly what the chapters say:

- each trial step ``p`` is the exact damped step p(λ) of its recorded ``lam`` and ``D``
  (chapter 5, eq. levenberg-marquardt-step), and ``predicted`` is L(0) − L(p) of the
  linear model (eq. levenberg-marquardt-predicted);
- Marquardt's scaling D never shrinks and dominates the column norms of J (chapter 6);
- under a change of units x = S y, Marquardt's scaling makes *every* record correspond:
  the same λ, Δ, ρ and accept/reject decisions, not only the same iterates (chapter 6);
- one factorization of the subproblem per accepted step serves every λ tried there
  (chapter 7).
"""
from __future__ import annotations

import numpy as np
import pytest

import lm
from lm.problems import CLASSICS
from lm.subproblem import Subproblem

STRATEGIES = ["trust-region", "nielsen", "marquardt"]
PROBLEMS = ["rosenbrock", "beale", "powell_badly_scaled", "jennrich_sampson", "exponential_decay"]


def run(name, damping, **kw):
    P = CLASSICS[name]()
    return P, lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=damping, **kw)


@pytest.mark.parametrize("damping", STRATEGIES)
@pytest.mark.parametrize("name", PROBLEMS)
def test_each_record_is_the_exact_damped_step_of_its_lambda(name, damping):
    P, res = run(name, damping)
    for s in res.history:
        r, J = P.fun(s.x), P.jac(s.x)
        p = Subproblem(r, J, s.D).step(s.lam)
        assert np.allclose(s.D * s.p, s.D * p, rtol=1e-9, atol=1e-14 * np.linalg.norm(s.D * p)), s
        # predicted = L(0) − L(p) of the linear model L(p) = ½‖r + Jp‖², computed the long
        # way (which cancels when the reduction is tiny, hence the atol)
        L0, Lp = 0.5 * (r @ r), 0.5 * np.sum((r + J @ s.p) ** 2)
        assert np.isclose(s.predicted, L0 - Lp, rtol=1e-6, atol=1e-10 * L0), (s.predicted, L0 - Lp)


@pytest.mark.parametrize("damping", STRATEGIES)
@pytest.mark.parametrize("name", PROBLEMS)
def test_marquardt_scaling_never_shrinks_and_covers_the_columns(name, damping):
    P, res = run(name, damping)
    previous = np.zeros(P.n)
    for s in res.history:
        assert np.all(s.D >= previous)
        col = np.linalg.norm(P.jac(s.x), axis=0)
        assert np.all(s.D >= col * (1 - 1e-12))
        previous = s.D


@pytest.mark.parametrize("damping", STRATEGIES)
@pytest.mark.parametrize("name", ["rosenbrock", "powell_badly_scaled", "exponential_decay"])
def test_change_of_units_leaves_every_record_unchanged(name, damping):
    P = CLASSICS[name]()
    S = np.array([2.0**10, 2.0**-7])        # powers of two: the rescaling itself is exact
    fun_y = lambda y: P.fun(S * y)          # noqa: E731
    jac_y = lambda y: P.jac(S * y) * S      # noqa: E731
    a = lm.levenberg_marquardt(P.fun, P.x0, P.jac, damping=damping)
    b = lm.levenberg_marquardt(fun_y, P.x0 / S, jac_y, damping=damping)
    assert len(a.history) == len(b.history) and a.status == b.status
    for s, t in zip(a.history, b.history):
        assert s.accepted == t.accepted
        assert np.allclose(s.x, S * t.x, rtol=1e-12, atol=0) and np.allclose(s.p, S * t.p, rtol=1e-10, atol=1e-300)
        assert np.isclose(s.lam, t.lam, rtol=1e-10, atol=0)
        assert np.isclose(s.rho, t.rho, rtol=1e-8) or s.rho == t.rho
        assert (s.Delta is None) == (t.Delta is None)
        if s.Delta is not None:
            assert np.isclose(s.Delta, t.Delta, rtol=1e-12)
        assert np.allclose(s.D, t.D / S, rtol=1e-12)            # D̃ = D S


@pytest.mark.parametrize("damping", STRATEGIES)
def test_one_factorization_per_accepted_step(damping, monkeypatch):
    built = []

    class Counting(Subproblem):
        def __init__(self, *args):
            built.append(1)
            super().__init__(*args)

    monkeypatch.setattr(lm.solver, "Subproblem", Counting)
    _, res = run("jennrich_sampson", damping)
    assert len(res.history) > res.nit                       # there were rejected steps
    assert len(built) == 1 + res.nit
