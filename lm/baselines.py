"""The methods Levenberg–Marquardt is compared with, for comparison plots.

``gauss_newton`` takes the undamped step p = −J⁺r and *always* moves (no safeguard), so the
book can show where it overshoots or diverges; ``damped_gauss_newton`` takes the same
direction with a backtracking (Armijo) line search on its length, the fair Gauss–Newton
baseline beside ``gradient_descent``, which takes steepest-descent steps −α g with the same
line search. All three return an :class:`lm.LMResult`
whose ``history`` has the same :class:`lm.Step` records as the LM solver, so the plotting
functions of :mod:`lm.viz` draw all three alike.

References: Nocedal & Wright (2006) §3.1 (Armijo backtracking), §10.3 (Gauss–Newton, with a
line search); Dennis & Schnabel (1983) §10.2 (damped Gauss–Newton);
Madsen–Nielsen–Tingleff (2004) §2.2 and §3.1.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .solver import LMResult, Step
from .subproblem import Subproblem

__all__ = ["damped_gauss_newton", "gauss_newton", "gradient_descent"]


def _start(fun, x0, jac):
    if not callable(fun) or not callable(jac):
        raise TypeError("fun and jac must be callables (x -> r, x -> J)")
    x = np.asarray(x0, dtype=float)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be a finite 1-D array, got {x0!r}")
    return x


def _result(x, r, J, history, nfev, status, message) -> LMResult:
    return LMResult(x=x, cost=0.5 * float(r @ r), fun=r, jac=J, grad=J.T @ r, nfev=nfev,
                    njev=len(history) + 1, nit=sum(s.accepted for s in history), status=status,
                    message=message, success=status > 0, history=history, damping="")


def gauss_newton(fun: Callable, x0, jac: Callable, max_iter: int = 50, xtol: float = 1e-12) -> LMResult:
    """Plain Gauss–Newton: x ← x − J⁺r, every step taken, even uphill.

    Stops after ``max_iter`` steps, when the step is below ``xtol``·‖x‖, or when r becomes
    non-finite (status 0 and a message saying it diverged).
    """
    x = _start(fun, x0, jac)
    r, J = np.asarray(fun(x), float), np.asarray(jac(x), float)
    history, nfev = [], 1
    with np.errstate(all="ignore"):
        for k in range(max_iter):
            p = Subproblem(r, J, np.ones(x.size)).step(0.0)          # p = −J⁺r (minimum norm)
            r_new = np.asarray(fun(x + p), float)
            nfev += 1
            cost, cost_new = 0.5 * float(r @ r), 0.5 * float(r_new @ r_new)
            predicted = 0.5 * float((J @ p) @ (J @ p))
            diverged = not np.all(np.isfinite(r_new))  # the one step Gauss–Newton cannot take
            history.append(Step(k, x, cost, 0.0, None, p, cost_new, predicted, cost - cost_new,
                                (cost - cost_new) / predicted if predicted > 0 else np.nan,
                                not diverged, float(np.abs(J.T @ r).max()), nfev))
            if diverged:
                return _result(x, r, J, history, nfev, 0, "Gauss–Newton diverged: r(x + p) is not finite")
            x, r = x + p, r_new
            J = np.asarray(jac(x), float)
            if np.linalg.norm(p) <= xtol * (xtol + np.linalg.norm(x)):
                return _result(x, r, J, history, nfev, 3, "the Gauss–Newton step became tiny")
    return _result(x, r, J, history, nfev, 0, f"stopped after max_iter = {max_iter} steps")


def damped_gauss_newton(fun: Callable, x0, jac: Callable, max_iter: int = 200, c1: float = 1e-4,
                        xtol: float = 1e-12, gtol: float = 1e-10) -> LMResult:
    """Gauss–Newton with a line search: x ← x + α p_GN, α = 1, ½, ¼, … (Armijo backtracking).

    The direction is the Gauss–Newton step p = −J⁺r; its length is halved until
    F(x + αp) ≤ F(x) + c1·α·gᵀp (a descent direction: gᵀp = −‖Jp‖² < 0 unless g = 0). Each
    record's ``p`` is the step taken, αp, and ``lam`` holds 1/α. Stops when the gradient
    vanishes (status 1) or the step is below ``xtol``·‖x‖ (status 3); it fails (status 0,
    ``success`` False) when no α ≥ 2⁻⁶⁰ decreases F enough or after ``max_iter`` steps.

    References: Nocedal & Wright (2006) §10.3; Dennis & Schnabel (1983) §10.2.
    """
    x = _start(fun, x0, jac)
    r, J = np.asarray(fun(x), float), np.asarray(jac(x), float)
    history, nfev = [], 1
    with np.errstate(all="ignore"):
        for k in range(max_iter):
            g = J.T @ r
            cost = 0.5 * float(r @ r)
            if np.abs(g).max() <= gtol * max(1.0, np.linalg.norm(r)):
                return _result(x, r, J, history, nfev, 1, "the gradient vanished")
            p = Subproblem(r, J, np.ones(x.size)).step(0.0)          # p = −J⁺r (minimum norm)
            slope = float(g @ p)                                     # = −‖Jp‖² < 0
            alpha = 1.0
            while True:
                r_new = np.asarray(fun(x + alpha * p), float)
                nfev += 1
                cost_new = 0.5 * float(r_new @ r_new)
                if cost_new <= cost + c1 * alpha * slope:             # Armijo: enough decrease
                    break
                if alpha < 2.0 ** -60:
                    return _result(x, r, J, history, nfev, 0, "the line search found no decrease")
                alpha *= 0.5
            history.append(Step(k, x, cost, 1 / alpha, None, alpha * p, cost_new, -alpha * slope,
                                cost - cost_new, np.nan, True, float(np.abs(g).max()), nfev))
            x, r = x + alpha * p, r_new
            J = np.asarray(jac(x), float)
            if alpha * np.linalg.norm(p) <= xtol * (xtol + np.linalg.norm(x)):
                return _result(x, r, J, history, nfev, 3, "the Gauss–Newton step became tiny")
    return _result(x, r, J, history, nfev, 0, f"stopped after max_iter = {max_iter} steps")


def gradient_descent(fun: Callable, x0, jac: Callable, max_iter: int = 200, alpha0: float = 1.0,
                     gtol: float = 1e-10) -> LMResult:
    """Steepest descent x ← x − α g with Armijo backtracking (halve α until F decreases enough).

    Each record's ``lam`` holds 1/α, the damping that would give the same short step.
    """
    x = _start(fun, x0, jac)
    r, J = np.asarray(fun(x), float), np.asarray(jac(x), float)
    history, nfev, alpha = [], 1, alpha0
    with np.errstate(all="ignore"):
        for k in range(max_iter):
            g = J.T @ r
            cost = 0.5 * float(r @ r)
            if np.abs(g).max() <= gtol * max(1.0, np.linalg.norm(r)):
                return _result(x, r, J, history, nfev, 1, "the gradient vanished")
            alpha *= 2.0  # try a longer step than last time, then backtrack
            while True:
                p = -alpha * g
                r_new = np.asarray(fun(x + p), float)
                nfev += 1
                cost_new = 0.5 * float(r_new @ r_new)
                if cost_new <= cost - 1e-4 * alpha * float(g @ g) or alpha < 1e-300:
                    break
                alpha *= 0.5
            history.append(Step(k, x, cost, 1 / alpha, None, p, cost_new, alpha * float(g @ g),
                                cost - cost_new, np.nan, True, float(np.abs(g).max()), nfev))
            x, r = x + p, r_new
            J = np.asarray(jac(x), float)
    return _result(x, r, J, history, nfev, 0, f"stopped after max_iter = {max_iter} steps")
