"""A selection of the Moré–Garbow–Hillstrom (1981) test problems, written once in SymPy so
that residuals and exact Jacobians come from the same expressions.

``MGH_PROBLEMS`` maps a name to a factory returning a :class:`Problem`; ``cost_star`` is
½ of the minimum sum of squares reported by Moré, Garbow & Hillstrom (1981).

Reference: J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
software", ACM TOMS 7(1), 17–41 (1981), problems 1–35.
"""
from __future__ import annotations

import numpy as np

from .base import Problem

__all__ = ["MGH_PROBLEMS"]


def _problem(name, residuals, xs, x0, sum_sq_star, description=""):
    from ..symbolic import from_sympy

    fun, jac = from_sympy(residuals, xs)
    return Problem(name, fun, jac, x0=x0, cost_star=sum_sq_star / 2, description=description)


def _symbols(n):
    import sympy as sp

    return sp.symbols(f"x1:{n + 1}")


def helical_valley():
    import sympy as sp

    x1, x2, x3 = xs = _symbols(3)
    # MGH's θ: arctan(x₂/x₁)/2π, plus ½ for x₁ < 0 (continuous at the start (−1, 0, 0),
    # where atan2 would jump by 2π)
    theta = sp.Piecewise((sp.atan(x2 / x1) / (2 * sp.pi), x1 > 0),
                         (sp.atan(x2 / x1) / (2 * sp.pi) + sp.Rational(1, 2), True))
    return _problem("Helical valley", [10 * (x3 - 10 * theta), 10 * (sp.sqrt(x1**2 + x2**2) - 1), x3],
                    xs, [-1.0, 0.0, 0.0], 0.0)


def bard():
    y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39]
    x1, x2, x3 = xs = _symbols(3)
    res = [y[i - 1] - (x1 + i / (x2 * (16 - i) + x3 * min(i, 16 - i))) for i in range(1, 16)]
    return _problem("Bard", res, xs, [1.0, 1.0, 1.0], 8.21487e-3)


def gaussian():
    import sympy as sp

    y = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
         0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009]
    x1, x2, x3 = xs = _symbols(3)
    res = [x1 * sp.exp(-x2 * (sp.Rational(8 - i, 2) - x3) ** 2 / 2) - y[i - 1] for i in range(1, 16)]
    return _problem("Gaussian", res, xs, [0.4, 1.0, 0.0], 1.12793e-8)


def box_3d():
    import sympy as sp

    x1, x2, x3 = xs = _symbols(3)
    res = []
    for i in range(1, 11):
        t = sp.Rational(i, 10)
        res.append(sp.exp(-t * x1) - sp.exp(-t * x2) - x3 * (sp.exp(-t) - sp.exp(-10 * t)))
    return _problem("Box 3-D", res, xs, [0.0, 10.0, 20.0], 0.0)


def powell_singular():
    import sympy as sp

    x1, x2, x3, x4 = xs = _symbols(4)
    res = [x1 + 10 * x2, sp.sqrt(5) * (x3 - x4), (x2 - 2 * x3) ** 2, sp.sqrt(10) * (x1 - x4) ** 2]
    return _problem("Powell singular", res, xs, [3.0, -1.0, 0.0, 1.0], 0.0)


def wood():
    import sympy as sp

    x1, x2, x3, x4 = xs = _symbols(4)
    res = [10 * (x2 - x1**2), 1 - x1, sp.sqrt(90) * (x4 - x3**2), 1 - x3,
           sp.sqrt(10) * (x2 + x4 - 2), (x2 - x4) / sp.sqrt(10)]
    return _problem("Wood", res, xs, [-3.0, -1.0, -3.0, -1.0], 0.0)


def brown_dennis():
    import sympy as sp

    x1, x2, x3, x4 = xs = _symbols(4)
    res = []
    for i in range(1, 21):
        t = sp.Rational(i, 5)
        res.append((x1 + t * x2 - sp.exp(t)) ** 2 + (x3 + x4 * sp.sin(t) - sp.cos(t)) ** 2)
    return _problem("Brown and Dennis", res, xs, [25.0, 5.0, -5.0, -1.0], 85822.2)


def osborne_1():
    import sympy as sp

    y = [0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718,
         0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467,
         0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406]
    x1, x2, x3, x4, x5 = xs = _symbols(5)
    res = [y[i] - (x1 + x2 * sp.exp(-10 * i * x4) + x3 * sp.exp(-10 * i * x5)) for i in range(33)]
    return _problem("Osborne 1", res, xs, [0.5, 1.5, -1.0, 0.01, 0.02], 5.46489e-5)


