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


def _armijo(fun, x, d, cost, slope, alpha, c1, alpha_min):
    """Backtracking along a descent direction d (slope = gᵀd < 0): halve α from ``alpha``
    until F(x + αd) ≤ F(x) + c1·α·slope (Armijo's sufficient decrease; Nocedal & Wright
    2006, Algorithm 3.1). Returns (α, r(x + αd), F(x + αd), calls of fun), with α = None
    when no α ≥ ``alpha_min`` decreases F enough."""
    calls = 0
    while alpha >= alpha_min:
        r_new = np.asarray(fun(x + alpha * d), float)
        calls += 1
        cost_new = 0.5 * float(r_new @ r_new)
        if cost_new <= cost + c1 * alpha * slope:              # enough decrease (NaN: never)
            return alpha, r_new, cost_new, calls
        alpha *= 0.5
    return None, None, None, calls


def _line_search_method(direction, fun, x0, jac, max_iter, c1, gtol, alpha0, alpha_min, xtol):
    """The loop shared by damped Gauss–Newton and gradient descent: at x, the direction
    d = direction(r, J, g, α_last); an Armijo step along it; stop on a vanishing gradient
    (status 1), a tiny step (status 3, if ``xtol`` is given), a failed line search or the
    iteration limit (status 0). Records ``lam`` = 1/α, ``predicted`` = −α gᵀd."""
    x = _start(fun, x0, jac)
    r, J = np.asarray(fun(x), float), np.asarray(jac(x), float)
    history, nfev, alpha = [], 1, alpha0
    with np.errstate(all="ignore"):
        for k in range(max_iter):
            g = J.T @ r                                              # g = Jᵀr
            cost = 0.5 * float(r @ r)
            if np.abs(g).max() <= gtol * max(1.0, np.linalg.norm(r)):
                return _result(x, r, J, history, nfev, 1, "the gradient vanished")
            d, alpha = direction(r, J, g, alpha)
            slope = float(g @ d)                                     # gᵀd < 0: downhill
            alpha, r_new, cost_new, calls = _armijo(fun, x, d, cost, slope, alpha, c1, alpha_min)
            nfev += calls
            if alpha is None:
                return _result(x, r, J, history, nfev, 0, "the line search found no decrease")
            history.append(Step(k, x, cost, 1 / alpha, None, alpha * d, cost_new, -alpha * slope,
                                cost - cost_new, np.nan, True, float(np.abs(g).max()), nfev))
            x, r = x + alpha * d, r_new
            J = np.asarray(jac(x), float)
            if xtol is not None and alpha * np.linalg.norm(d) <= xtol * (xtol + np.linalg.norm(x)):
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
    def gauss_newton_direction(r, J, g, alpha):
        return Subproblem(r, J, np.ones(J.shape[1])).step(0.0), 1.0   # p = −J⁺r, from α = 1

    return _line_search_method(gauss_newton_direction, fun, x0, jac, max_iter, c1, gtol,
                               1.0, 2.0 ** -60, xtol)


def gradient_descent(fun: Callable, x0, jac: Callable, max_iter: int = 200, alpha0: float = 1.0,
                     gtol: float = 1e-10) -> LMResult:
    """Steepest descent x ← x − α g with Armijo backtracking: each step starts from twice the
    last α and halves it until F(x − αg) ≤ F(x) − 10⁻⁴·α‖g‖² (Nocedal & Wright 2006, §3.1).
    Fails (status 0) when no α ≥ 10⁻³⁰⁰ decreases F enough, or after ``max_iter`` steps.

    Each record's ``lam`` holds 1/α, the damping that would give the same short step.
    """
    def steepest_descent(r, J, g, alpha):
        return -g, 2.0 * alpha                   # try a longer step than last time, then backtrack

    return _line_search_method(steepest_descent, fun, x0, jac, max_iter, 1e-4, gtol,
                               alpha0, 1e-300, None)
