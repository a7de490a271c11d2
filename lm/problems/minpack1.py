"""The MINPACK-1 test set: the 18 least-squares problems of Moré, Garbow & Hillstrom (1981)
that MINPACK-1's ``lmder`` test driver solves, and its 53 runs (start x₀, 10·x₀, 100·x₀).

Each problem is written in numpy with its exact Jacobian. ``MINPACK1_RUNS`` lists the runs
as ``(key, factor)``; :func:`minpack1_problem` builds the :class:`Problem` of a key with
its start scaled by ``factor`` (for Watson, whose standard start is 0, the start is the
vector of ``factor``, as in the driver's ``initpt``). ``known_minima`` holds the values of
‖r‖ at the minima the paper reports (local minima and limits at infinity included);
:func:`reached_minimum` says which one a result reached.

References: J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
software", ACM TOMS 7(1), 17–41 (1981), problems 1–18 and 32–35 of their list; the run list
(problem, n, m, factor) is that of MINPACK-1's test driver for lmder (Argonne, 1980).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Problem

__all__ = ["MINPACK1_RUNS", "minpack1_problem", "known_minima", "reached_minimum", "Minpack1Spec"]


@dataclass(frozen=True)
class Minpack1Spec:
    """One problem of the set: its residuals, Jacobian, standard start and known minima."""

    name: str
    n: int
    m: int
    fun: object
    jac: object
    x0: tuple
    minima: tuple  #: ‖r‖ at the known minima (MGH 1981); the first is the global one


# ---------------------------------------------------------------------------------------
# the 18 problems (MGH numbers in brackets)


def _linear_full_rank(n, m):                                                    # [32]
    A = np.eye(m, n) - 2.0 / m

    def fun(x):
        return A @ x - 1.0

    return fun, lambda x: A


def _linear_rank1(n, m):                                                        # [33]
    A = np.outer(np.arange(1, m + 1), np.arange(1, n + 1)).astype(float)
    return (lambda x: A @ x - 1.0), (lambda x: A)


def _linear_rank1_zero(n, m):                                                   # [34]
    A = np.outer(np.arange(0, m), np.arange(1, n + 1)).astype(float)
    A[:, 0] = A[:, -1] = 0.0
    A[-1, :] = 0.0
    return (lambda x: A @ x - 1.0), (lambda x: A)


def _rosenbrock(n, m):                                                          # [1]
    def fun(x):
        return np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])

    def jac(x):
        return np.array([[-20 * x[0], 10.0], [-1.0, 0.0]])

    return fun, jac


def _theta(x1, x2):
    if x1 > 0:
        return np.arctan(x2 / x1) / (2 * np.pi)
    if x1 < 0:
        return np.arctan(x2 / x1) / (2 * np.pi) + 0.5
    return 0.25 if x2 >= 0 else -0.25


def _helical_valley(n, m):                                                      # [7]
    def fun(x):
        return np.array([10 * (x[2] - 10 * _theta(x[0], x[1])),
                         10 * (np.hypot(x[0], x[1]) - 1), x[2]])

    def jac(x):
        b = x[0] ** 2 + x[1] ** 2
        c, d = 2 * np.pi * b, np.sqrt(b)
        return np.array([[100 * x[1] / c, -100 * x[0] / c, 10.0],
                         [10 * x[0] / d, 10 * x[1] / d, 0.0],
                         [0.0, 0.0, 1.0]])

    return fun, jac


def _powell_singular(n, m):                                                     # [13]
    s5, s10 = np.sqrt(5.0), np.sqrt(10.0)

    def fun(x):
        return np.array([x[0] + 10 * x[1], s5 * (x[2] - x[3]),
                         (x[1] - 2 * x[2]) ** 2, s10 * (x[0] - x[3]) ** 2])

    def jac(x):
        a, b = 2 * (x[1] - 2 * x[2]), 2 * s10 * (x[0] - x[3])
        return np.array([[1.0, 10.0, 0.0, 0.0], [0.0, 0.0, s5, -s5],
                         [0.0, a, -2 * a, 0.0], [b, 0.0, 0.0, -b]])

    return fun, jac


def _freudenstein_roth(n, m):                                                   # [2]
    def fun(x):
        return np.array([-13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1],
                         -29 + x[0] + ((1 + x[1]) * x[1] - 14) * x[1]])

    def jac(x):
        return np.array([[1.0, x[1] * (10 - 3 * x[1]) - 2], [1.0, x[1] * (2 + 3 * x[1]) - 14]])

    return fun, jac


_BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96,
                    1.34, 2.10, 4.39])


def _bard(n, m):                                                                # [8]
    u = np.arange(1.0, 16.0)
    v = 16.0 - u
    w = np.minimum(u, v)

    def fun(x):
        return _BARD_Y - (x[0] + u / (x[1] * v + x[2] * w))

    def jac(x):
        d2 = (x[1] * v + x[2] * w) ** 2
        return np.column_stack([-np.ones(15), u * v / d2, u * w / d2])

    return fun, jac


_KO_V = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])
_KO_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323,
                  0.0235, 0.0246])


def _kowalik_osborne(n, m):                                                     # [15]
    v = _KO_V

    def fun(x):
        return _KO_Y - x[0] * v * (v + x[1]) / (v * (v + x[2]) + x[3])

    def jac(x):
        num, den = v * (v + x[1]), v * (v + x[2]) + x[3]
        j1 = -num / den
        j2 = -v * x[0] / den
        j3 = j1 * j2
        return np.column_stack([j1, j2, j3, j3 / v])

    return fun, jac


_MEYER_Y = np.array([34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0,
                     8261.0, 7030.0, 6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0])


def _meyer(n, m):                                                               # [10]
    t = 45.0 + 5.0 * np.arange(1, 17)

    def fun(x):
        return x[0] * np.exp(x[1] / (t + x[2])) - _MEYER_Y

    def jac(x):
        d = t + x[2]
        e = np.exp(x[1] / d)
        j2 = x[0] * e / d
        return np.column_stack([e, j2, -x[1] / d * j2])

    return fun, jac


def _watson(n, m):                                                              # [20]
    t = np.arange(1, 30) / 29.0
    powers = t[:, None] ** np.arange(n)                      # t_i^(j−1), j = 1..n
    dpowers = np.arange(n) * np.hstack([np.zeros((29, 1)), powers[:, :-1]])  # (j−1) t^(j−2)

    def fun(x):
        s1, s2 = dpowers @ x, powers @ x
        return np.concatenate([s1 - s2**2 - 1, [x[0], x[1] - x[0] ** 2 - 1]])

    def jac(x):
        s2 = powers @ x
        J = np.zeros((31, n))
        J[:29] = dpowers - 2 * s2[:, None] * powers
        J[29, 0] = 1.0
        J[30, 0], J[30, 1] = -2 * x[0], 1.0
        return J

    return fun, jac


def _box_3d(n, m):                                                              # [12]
    t = np.arange(1, m + 1) / 10.0
    c = np.exp(-10 * t) - np.exp(-t)

    def fun(x):
        return np.exp(-t * x[0]) - np.exp(-t * x[1]) + c * x[2]

    def jac(x):
        return np.column_stack([-t * np.exp(-t * x[0]), t * np.exp(-t * x[1]), c])

    return fun, jac


def _jennrich_sampson(n, m):                                                    # [6]
    i = np.arange(1.0, m + 1)

    def fun(x):
        return 2 + 2 * i - np.exp(i * x[0]) - np.exp(i * x[1])

    def jac(x):
        return np.column_stack([-i * np.exp(i * x[0]), -i * np.exp(i * x[1])])

    return fun, jac


def _brown_dennis(n, m):                                                        # [16]
    t = np.arange(1, m + 1) / 5.0
    s, c, e = np.sin(t), np.cos(t), np.exp(t)

    def fun(x):
        return (x[0] + t * x[1] - e) ** 2 + (x[2] + s * x[3] - c) ** 2

    def jac(x):
        a, b = 2 * (x[0] + t * x[1] - e), 2 * (x[2] + s * x[3] - c)
        return np.column_stack([a, t * a, b, s * b])

    return fun, jac


def _chebyquad(n, m):                                                           # [35]
    # r_i = (1/n) Σ_j T_i(2x_j − 1) − ∫₀¹ T_i(2u − 1) du, with T_i the Chebyshev polynomials
    i = np.arange(1, m + 1)
    even = i % 2 == 0
    integral = np.zeros(m)
    integral[even] = -1.0 / (i[even].astype(float) ** 2 - 1)

    def _cheb(x):
        z = 2 * x - 1                                         # T_i(z) and T_i'(z), i = 0..m
        T, dT = np.zeros((m + 1, n)), np.zeros((m + 1, n))
        T[0], T[1], dT[1] = 1.0, z, 1.0
        for k in range(1, m):
            T[k + 1] = 2 * z * T[k] - T[k - 1]
            dT[k + 1] = 2 * T[k] + 2 * z * dT[k] - dT[k - 1]
        return T[1:], dT[1:]

    def fun(x):
        return _cheb(x)[0].sum(axis=1) / n - integral

    def jac(x):
        return 2 * _cheb(x)[1] / n

    return fun, jac


def _brown_almost_linear(n, m):                                                 # [27]
    def fun(x):
        r = x + x.sum() - (n + 1)
        r[-1] = np.prod(x) - 1
        return r

    def jac(x):
        J = np.ones((n, n)) + np.eye(n)
        J[-1] = [np.prod(np.delete(x, j)) for j in range(n)]
        return J

    return fun, jac


_OSB1_Y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784,
                    0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522,
                    0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420,
                    0.414, 0.411, 0.406])


def _osborne1(n, m):                                                            # [17]
    t = 10.0 * np.arange(33)

    def fun(x):
        return _OSB1_Y - (x[0] + x[1] * np.exp(-x[3] * t) + x[2] * np.exp(-x[4] * t))

    def jac(x):
        e4, e5 = np.exp(-x[3] * t), np.exp(-x[4] * t)
        return np.column_stack([-np.ones(33), -e4, -e5, t * x[1] * e4, t * x[2] * e5])

    return fun, jac


_OSB2_Y = np.array([
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679,
    0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644,
    0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391,
    0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668,
    0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581,
    0.428, 0.292, 0.162, 0.098, 0.054])


def _osborne2(n, m):                                                            # [19]
    t = np.arange(65) / 10.0

    def _terms(x):
        e1 = np.exp(-x[4] * t)
        d = t[:, None] - x[8:11]                              # t − x₉, t − x₁₀, t − x₁₁
        g = np.exp(-x[5:8] * d**2)
        return e1, d, g

    def fun(x):
        e1, d, g = _terms(x)
        return _OSB2_Y - (x[0] * e1 + g @ x[1:4])

    def jac(x):
        e1, d, g = _terms(x)
        J = np.empty((65, 11))
        J[:, 0] = -e1
        J[:, 1:4] = -g
        J[:, 4] = t * x[0] * e1
        J[:, 5:8] = x[1:4] * d**2 * g
        J[:, 8:11] = -2 * x[1:4] * x[5:8] * d * g
        return J

    return fun, jac


def _sqrt(f):
    return float(np.sqrt(f))


# name, factory, standard start x0 (a function of n), minima as sums of squares f = ‖r‖²
# (MGH 1981); None marks a minimum whose value depends on (n, m) and is given per run below
_PROBLEMS = {
    "linear_full_rank": ("Linear function, full rank", _linear_full_rank, lambda n: np.ones(n)),
    "linear_rank1": ("Linear function, rank 1", _linear_rank1, lambda n: np.ones(n)),
    "linear_rank1_zero": ("Linear function, rank 1 with zero columns and rows", _linear_rank1_zero,
                          lambda n: np.ones(n)),
    "rosenbrock": ("Rosenbrock", _rosenbrock, lambda n: np.array([-1.2, 1.0])),
    "helical_valley": ("Helical valley", _helical_valley, lambda n: np.array([-1.0, 0.0, 0.0])),
    "powell_singular": ("Powell singular", _powell_singular, lambda n: np.array([3.0, -1.0, 0.0, 1.0])),
    "freudenstein_roth": ("Freudenstein and Roth", _freudenstein_roth, lambda n: np.array([0.5, -2.0])),
    "bard": ("Bard", _bard, lambda n: np.ones(3)),
    "kowalik_osborne": ("Kowalik and Osborne", _kowalik_osborne,
                        lambda n: np.array([0.25, 0.39, 0.415, 0.39])),
    "meyer": ("Meyer", _meyer, lambda n: np.array([0.02, 4000.0, 250.0])),
    "watson": ("Watson", _watson, lambda n: np.zeros(n)),
    "box_3d": ("Box three-dimensional", _box_3d, lambda n: np.array([0.0, 10.0, 20.0])),
    "jennrich_sampson": ("Jennrich and Sampson", _jennrich_sampson, lambda n: np.array([0.3, 0.4])),
    "brown_dennis": ("Brown and Dennis", _brown_dennis, lambda n: np.array([25.0, 5.0, -5.0, -1.0])),
    "chebyquad": ("Chebyquad", _chebyquad, lambda n: np.arange(1, n + 1) / (n + 1)),
    "brown_almost_linear": ("Brown almost-linear", _brown_almost_linear, lambda n: np.full(n, 0.5)),
    "osborne1": ("Osborne 1", _osborne1, lambda n: np.array([0.5, 1.5, -1.0, 0.01, 0.02])),
    "osborne2": ("Osborne 2", _osborne2,
                 lambda n: np.array([1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5])),
}


def known_minima(name: str, n: int, m: int) -> tuple:
    """‖r‖ at the known minima of a problem of size (n, m), the global one first.

    Sums of squares f from Moré, Garbow & Hillstrom (1981): linear problems in closed form;
    limits at infinity counted (Bard 17.4286, Kowalik–Osborne 1.02734e-3) and the other
    local minima they list (Freudenstein–Roth 48.9842, Brown almost-linear 1). Chebyquad
    with n = 1 (m = 8) is not in the paper: its local minima on [0, 1] (symmetric about ½),
    ‖r‖ = 1.751150, 1.868551, 1.884249, come from a fine grid (see tests). Its start x = ½ is
    a stationary point that is no minimum (‖r‖ = 1.886238, where MINPACK-1's driver stops).
    """
    f = {
        "linear_full_rank": [m - n],
        "linear_rank1": [m * (m - 1) / (2 * (2 * m + 1))],
        "linear_rank1_zero": [(m**2 + 3 * m - 6) / (2 * (2 * m - 3))],
        "rosenbrock": [0.0], "helical_valley": [0.0], "powell_singular": [0.0],
        "freudenstein_roth": [0.0, 48.9842],
        "bard": [8.21487e-3, 17.4286],
        "kowalik_osborne": [3.07505e-4, 1.02734e-3],
        "meyer": [87.9458],
        "watson": {6: [2.28767e-3], 9: [1.39976e-6], 12: [4.72238e-10]}.get(n, []),
        "box_3d": [0.0],
        "jennrich_sampson": [124.362],
        "brown_dennis": [85822.2],
        "chebyquad": {1: [1.751150**2, 1.868551**2, 1.884249**2], 8: [3.51687e-3], 9: [0.0],
                      10: [6.50395e-3]}.get(n, []),
        "brown_almost_linear": [0.0, 1.0],
        "osborne1": [5.46489e-5],
        "osborne2": [4.01377e-2],
    }[name]
    return tuple(_sqrt(v) for v in f)


def reached_minimum(name: str, n: int, m: int, norm_r: float, rtol: float = 1e-4, atol: float = 1e-6):
    """The index of the known minimum that ‖r‖ = ``norm_r`` reached, or None: the global one
    (k = 0) if ‖r‖ ≤ ‖r*‖(1 + rtol) + atol, another if |‖r‖ − ‖r_k‖| ≤ rtol·‖r_k‖ + atol
    (the paper's values have six digits)."""
    for k, target in enumerate(known_minima(name, n, m)):
        if norm_r <= target * (1 + rtol) + atol and (k == 0 or norm_r >= target * (1 - rtol) - atol):
            return k
    return None


# (key, n, m, factor): the 53 runs of MINPACK-1's lmder test driver
_RUNS = [
    ("linear_full_rank", 5, 10, 1), ("linear_full_rank", 5, 50, 1),
    ("linear_rank1", 5, 10, 1), ("linear_rank1", 5, 50, 1),
    ("linear_rank1_zero", 5, 10, 1), ("linear_rank1_zero", 5, 50, 1),
    *[("rosenbrock", 2, 2, f) for f in (1, 10, 100)],
    *[("helical_valley", 3, 3, f) for f in (1, 10, 100)],
    *[("powell_singular", 4, 4, f) for f in (1, 10, 100)],
    *[("freudenstein_roth", 2, 2, f) for f in (1, 10, 100)],
    *[("bard", 3, 15, f) for f in (1, 10, 100)],
    *[("kowalik_osborne", 4, 11, f) for f in (1, 10, 100)],
    *[("meyer", 3, 16, f) for f in (1, 10)],
    *[("watson", n, 31, f) for n in (6, 9, 12) for f in (1, 10, 100)],
    ("box_3d", 3, 10, 1),
    ("jennrich_sampson", 2, 10, 1),
    *[("brown_dennis", 4, 20, f) for f in (1, 10, 100)],
    *[("chebyquad", 1, 8, f) for f in (1, 10, 100)],
    ("chebyquad", 8, 8, 1), ("chebyquad", 9, 9, 1), ("chebyquad", 10, 10, 1),
    *[("brown_almost_linear", 10, 10, f) for f in (1, 10, 100)],
    ("brown_almost_linear", 30, 30, 1), ("brown_almost_linear", 40, 40, 1),
    ("osborne1", 5, 33, 1),
    ("osborne2", 11, 65, 1),
]

#: the 53 runs as (key, factor), key = "name/n/m"
MINPACK1_RUNS = [(f"{name}/{n}/{m}", factor) for name, n, m, factor in _RUNS]


def minpack1_problem(key: str, factor: float = 1.0) -> Problem:
    """The problem ``"name/n/m"`` (e.g. ``"watson/9/31"``) started from factor·x₀ (for
    Watson, whose x₀ = 0: from the vector of ``factor`` when factor ≠ 1, as MINPACK-1's
    driver does). ``cost_star`` is ½‖r*‖² of the global minimum."""
    try:
        name, n, m = key.split("/")
        n, m = int(n), int(m)
        title, factory, start = _PROBLEMS[name]
    except (ValueError, KeyError):
        raise ValueError(f"unknown MINPACK-1 problem {key!r}; expected 'name/n/m' with name in "
                         f"{sorted(_PROBLEMS)}") from None
    fun, jac = factory(n, m)
    x0 = start(n).astype(float)
    if factor != 1:
        x0 = np.full(n, float(factor)) if name == "watson" else factor * x0
    minima = known_minima(name, n, m)
    return Problem(f"{title} (n={n}, m={m})", fun, jac, x0=x0,
                   cost_star=0.5 * minima[0] ** 2 if minima else None,
                   description=f"MINPACK-1 test set, {title}, start {factor:g}·x0")
