"""Jacobians by differences, and a check of a hand-written Jacobian.

Forward differences cost n evaluations and carry an O(√ε) error; central differences cost
2n and carry O(ε^{2/3}); the complex step (Squire & Trapp 1998; Martins et al. 2003) costs
n complex evaluations and is exact to rounding, but only for a ``fun`` written with
complex-safe operations. Steps are relative to |x_j|, so a parameter of size 10⁻⁴ and one
of size 10³ are differenced equally well (MINPACK's fdjac2 does the same; Moré 1978).

References: Nocedal & Wright (2006) §8.1; Madsen–Nielsen–Tingleff (2004) §3.5.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["forward", "central", "complex_step", "broyden_update", "JACOBIAN_METHODS", "check_jacobian",
           "compare_with_differences", "rounding_of_r", "JacobianCheck", "precision"]

EPS = np.finfo(float).eps


def _steps(x: np.ndarray, rel: float, typical: np.ndarray | None = None) -> np.ndarray:
    """Relative steps h_j = rel·max(|x_j|, typical_j), made exactly representable.

    ``typical`` floors the step for a parameter passing through zero (h = rel·|x_j| would
    then be far too small and the difference pure rounding noise); where both are zero the
    step is ``rel``.
    """
    size = np.abs(x) if typical is None else np.maximum(np.abs(x), typical)
    h = rel * np.where(size >= np.finfo(float).tiny, size, 1.0)  # (a subnormal size: as zero)
    return (x + h) - x  # the step actually taken in floating point


def precision(r: np.ndarray) -> float:
    """The relative rounding of the type fun computes in: the machine ε of its float dtype
    (float32: 1.2e-7), never below float64's; float64's for integer residuals."""
    return max(EPS, float(np.finfo(r.dtype).eps)) if r.dtype.kind == "f" else EPS


def forward(fun: Callable, x: np.ndarray, r: np.ndarray | None = None,
            typical: np.ndarray | None = None, eps: float = EPS) -> np.ndarray:
    """Forward differences J_j ≈ (r(x + h_j e_j) − r(x)) / h_j, h_j = √ε·max(|x_j|, typical_j);
    ``eps`` is the relative precision of fun (float64's ε; 1.2e-7 for a float32 model)."""
    r = fun(x) if r is None else r
    h = _steps(x, np.sqrt(eps), typical)
    J = np.empty((r.size, x.size))
    for j in range(x.size):
        xj = x.copy()
        xj[j] += h[j]
        J[:, j] = (fun(xj) - r) / h[j]
    return J


def central(fun: Callable, x: np.ndarray, r: np.ndarray | None = None,
            typical: np.ndarray | None = None, eps: float = EPS, scale: float = 1.0) -> np.ndarray:
    """Central differences J_j ≈ (r(x + h e_j) − r(x − h e_j)) / 2h, h = ε^{1/3}·max(|x_j|, typical_j).

    A column whose one side is not finite (the model is undefined there) falls back to
    the one-sided difference on the other side, using ``r`` at x. ``eps``: as in
    :func:`forward`; ``scale`` multiplies the steps (the solver's test of small singular
    values differences again with longer steps).
    """
    r = fun(x) if r is None else r
    h = _steps(x, scale * eps ** (1 / 3), typical)
    J = np.empty((r.size, x.size))
    for j in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp[j] += h[j]
        xm[j] -= h[j]
        rp, rm = fun(xp), fun(xm)
        if np.all(np.isfinite(rp)) and np.all(np.isfinite(rm)):
            J[:, j] = (rp - rm) / (xp[j] - xm[j])
        elif np.all(np.isfinite(rp)):
            J[:, j] = (rp - r) / (xp[j] - x[j])
        else:
            J[:, j] = (r - rm) / (x[j] - xm[j])
    return J


def complex_step(fun: Callable, x: np.ndarray, r: np.ndarray | None = None,
                 typical: np.ndarray | None = None, eps: float = EPS) -> np.ndarray:
    """Complex step J_j = Im r(x + i h e_j) / h with h = 10⁻²⁰·max(|x_j|, 1): no cancellation."""
    h = 1e-20 * np.maximum(np.abs(x), 1.0)
    cols = []
    for j in range(x.size):
        xj = x.astype(complex)
        xj[j] += 1j * h[j]
        cols.append(np.imag(np.asarray(fun(xj))) / h[j])
    return np.column_stack(cols)


def broyden_update(J: np.ndarray, p: np.ndarray, dr: np.ndarray) -> np.ndarray:
    """Broyden's rank-1 secant update J + (Δr − Jp)pᵀ/(pᵀp), Δr = r(x + p) − r(x).

    The updated matrix satisfies the secant condition J₊p = Δr and acts like J on every
    vector orthogonal to p: the smallest change of J that agrees with the last step.
    Between difference Jacobians it costs no evaluation of fun (Broyden 1965; the secant
    L–M method of Madsen–Nielsen–Tingleff 2004, §3.5, is built on it).
    """
    return J + np.outer(dr - J @ p, p) / (p @ p)


JACOBIAN_METHODS = {"2-point": forward, "3-point": central, "cs": complex_step, "broyden": central}


@dataclass
class JacobianCheck:
    """Result of :func:`check_jacobian`: the largest relative mismatch in each column."""

    column_errors: np.ndarray
    worst_column: int
    max_error: float
    tol: float
    #: per column, tol plus the rounding noise of the central differences themselves (relative
    #: to the column's scale): a correct column may differ from them by that much
    allowed: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        if self.allowed is None:
            return bool(self.max_error <= self.tol)
        return bool(np.all(self.column_errors <= self.allowed))

    def __str__(self) -> str:
        cols = ", ".join(f"{e:.1e}" for e in self.column_errors)
        verdict = "OK" if self.ok else f"MISMATCH in column {self.worst_column}"
        noisy = self.allowed is not None and np.any(self.allowed > 2 * self.tol)
        limit = f"tol {self.tol:.0e}" + (" plus the differences' rounding noise, up to "
                                         f"{np.max(self.allowed):.0e}" if noisy else "")
        return f"Jacobian check: {verdict}; relative error per column [{cols}] ({limit})"


def check_jacobian(
    fun: Callable, jac: Callable, x, args: tuple = (), kwargs: dict | None = None, tol: float = 1e-6
) -> JacobianCheck:
    """Compare a hand-written Jacobian with central differences at ``x``.

    For each column j reports max_i |J_ij − Ĵ_ij| / max(max_i |Ĵ_ij|, 1e-12·‖Ĵ‖_max), where Ĵ
    is the central-difference Jacobian, taken with steps for the precision fun computes in
    (float32: ε = 1.2e-7). A wrong derivative shows as an error of order 1 in its column; a
    correct one as ~1e-8 or less, or up to ten times the rounding noise of Ĵ itself,
    ε·max|r|/h_j, which the verdict allows on top of ``tol`` (a float32 model, residuals with a
    large offset).

    References: Nocedal & Wright (2006) §8.1 ("checking derivatives").
    """
    kwargs = kwargs or {}
    if not callable(fun) or not callable(jac):
        raise TypeError("check_jacobian needs callable fun and jac")
    x = np.asarray(x, dtype=float).ravel()
    r_own = np.asarray(fun(x, *args, **kwargs))
    eps = precision(r_own)            # (a float32 model: 1.2e-7) sets the steps and the noise
    f = lambda z: np.asarray(fun(z, *args, **kwargs), dtype=float).ravel()  # noqa: E731
    r = np.asarray(r_own, dtype=float).ravel()
    J = np.atleast_2d(np.asarray(jac(x, *args, **kwargs), dtype=float))
    J_fd = central(f, x, r, eps=eps)
    if J.shape != J_fd.shape:
        raise ValueError(f"jac returned shape {J.shape}, expected {J_fd.shape} (m residuals × n parameters)")
    return compare_with_differences(J, J_fd, x, r, eps, tol)


def rounding_of_r(fun: Callable, x: np.ndarray, r: np.ndarray, eps: float = EPS) -> float:
    """A measurement of the rounding noise of r at x, with two evaluations and without J:
    ½·max_i |r_i(x + h) + r_i(x − h) − 2 r_i(x)|, h_j = ε^{1/3}·|x_j| (ε^{1/3} where x_j = 0), the
    steps of :func:`central`. A second difference cancels every first-order term, so a wrong J
    cannot hide in it; what is left is rounding (ε·max|r| where r is computed directly, far more
    where r is a small difference of large terms) and the curvature ½hᵀ∇²r_i h, an upper bound."""
    h = _steps(x, eps ** (1 / 3))
    second = np.asarray(fun(x + h), dtype=float) + np.asarray(fun(x - h), dtype=float) - 2 * r
    return 0.5 * float(np.abs(second).max()) if np.all(np.isfinite(second)) else np.inf


def compare_with_differences(J: np.ndarray, J_fd: np.ndarray, x: np.ndarray, r: np.ndarray,
                             eps: float = EPS, tol: float = 1e-6, r_noise: float = 0.0) -> JacobianCheck:
    """The verdict of :func:`check_jacobian` on J against ``J_fd = central(fun, x, r, eps=eps)``
    (steps ε^{1/3}·|x_j|, or ε^{1/3} where x_j = 0). ``r_noise``: a measured rounding noise of r
    where it exceeds ε·max|r| (r a small difference of large terms; see :func:`rounding_of_r`).
    The solvers use it to confirm a status −2 before they report it. Nocedal & Wright (2006) §8.1."""
    # the rounding noise of a central difference, about ε·max|r| / h = ε^{2/3}·max|r| / |x_j|
    # (h = ε^{1/3}·|x_j|, or ε^{1/3} at x_j = 0): it floors the scale, so that a correct but tiny
    # column (below that noise) does not count as a mismatch, and ten times it is allowed on
    # top of tol (residuals with a large offset, a float32 model)
    h = _steps(x, eps ** (1 / 3))                                # the steps central() took
    noise = max(eps * np.abs(r).max(initial=0.0), r_noise) / h
    scale = np.maximum(np.maximum(np.abs(J_fd).max(axis=0), noise), 1e-12 * max(np.abs(J_fd).max(), 1e-300))
    errors = np.abs(J - J_fd).max(axis=0) / scale
    worst = int(np.argmax(errors))
    return JacobianCheck(errors, worst, float(errors[worst]), tol, allowed=tol + 10 * noise / scale)
