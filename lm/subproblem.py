"""The damped linear subproblem of one Levenberg–Marquardt iteration.

At an iterate x with residual r and Jacobian J, every damping strategy needs the step

    p(λ) = argmin_p  ‖r + J p‖² + λ‖D p‖²,

which is the least-squares solution of the augmented system [J; √λ D] p ≈ [−r; 0]
(Levenberg 1944, Marquardt 1963, Moré 1978 §3, Nocedal–Wright 2006 §10.3).

We factor the *scaled* Jacobian once, J D⁻¹ = U S Vᵀ (a thin SVD), and then

    p(λ) = −D⁻¹ V (S² + λI)⁻¹ S Uᵀ r        for every λ ≥ 0.

Why an SVD and not the normal equations (JᵀJ + λD²) p = −Jᵀr: forming JᵀJ squares the
condition number and loses half the digits on the ill-conditioned NIST problems; the SVD
works on J itself, is the exact solution of the augmented least-squares system, and one
factorization serves every λ tried at the same x (rejected steps and the search for λ
from a trust-region radius Δ cost O(n²) each, not a new factorization).
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

__all__ = ["Subproblem", "column_norms", "largest_cosine", "squared_norm"]

EPS = float(np.finfo(float).eps)
#: below this a column norm is computed with the column scaled first (its squares would underflow)
_TINY_NORM = 1e-150
#: below this ‖J_j‖‖r‖ the gradient's cosines are computed from unit vectors (g_j may underflow)
_TINY_PRODUCT = 1e-280


def squared_norm(v: np.ndarray) -> float:
    """‖v‖² (np.linalg.norm(v) is √ of the same number, with more overhead)."""
    return float(v @ v)


def column_norms(J: np.ndarray) -> np.ndarray:
    """The column norms ‖J_j‖ of J, the same numbers as ``np.linalg.norm(J, axis=0)`` with
    less overhead: Marquardt's scaling D (Marquardt 1963, Moré 1978 eq. 6.3) and MINPACK's
    gradient test (Moré 1978, §7) need them at every iterate. Where J_jᵀJ_j overflows (entries
    beyond 1e154) or underflows (below 1e-150, where the squares lose their digits or vanish),
    the column is scaled by its largest entry first, so a norm is inf only if it is beyond the
    largest float, and 0 only for a column of zeros (an underflowed norm of 0 made the gradient
    test skip a column that is not zero, and claim x stationary)."""
    norms = np.sqrt((J * J).sum(axis=0))
    if math.isfinite(norms.sum()) and norms.min(initial=np.inf) > _TINY_NORM:
        return norms
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.abs(J).max(axis=0)
        scaled = np.where(big > 0, big, 1.0)
        safe = big * np.sqrt(((J / scaled) ** 2).sum(axis=0))
    return np.where(np.isfinite(norms) & (norms > _TINY_NORM), norms, safe)


def largest_cosine(g: np.ndarray, r: np.ndarray, col_norms: np.ndarray, J: Optional[np.ndarray] = None) -> float:
    """max_j |J_jᵀr| / (‖J_j‖ ‖r‖) for g = Jᵀr: the largest cosine between r and a column J_j
    of J (MINPACK's gradient test, Moré 1978 §7). 0 for r = 0; zero columns are skipped:
    dividing by ∞ makes their share 0. Given ``J``, where some ‖J_j‖‖r‖ is below 1e-280 (g_j
    underflows with it) the cosines are computed from J's columns and r scaled to unit length."""
    r_norm = float(r @ r) ** 0.5
    norms = col_norms * r_norm
    if J is not None and norms.min(initial=np.inf) < _TINY_PRODUCT and r_norm > 0:
        nonzero = col_norms > 0
        if np.any(norms[nonzero] < _TINY_PRODUCT):
            # ‖J_j‖‖r‖ (and with it g_j) at the edge of underflow: the cosines of J's columns and
            # r scaled to unit length (an underflowed 0/0 made the gradient test pass at any x)
            r_hat = r / column_norms(r[:, None])[0]
            return float(np.abs((J[:, nonzero] / col_norms[nonzero]).T @ r_hat).max(initial=0.0))
    if not (norms > 0).all():                   # a zero column, or r = 0
        norms = np.where(norms > 0, norms, np.inf)
    return float((np.abs(g) / norms).max(initial=0.0))


class Subproblem:
    """The damped least-squares problem min ‖r + Jp‖² + λ‖Dp‖² at one iterate.

    Parameters
    ----------
    r : (m,) residual vector at the current x.
    J : (m, n) Jacobian at the current x.
    D : (n,) positive diagonal of the scaling matrix D.
    col_norms : (n,) the column norms ‖J_j‖, if already known (the solver's scaling needs
        them too); computed from J if omitted.

    Everything that depends only on the iterate (the SVD, c = Uᵀr, s², the Gauss–Newton
    norm and reduction) is computed once here and reused by every trial step from it.

    References
    ----------
    Moré (1978), "The Levenberg–Marquardt algorithm: implementation and theory", §2–3.
    """

    def __init__(self, r: np.ndarray, J: np.ndarray, D: np.ndarray,
                 col_norms: Optional[np.ndarray] = None):
        self.r, self.J, self.D = r, J, D
        # ‖J_j‖, for the stopping tests
        self.col_norms = column_norms(J) if col_norms is None else col_norms
        U, self.s, Vt = np.linalg.svd(J / D, full_matrices=False)  # J D⁻¹ = U S Vᵀ
        self.V = Vt.T
        self.c = U.T @ r  # the residual in the left singular basis
        # singular values below this are treated as exact zeros when λ = 0
        # (the Gauss–Newton step is then the minimum-norm solution, as in lstsq)
        self.cutoff = EPS * max(J.shape) * (self.s[0] if self.s.size else 0.0)
        # for the radius search, the same at every trial from this x: s², (s c)², ‖S c‖ = ‖D⁻¹g‖,
        # and whether J D⁻¹ has full column rank (no singular value at or below the cutoff)
        self.s2, self.sc2 = self.s**2, (self.s * self.c) ** 2
        self.sc_norm = math.sqrt(self.sc2.sum())
        self.full_rank = self.s.size == J.shape[1] and self.s[-1] > self.cutoff
        # parameters whose column of J is exactly zero (None if there are none): p leaves them
        self.frozen = None if (self.col_norms > 0).all() else self.col_norms == 0
        self._gn_norm = self._gn_reduction = self._cosine = None

    def _filter(self, lam: float) -> np.ndarray:
        """The factors s / (s² + λ) of the damped pseudo-inverse."""
        s = self.s
        if lam > 0:
            return s / (self.s2 + lam)
        keep = s > self.cutoff
        return np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)

    def step(self, lam: float) -> np.ndarray:
        """The damped step p(λ) = −D⁻¹ V (S² + λI)⁻¹ S Uᵀ r."""
        if not lam >= 0:
            raise ValueError(f"damping λ must be ≥ 0, got {lam!r}")
        p = -(self.V @ (self._filter(lam) * self.c)) / self.D
        if self.frozen is not None:
            # row j of (JᵀJ + λD²)p = −g reads λD_j²p_j = 0 for a zero column j: exactly p_j = 0
            # (for λ = 0 too, in the least-‖Dp‖ step); the SVD's V leaks rounding into p_j
            p[self.frozen] = 0.0
        return p

    def scaled_norm(self, lam: float) -> float:
        """‖D p(λ)‖, computed without forming p (the columns of V are orthonormal)."""
        v = self._filter(lam) * self.c
        return float(v @ v) ** 0.5

    def gauss_newton_norm(self) -> float:
        """‖D p_GN‖ without discarding small singular values: no direction is declared
        converged just because J is nearly flat along it (used by the stopping tests)."""
        if self._gn_norm is None:  # computed once per iterate: asked at every trial
            if self.s.size and self.s[-1] > 0:  # no zero singular value (s is sorted, largest first)
                t = self.c / self.s
                self._gn_norm = float(t @ t) ** 0.5
            else:
                nonzero = self.s > 0
                t = self.c[nonzero] / self.s[nonzero]
                self._gn_norm = np.inf if np.any(self.c[~nonzero] != 0) else float(t @ t) ** 0.5
        return self._gn_norm

    def gauss_newton_reduction(self) -> float:
        """L(0) − L(p_GN) = ½‖U_kᵀr‖² over the singular values above the cutoff (those below
        it are rounding, their directions arbitrary): the largest reduction of F that the
        linear model promises for any step (the stopping tests ask for it)."""
        if self._gn_reduction is None:  # computed once per iterate: asked after every trial
            c = self.c if self.s.size and self.s[-1] > self.cutoff else self.c[self.s > self.cutoff]
            self._gn_reduction = 0.5 * float(c @ c)
        return self._gn_reduction

    def cosine(self, g: np.ndarray) -> float:
        """:func:`largest_cosine` at this iterate (``g`` = Jᵀr), computed once per iterate."""
        if self._cosine is None:
            self._cosine = largest_cosine(g, self.r, self.col_norms, self.J)
        return self._cosine

    def lam_for_radius(self, Delta: float, rtol: float = 0.1) -> float:
        """The λ ≥ 0 whose step has ‖D p(λ)‖ = Δ (λ = 0 if the Gauss–Newton step fits).

        Solves the secular equation ψ(λ) = 1/‖D p(λ)‖ − 1/Δ = 0, which is almost linear in
        λ, by Newton's method from the left safeguarded by bisection (Moré 1978, §5;
        Nocedal–Wright Alg. 4.3). Like MINPACK, accepts ‖D p(λ)‖ within ``rtol``·Δ of Δ.
        """
        if not Delta > 0:
            raise ValueError(f"trust-region radius Δ must be > 0, got {Delta!r}")
        # the untruncated Gauss–Newton norm: if J is numerically rank deficient, λ = 0 would
        # drop the directions of the small singular values, and with them the gradient's
        # share there; a λ > 0 step keeps every direction
        if self.gauss_newton_norm() <= Delta:
            return 0.0
        s2, sc2 = self.s2, self.sc2
        lo, hi = 0.0, self.sc_norm / Delta  # ‖D p(hi)‖ ≤ ‖D⁻¹g‖/hi = Δ
        if hi == 0:  # r is orthogonal to the range of J: p = 0 for every λ
            return 0.0
        # Newton from the left (λ = 0) when J is of full rank; otherwise from the right end
        lam = 0.0 if self.full_rank else hi
        for _ in range(100):
            d = s2 + lam
            w = sc2 / d**2
            q = float(w.sum())                                  # ‖D p(λ)‖²
            norm = q**0.5
            if abs(norm - Delta) <= rtol * Delta:
                return lam
            if norm > Delta:
                lo = lam
            else:
                hi = lam
            dq = -2.0 * float((w / d).sum())                    # q' = d‖Dp‖²/dλ < 0
            # Newton step on ψ(λ) = 1/‖Dp‖ − 1/Δ: since ψ' = −q'/(2q‖Dp‖),
            # λ ← λ − ψ/ψ' = λ − (2q/q')·(‖Dp‖ − Δ)/Δ   (Moré 1978, eq. 5.5)
            lam_newton = lam - (2 * q / dq) * (norm - Delta) / Delta if dq < 0 else lam
            lam = lam_newton if lo < lam_newton < hi else 0.5 * (lo + hi)
        return lam
