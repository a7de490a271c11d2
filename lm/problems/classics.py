"""Two-parameter classics for contour plots (Moré, Garbow & Hillstrom 1981) and a small
exponential-decay fit. Each function returns a fresh :class:`Problem`.

References: Moré, Garbow & Hillstrom (1981), problems 1, 2, 3, 5, 6;
Madsen–Nielsen–Tingleff (2004) for the exponential fit; Dennis & Schnabel (1983), §10.2,
for the one-parameter example of slow (linear) Gauss–Newton convergence.
"""
from __future__ import annotations

import numpy as np

from .base import Problem

__all__ = ["rosenbrock", "beale", "freudenstein_roth", "powell_badly_scaled", "jennrich_sampson",
           "exponential_decay", "dennis_schnabel", "CLASSICS"]


def rosenbrock() -> Problem:
    """Rosenbrock's banana valley as residuals: r = (10(x₂ − x₁²), 1 − x₁); minimum (1, 1)."""
    fun = lambda x: np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])  # noqa: E731
    jac = lambda x: np.array([[-20 * x[0], 10.0], [-1.0, 0.0]])  # noqa: E731
    return Problem("Rosenbrock", fun, jac, x0=[-1.2, 1.0], starts=[[-1.2, 1.0], [-0.5, 2.5], [1.8, -0.5]],
                   x_star=[1.0, 1.0], cost_star=0.0, xlim=(-2.0, 2.0), ylim=(-1.0, 3.0),
                   description="banana valley: r = (10(x₂ − x₁²), 1 − x₁)")


_BEALE_Y = np.array([1.5, 2.25, 2.625])


def beale() -> Problem:
    """Beale: r_i = y_i − x₁(1 − x₂ⁱ), y = (1.5, 2.25, 2.625); minimum (3, 0.5)."""
    i = np.arange(1, 4)
    fun = lambda x: _BEALE_Y - x[0] * (1 - x[1] ** i)  # noqa: E731
    jac = lambda x: np.column_stack([-(1 - x[1] ** i), x[0] * i * x[1] ** (i - 1)])  # noqa: E731
    return Problem("Beale", fun, jac, x0=[1.0, 1.0], starts=[[1.0, 1.0], [-1.0, 1.5], [0.5, -1.0]],
                   x_star=[3.0, 0.5], cost_star=0.0, xlim=(-2.0, 4.5), ylim=(-1.5, 2.0),
                   description="narrow curved valleys; minimum (3, 0.5)")


def freudenstein_roth() -> Problem:
    """Freudenstein–Roth: global minimum (5, 4) with F = 0, a local one near (11.41, −0.8968)
    with F ≈ 24.49."""
    def fun(x):
        return np.array([-13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1],
                         -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1]])

    def jac(x):
        return np.array([[1.0, 10 * x[1] - 3 * x[1] ** 2 - 2], [1.0, 3 * x[1] ** 2 + 2 * x[1] - 14]])

    return Problem("Freudenstein–Roth", fun, jac, x0=[0.5, -2.0], starts=[[0.5, -2.0], [15.0, -2.0], [5.0, 6.0]],
                   x_star=[5.0, 4.0], cost_star=0.0, xlim=(-5.0, 20.0), ylim=(-3.0, 6.0),
                   description="a local minimum near (11.41, −0.897), F ≈ 24.49, beside the global one (5, 4)")


def powell_badly_scaled() -> Problem:
    """Powell's badly scaled problem: r = (10⁴x₁x₂ − 1, e^{−x₁} + e^{−x₂} − 1.0001);
    minimum near (1.098e−5, 9.106): the parameters differ by six orders of magnitude."""
    def fun(x):
        return np.array([1e4 * x[0] * x[1] - 1, np.exp(-x[0]) + np.exp(-x[1]) - 1.0001])

    def jac(x):
        return np.array([[1e4 * x[1], 1e4 * x[0]], [-np.exp(-x[0]), -np.exp(-x[1])]])

    return Problem("Powell badly scaled", fun, jac, x0=[0.0, 1.0], starts=[[0.0, 1.0]],
                   x_star=[1.098159329699e-05, 9.106146739867], cost_star=0.0,
                   xlim=(-2e-5, 1.2e-4), ylim=(0.0, 12.0),
                   description="badly scaled: x₁ ~ 1e-5, x₂ ~ 10")