def biggs_exp6():
    import sympy as sp

    x1, x2, x3, x4, x5, x6 = xs = _symbols(6)
    res = []
    for i in range(1, 14):
        t = sp.Rational(i, 10)
        y = sp.exp(-t) - 5 * sp.exp(-10 * t) + 3 * sp.exp(-4 * t)
        res.append(x3 * sp.exp(-t * x1) - x4 * sp.exp(-t * x2) + x6 * sp.exp(-t * x5) - y)
    return _problem("Biggs EXP6", res, xs, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], 0.0,
                    "zero residual at (1, 10, 1, 5, 4, 3); a local minimum with 5.65565e-3")


def extended_rosenbrock(n=10):
    xs = _symbols(n)
    res = []
    for i in range(0, n, 2):
        res += [10 * (xs[i + 1] - xs[i] ** 2), 1 - xs[i]]
    return _problem(f"Extended Rosenbrock (n={n})", res, xs, [-1.2, 1.0] * (n // 2), 0.0)


def penalty_1(n=4):
    import sympy as sp

    xs = _symbols(n)
    a = sp.sqrt(sp.Rational(1, 100000))
    res = [a * (x - 1) for x in xs] + [sum(x**2 for x in xs) - sp.Rational(1, 4)]
    return _problem(f"Penalty I (n={n})", res, xs, list(range(1, n + 1)), 2.24997e-5)


def variably_dimensioned(n=10):
    xs = _symbols(n)
    s = sum((j + 1) * (xs[j] - 1) for j in range(n))
    res = [x - 1 for x in xs] + [s, s**2]
    return _problem(f"Variably dimensioned (n={n})", res, xs, [1 - (j + 1) / n for j in range(n)], 0.0)


def brown_almost_linear(n=10):
    import sympy as sp

    xs = _symbols(n)
    res = [xs[i] + sum(xs) - (n + 1) for i in range(n - 1)] + [sp.Mul(*xs) - 1]
    return _problem(f"Brown almost-linear (n={n})", res, xs, [0.5] * n, 0.0)


def discrete_boundary_value(n=10):
    xs = _symbols(n)
    h = 1 / (n + 1)
    res = []
    for i in range(n):
        t = (i + 1) * h
        left = xs[i - 1] if i > 0 else 0
        right = xs[i + 1] if i < n - 1 else 0
        res.append(2 * xs[i] - left - right + h**2 * (xs[i] + t + 1) ** 3 / 2)
    x0 = [(i + 1) * h * ((i + 1) * h - 1) for i in range(n)]
    return _problem(f"Discrete boundary value (n={n})", res, xs, x0, 0.0)


def linear_full_rank(n=5, m=10):
    xs = _symbols(n)
    s = sum(xs)
    res = [xs[i] - 2 * s / m - 1 for i in range(n)] + [-2 * s / m - 1 for _ in range(n, m)]
    return _problem(f"Linear full rank (n={n}, m={m})", res, xs, [1.0] * n, float(m - n))


def brown_badly_scaled():
    x1, x2 = xs = _symbols(2)
    return _problem("Brown badly scaled", [x1 - 1e6, x2 - 2e-6, x1 * x2 - 2], xs, [1.0, 1.0], 0.0)


def _classic(factory, sum_sq_star):
    def make():
        p = factory()
        p.cost_star = sum_sq_star / 2
        return p

    return make


def _classics():
    from . import classics

    return {
        "rosenbrock": _classic(classics.rosenbrock, 0.0),
        "freudenstein_roth": _classic(classics.freudenstein_roth, 0.0),
        "powell_badly_scaled": _classic(classics.powell_badly_scaled, 0.0),
        "beale": _classic(classics.beale, 0.0),
        "jennrich_sampson": _classic(classics.jennrich_sampson, 124.362),
    }


MGH_PROBLEMS = {
    **_classics(),
    "brown_badly_scaled": brown_badly_scaled,
    "helical_valley": helical_valley,
    "bard": bard,
    "gaussian": gaussian,
    "box_3d": box_3d,
    "powell_singular": powell_singular,
    "wood": wood,
    "brown_dennis": brown_dennis,
    "osborne_1": osborne_1,
    "biggs_exp6": biggs_exp6,
    "extended_rosenbrock": extended_rosenbrock,
    "penalty_1": penalty_1,
    "variably_dimensioned": variably_dimensioned,
    "brown_almost_linear": brown_almost_linear,
    "discrete_boundary_value": discrete_boundary_value,
    "linear_full_rank": linear_full_rank,
}