def jennrich_sampson(m: int = 10) -> Problem:
    """Jennrich–Sampson: r_i = 2 + 2i − (e^{i x₁} + e^{i x₂}); large residual at the minimum
    (0.2578, 0.2578), F ≈ 62.18 for m = 10. Gauss–Newton wanders off; LM converges."""
    i = np.arange(1, m + 1)
    fun = lambda x: 2 + 2 * i - (np.exp(i * x[0]) + np.exp(i * x[1]))  # noqa: E731
    jac = lambda x: np.column_stack([-i * np.exp(i * x[0]), -i * np.exp(i * x[1])])  # noqa: E731
    return Problem("Jennrich–Sampson", fun, jac, x0=[0.3, 0.4], starts=[[0.3, 0.4], [0.1, 0.5]],
                   x_star=[0.2578252135686162, 0.2578252135686162], cost_star=124.36218235561473 / 2,
                   xlim=(0.0, 0.5), ylim=(0.0, 0.5),
                   description="large residual at the minimum: Gauss–Newton is not reliable")


def dennis_schnabel(a: float = 0.99, x0: float = 6.0) -> Problem:
    """Dennis & Schnabel's one-parameter example (1983, §10.2):
    r(x) = (x − 4, a(x − 5)² + (x − 5) − 1).

    At x* = 5, r = (1, −1) and J = (1, 1)ᵀ, so JᵀJ = 2 and S = Σ r_j ∇²r_j = −2a: x* is a
    local minimizer (∇²F = 2 − 2a > 0) for every a < 1, with F(x*) = 1, and the
    Gauss–Newton iteration converges there linearly with rate |(JᵀJ)⁻¹S| = |a| (it is
    repelled for |a| > 1). ``a`` must be a finite number < 1.
    """
    if isinstance(a, bool) or not isinstance(a, (int, float, np.floating, np.integer)) or not np.isfinite(a):
        raise TypeError(f"a must be a finite real number, got {a!r}")
    if not a < 1:
        raise ValueError(f"a must be < 1 (x* = 5 is a minimizer only then), got {a!r}")
    a = float(a)
    fun = lambda x: np.array([x[0] - 4, a * (x[0] - 5) ** 2 + (x[0] - 5) - 1])  # noqa: E731
    jac = lambda x: np.array([[1.0], [2 * a * (x[0] - 5) + 1]])  # noqa: E731
    return Problem(f"Dennis–Schnabel, a = {a:g}", fun=fun, jac=jac, x0=np.array([float(x0)]),
                   starts=[np.array([float(x0)])], x_star=np.array([5.0]), cost_star=1.0,
                   xlim=(4.0, 6.0), ylim=(0.0, 1.0),
                   description=f"r = (x − 4, {a:g}(x − 5)² + (x − 5) − 1): Gauss–Newton rate |a| at x* = 5")


def exponential_decay(noise: float = 0.05, seed: int = 0) -> Problem:
    """Fit y = A·e^{−k t} to 25 noisy samples of 3·e^{−0.8 t} on [0, 5] (fixed seed)."""
    t = np.linspace(0.0, 5.0, 25)
    y = 3.0 * np.exp(-0.8 * t) + noise * np.random.default_rng(seed).standard_normal(t.size)
    model = lambda b, x=t: b[0] * np.exp(-b[1] * np.asarray(x))  # noqa: E731
    model_jac = lambda b, x=t: np.column_stack([np.exp(-b[1] * np.asarray(x)), -b[0] * np.asarray(x) * np.exp(-b[1] * np.asarray(x))])  # noqa: E731
    fun = lambda b: y - model(b)  # noqa: E731
    jac = lambda b: -model_jac(b)  # noqa: E731
    from ..solver import levenberg_marquardt

    best = levenberg_marquardt(fun, [1.0, 0.1], jac)
    return Problem("Exponential decay", fun, jac, x0=[1.0, 3.0], starts=[[1.0, 3.0], [5.0, 0.1], [0.5, 0.5]],
                   x_star=best.x, cost_star=best.cost, xlim=(0.0, 6.0), ylim=(-0.5, 3.5),
                   param_names=("A", "k"), data=(t, y), model=model, model_jac=model_jac,
                   formula="y = A·exp(−k t)", description="fit y = A e^{−kt} to noisy data")


CLASSICS = {
    "rosenbrock": rosenbrock, "beale": beale, "freudenstein_roth": freudenstein_roth,
    "powell_badly_scaled": powell_badly_scaled, "jennrich_sampson": jennrich_sampson,
    "exponential_decay": exponential_decay,
}
