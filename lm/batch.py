"""Many independent fits at once: the Levenberg–Marquardt loop of :mod:`lm.solver`, vectorized
over a batch of N fits of the same small model (a decay curve per pixel, a peak per spectrum).

Every fit keeps its own x, r, J, D, λ (or Δ), gain ratio ρ, acceptance and stopping tests,
with the rules of :func:`lm.levenberg_marquardt`; only the arithmetic is shared. One
iteration is one call of ``fun`` for all fits still running, and a fixed sequence of array
operations over them; the Python loops run over iterations, over the n parameters and over
the few sweeps of an inner iteration, never over fits. A fit that has stopped leaves the
arrays (they are compressed) and is no longer evaluated.

The linear algebra, for all fits at once (n parameters, m residuals, m ≥ n):

1. Householder QR of the scaled Jacobians, J D⁻¹ = Q R (Golub & Van Loan 2013, §5.2): the
   loop runs over the n columns; each reflection is built and applied to the remaining
   columns and to r as operations on (N, m) arrays. Q is never formed; what is kept is the
   n × n triangle R and c = (Qᵀr)₁..ₙ per fit. Householder QR is backward stable on J itself:
   unlike the normal equations JᵀJ it does not square the condition number (this is what
   keeps the certified NIST digits, see ``tests/test_batch.py``).
2. One-sided Jacobi SVD of the small R = W S Vᵀ (Hestenes 1958; Golub & Van Loan §8.6),
   rotating pairs of rows of R for all fits at once until they are orthogonal to ε; the
   same rotations turn c into Wᵀc. Then J D⁻¹ = (QW) S Vᵀ is the thin SVD of each scaled
   Jacobian, as in :class:`lm.subproblem.Subproblem`, and every λ costs O(n) per fit:
   p(λ) = −D⁻¹ V (S² + λI)⁻¹ S Wᵀc.
3. The trust-region radius: the secular equation ‖D p(λ)‖ = Δ solved for λ by Moré's
   safeguarded Newton iteration on 1/‖D p(λ)‖ − 1/Δ (Moré 1978, §5), all fits together,
   each leaving the iteration when its own test is met.
4. Gain ratio, acceptance, damping update and stopping tests as masks over the fits,
   in the order of ``lm.solver._StoppingTests`` (one small function per test).

The results agree with the scalar solver's to rounding, not bit for bit: the scalar solver
takes LAPACK's SVD of J D⁻¹, which rounds differently. On a fit whose run contains a
decision at a threshold within rounding (typical at the last steps, where F changes only by
its rounding noise), the two can end with another status or another point; the tests
measure how often and check that the scalar solver itself changes on such fits when only
its rounding is changed.

:func:`fit_dask` hands chunks of fits to this solver through Dask, on one machine or on a
``distributed`` cluster (Dask is imported only there).

References
----------
Levenberg (1944); Marquardt (1963); Moré (1978), "The Levenberg–Marquardt algorithm:
implementation and theory", §§3–5; Nielsen (1999); Madsen, Nielsen & Tingleff (2004),
Algorithm 3.16; Nocedal & Wright (2006), §10.3; Golub & Van Loan (2013), Matrix
Computations, 4th ed., §5.1–5.2 (Householder QR) and §8.6 (Jacobi SVD); Hestenes (1958).
"""
from __future__ import annotations

import inspect
import numbers
from functools import reduce
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from .damping import Fixed, Marquardt, Nielsen, TrustRegion, make_damping
from .jacobians import EPS, JACOBIAN_METHODS, _steps, compare_with_differences, precision
from .subproblem import _TINY_NORM, _TINY_PRODUCT, largest_cosine
from .solver import (CANCEL_GROWTH, CANCELLED, CONSISTENT_COSINE, NOISE_SAMPLES, RESOLVING_STEP, STALL_STEPS, STATUS_MESSAGES,
                     LMResult, _check_max_nfev, _check_tolerances, _dense_real, levenberg_marquardt)

__all__ = ["levenberg_marquardt_batch", "BatchResult", "fit_dask", "DaskBatchResult",
           "covariance", "RUNNING"]

RUNNING = -99  #: the status of a fit that has not stopped yet (never in a returned result)
DEFAULT_CHUNK = 4096  #: fits running at a time: their (4096, n) and (n, 4096) arrays stay in the CPU cache
PARK = 64  #: when no more than 1/PARK of a block runs, its last fits wait to finish with the other blocks' last fits

# the scalar solver's defaults, read from its signature so that both always agree
_SCALAR = inspect.signature(levenberg_marquardt).parameters


# ---------------------------------------------------------------------------------------
# row-wise helpers: each acts on every fit (the first axis) at once


def _columns(v: np.ndarray):
    """The columns of v (N, k), for reductions over a few parameters: numpy reduces many
    short rows slowly, while k − 1 operations on whole columns are fast."""
    return [v[:, j] for j in range(v.shape[1])]


def _sq(v: np.ndarray) -> np.ndarray:
    """‖v_i‖² of each row v_i of v (N, k)."""
    if v.shape[1] > 8:
        return np.einsum("ij,ij->i", v, v)
    return sum(c * c for c in _columns(v))


def _row_max(v: np.ndarray) -> np.ndarray:
    """max_j v_ij of each row of v (N, k) (0 for k = 0)."""
    return reduce(np.maximum, _columns(v), np.zeros(len(v)))


def _row_any(v: np.ndarray) -> np.ndarray:
    """Whether any v_ij of each row of the boolean v (N, k) holds."""
    return reduce(np.logical_or, _columns(v), np.zeros(len(v), dtype=bool))


def _norm(v: np.ndarray) -> np.ndarray:
    """‖v_i‖ of each row v_i of v (N, k)."""
    return np.sqrt(_sq(v))


def _mv(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A_i v_i for each fit: A (N, a, b), v (N, b) -> (N, a), as a sum over the b columns
    (b = n is small: n passes over (N, a) arrays, no stacked matrix products)."""
    out = A[:, :, 0] * v[:, 0:1]
    for j in range(1, A.shape[2]):
        out += A[:, :, j] * v[:, j:j + 1]
    return out


def _Jt_r(J: np.ndarray, r: np.ndarray) -> np.ndarray:
    """g = Jᵀr per fit: J (N, m, n), r (N, m) -> (N, n), one row dot per column."""
    return np.stack([_sq_pair(J[:, :, j], r) for j in range(J.shape[2])], axis=1)


def _sq_pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a_i · b_i of each pair of rows."""
    return np.einsum("ij,ij->i", a, b)


def _T(A: np.ndarray) -> np.ndarray:
    """The transpose of each matrix of a stack (a view)."""
    return A.transpose(0, 2, 1)


def _cost(r: np.ndarray) -> np.ndarray:
    """F = ½‖r‖² per fit, +inf where r has NaN or inf (that trial is simply rejected)."""
    c = 0.5 * _sq(r)
    return np.where(np.isfinite(c), c, np.inf)


def _cosine(g, Jnorm, r, J) -> np.ndarray:
    """max_j |J_jᵀr| / (‖J_j‖ ‖r‖) per fit (0 for r = 0; zero columns are skipped), as
    ``lm.solver._cosine``; ``Jnorm`` holds the column norms ‖J_j‖ (kept with J: they change
    only when a fit moves). Where some ‖J_j‖‖r‖ is below 1e-280 (g_j underflows with it), from
    J's columns and r scaled to unit length (lm.subproblem.largest_cosine)."""
    r_norm = _norm(r)
    norms = Jnorm * r_norm[:, None]
    nonzero = norms > 0
    ratio = np.abs(g) / np.where(nonzero, norms, 1.0)
    cos = _row_max(np.where(nonzero, ratio, 0.0))
    tiny = np.flatnonzero((r_norm > 0) & _row_any((Jnorm > 0) & (norms < _TINY_PRODUCT)))
    for k in tiny:                                               # (rare: one fit at a time)
        cos[k] = largest_cosine(g[k], r[k], Jnorm[k], J[k])
    return cos


# ---------------------------------------------------------------------------------------
# the vectorized factorization: Householder QR of all scaled Jacobians, then a Jacobi SVD
# of the small triangular factors. The small factors are stored with the fits on the LAST
# axis (R of shape (n, n, N), s of shape (k, N)): then every operation on them is an
# operation on contiguous vectors of N numbers, and a sum over the n parameters is n − 1
# vector additions (numpy is slow at reducing many short rows).


def _householder_qr(J: np.ndarray, r: np.ndarray):
    """J = Q R for every fit at once, by Householder reflections (Golub–Van Loan §5.2.1).

    J (N, m, n) holds the matrices (m ≥ n), r (N, m) the residuals. The solver passes the
    scaled Jacobians J D⁻¹ themselves, so that a column of tiny norm (10⁻¹⁶⁰) does not
    underflow in ‖v‖² and overflow in β. The loop runs over the n columns; each reflection
    H_j = I − β v vᵀ is made and applied for all fits at once (array operations on (N, m)
    columns). Q is never formed: the reflections are applied to r as they are made. Returns
    R (n, n, N) and the first n entries of Qᵀr, (n, N). Backward stable: it works on J
    itself, not on JᵀJ.
    """
    N, m, n = J.shape
    Jt = np.ascontiguousarray(J.transpose(0, 2, 1))          # a working copy, column by column
    cols = [Jt[:, j] for j in range(n)]                       # the columns of J, (N, m) each
    b = r.copy()
    R = np.zeros((n, n, N))
    for j in range(n):
        v = cols[j][:, j:]                                # the part from the diagonal down
        alpha = _norm(v)                                  # H_j maps v to ∓‖v‖ e₁ …
        sign = np.where(v[:, 0] >= 0, 1.0, -1.0)          # … with the sign that avoids cancellation
        R[j, j] = -sign * alpha
        vv = 2 * alpha * (alpha + np.abs(v[:, 0]))        # ‖v + sign·α e₁‖², no pass over v
        v[:, 0] += sign * alpha                           # v ← v + sign·α e₁ (in place)
        beta = np.divide(2.0, vv, out=np.zeros_like(vv), where=vv > 0)   # a zero column: H = I
        for y in [c[:, j:] for c in cols[j + 1:]] + [b[:, j:]]:
            y -= (beta * _sq_pair(v, y))[:, None] * v     # y ← H_j y
        for k in range(j + 1, n):
            R[j, k] = cols[k][:, j]
    return R, np.ascontiguousarray(b[:, :n].T)


def _rotation(a, b, g):
    """The Jacobi rotation (cos, sin) that makes two rows with ‖x_i‖² = a, ‖x_k‖² = b and
    x_i·x_k = g orthogonal (Golub–Van Loan Alg. 8.5.1); (1, 0) where they already are, to ε.
    Returns (cos, sin, True), or (None, None, False) when no fit needs this rotation."""
    todo = np.abs(g) > EPS * np.sqrt(a * b)
    if not todo.any():                                        # (typical of the last sweep)
        return None, None, False
    with np.errstate(over="ignore"):                          # ζ² = inf: t = 0, the right limit
        zeta = (b - a) / (2 * np.where(todo, g, 1.0))
        t = np.copysign(1.0, zeta) / (np.abs(zeta) + np.sqrt(1 + zeta * zeta)) * todo
    cos = 1 / np.sqrt(1 + t * t)
    return cos, cos * t, True


def _jacobi_svd(R: np.ndarray, c: np.ndarray, sweeps: int = 30):
    """R = W S Vᵀ for every fit at once by one-sided Jacobi rotations of the rows of R
    (Hestenes 1958; Golub–Van Loan §8.6.3), and Wᵀc.

    R (n, n, N) and c (n, N) have the fits on the last axis. Each rotation of a pair of rows
    (i, k) makes them orthogonal; sweeps over all pairs repeat until every pair is orthogonal
    to within ε (relative). The rows then are s_i v_iᵀ. The same rotations applied to c give
    Wᵀc, so W is never formed. It works on R itself (not RᵀR), so the singular values keep
    their relative accuracy. Returns s (n, N) in decreasing order, Vᵀ (n, n, N) (a zero row
    where s = 0) and Wᵀc (n, N).
    """
    n = R.shape[0]
    rows, c = [R[i].copy() for i in range(n)], [c[i].copy() for i in range(n)]
    sq = [(x * x).sum(axis=0) for x in rows]                  # ‖x_i‖²
    pairs = [(i, k) for i in range(n) for k in range(i + 1, n)]
    for _ in range(sweeps):
        rotated = False
        for i, k in pairs:
            cos, sin, any_ = _rotation(sq[i], sq[k], (rows[i] * rows[k]).sum(axis=0))
            if not any_:
                continue
            rotated = True
            rows[i], rows[k] = cos * rows[i] - sin * rows[k], sin * rows[i] + cos * rows[k]
            c[i], c[k] = cos * c[i] - sin * c[k], sin * c[i] + cos * c[k]
            sq[i], sq[k] = (rows[i] * rows[i]).sum(axis=0), (rows[k] * rows[k]).sum(axis=0)
        if not rotated:
            break
    s = np.sqrt(np.array(sq))
    Vt = np.array(rows) / np.where(s > 0, s, 1.0)[:, None, :]
    order = np.argsort(-s, axis=0, kind="stable")             # decreasing, as the SVD
    return (np.take_along_axis(s, order, axis=0), np.take_along_axis(Vt, order[:, None, :], axis=0),
            np.take_along_axis(np.array(c), order, axis=0))


# ---------------------------------------------------------------------------------------
# the damped subproblem, stacked (lm.subproblem.Subproblem for every fit at once)


class _Subproblems:
    """min ‖r_i + J_i p‖² + λ_i‖D_i p‖² for a stack of fits. J D⁻¹ = Q R (Householder), then
    R = W S Vᵀ (Jacobi), so J D⁻¹ = (QW) S Vᵀ is the thin SVD of each scaled Jacobian and
    c = (QW)ᵀr; every λ after that costs O(n) per fit. s, c (k, N) and Vᵀ (k, n, N) have the
    fits on the last axis; D (N, n), cutoff and gn (N,) the first."""

    def __init__(self, r, J, D):
        self.J, self.D = J, D                                   # (J for the λ strategies' start)
        N, m, n = J.shape
        if m < n:  # zero rows change no least-squares problem and make R square
            J, r = np.concatenate([J, np.zeros((N, n - m, n))], axis=1), np.concatenate([r, np.zeros((N, n - m))], axis=1)
        R, c = _householder_qr(J / D[:, None, :], r)            # (scaled first: a column of
        s, Vt, c = _jacobi_svd(R, c)                            #  norm 1e-160 stays exact)
        k = min(m, n)                                           # the thin SVD's k singular values
        self.s, self.Vt, self.c = s[:k], Vt[:k], c[:k]
        self.cutoff = EPS * max(m, n) * self.s[0]
        self.gn = self._gauss_newton_norm()

    _FIELDS = ("D", "s", "Vt", "c", "cutoff", "gn")

    def take(self, rows) -> "_Subproblems":
        """The subproblems of some of the fits."""
        sub = _Subproblems.__new__(_Subproblems)
        for name in self._FIELDS:
            a = getattr(self, name)
            setattr(sub, name, a[rows] if name in ("D", "cutoff", "gn") else a[..., rows])
        return sub

    def join(self, other: "_Subproblems") -> "_Subproblems":
        """The subproblems of these fits and then of those of ``other``."""
        sub = _Subproblems.__new__(_Subproblems)
        for name in self._FIELDS:
            axis = 0 if name in ("D", "cutoff", "gn") else -1
            setattr(sub, name, np.concatenate([getattr(self, name), getattr(other, name)], axis=axis))
        return sub

    def put(self, rows, sub: "_Subproblems") -> None:
        """Replace the subproblems of the fits ``rows`` (after they moved)."""
        for name in self._FIELDS:
            a = getattr(self, name)
            if name in ("D", "cutoff", "gn"):
                a[rows] = getattr(sub, name)
            else:
                a[..., rows] = getattr(sub, name)

    def _filter(self, lam):
        """s / (s² + λ) per fit; for λ = 0 the pseudo-inverse 1/s above the cutoff."""
        s = self.s
        with np.errstate(divide="ignore", invalid="ignore"):
            damped = s / (s * s + lam)
            undamped = np.where(s > self.cutoff, 1.0 / s, 0.0)
        return np.where(lam > 0, damped, undamped)

    def step(self, lam):
        """p(λ) = −D⁻¹ V (S² + λI)⁻¹ S Uᵀ r per fit, (N, n)."""
        w = self._filter(lam) * self.c                          # (k, N)
        return -(self.Vt * w[:, None, :]).sum(axis=0).T / self.D

    def model_norm_sq(self, lam):
        """‖J p(λ)‖² per fit without touching J: J p = −U S (S² + λI)⁻¹ S Uᵀr, so
        ‖J p‖² = Σ (s_i f_i c_i)² with f the filter factors (the columns of U are orthonormal)."""
        w = self.s * self._filter(lam) * self.c
        return (w * w).sum(axis=0)

    def _gauss_newton_norm(self):
        """‖D p_GN‖ per fit, no singular value discarded (inf if r has a part along a zero one)."""
        nonzero = self.s > 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = np.where(nonzero, self.c / self.s, 0.0)
            t = t * t
        lost = np.any(~nonzero & (self.c != 0), axis=0)
        return np.where(lost, np.inf, np.sqrt(t.sum(axis=0)))

    def gauss_newton_reduction(self):
        """L(0) − L(p_GN) = ½‖U_kᵀr‖² per fit over the singular values above the cutoff: the
        largest reduction of F the linear model promises (Subproblem.gauss_newton_reduction)."""
        kept = np.where(self.s > self.cutoff, self.c, 0.0)
        return 0.5 * (kept * kept).sum(axis=0)

    def lam_for_radius(self, Delta, rtol: float = 0.1):
        """The λ ≥ 0 with ‖D p(λ)‖ = Δ per fit: the secular equation 1/‖D p(λ)‖ = 1/Δ solved by
        the safeguarded Newton iteration of :meth:`lm.subproblem.Subproblem.lam_for_radius`
        (Moré 1978, §5), on all fits at once; each fit leaves the iteration when its own test
        is met (‖D p(λ)‖ within rtol·Δ of Δ)."""
        s2, sc2 = self.s**2, (self.s * self.c) ** 2              # (k, N)
        lo = np.zeros_like(Delta)
        hi = np.sqrt(sc2.sum(axis=0)) / Delta                    # ‖D p(hi)‖ ≤ ‖D⁻¹g‖/hi = Δ
        todo = ~(self.gn <= Delta) & (hi != 0)                   # λ = 0 where p_GN fits, or p = 0
        full_rank = (self.s.shape[0] == self.Vt.shape[1]) & (self.s[-1] > self.cutoff)
        lam = np.where(todo & ~full_rank, hi, 0.0)               # Newton from the left if J has full rank
        for _ in range(100):
            i = np.flatnonzero(todo)
            if i.size == 0:
                break
            li, Di = lam[i], Delta[i]
            w = sc2[:, i] / (s2[:, i] + li) ** 2
            q = w.sum(axis=0)                                    # ‖D p(λ)‖²
            norm = np.sqrt(q)
            done = np.abs(norm - Di) <= rtol * Di
            lo[i] = np.where(~done & (norm > Di), li, lo[i])
            hi[i] = np.where(~done & ~(norm > Di), li, hi[i])
            dq = -2.0 * (w / (s2[:, i] + li)).sum(axis=0)       # q' = d‖Dp‖²/dλ < 0
            with np.errstate(all="ignore"):                      # Newton on ψ(λ) = 1/‖Dp‖ − 1/Δ
                newton = np.where(dq < 0, li - (2 * q / dq) * (norm - Di) / Di, li)
            inside = (lo[i] < newton) & (newton < hi[i])
            lam[i] = np.where(done, li, np.where(inside, newton, 0.5 * (lo[i] + hi[i])))
            todo[i[done]] = False
        return lam


# ---------------------------------------------------------------------------------------
# damping strategies, stacked: the rules of lm.damping with one λ (or Δ) per fit


class _BatchTrustRegion:
    """:class:`lm.damping.TrustRegion` (Moré 1978) with one radius Δ per fit."""

    def __init__(self, strategy: TrustRegion, N: int):
        self.factor, self.Delta0 = strategy.factor, strategy.Delta0
        self.Delta, self.lam = np.full(N, np.nan), np.full(N, np.nan)

    def start(self, sub, x0):
        Dx0 = _norm(sub.D * x0)
        if self.Delta0 is not None:
            self.Delta[:] = self.Delta0
        else:
            self.Delta[:] = np.where(Dx0 > 0, self.factor * Dx0, self.factor)

    def propose(self, sub):
        self.lam = sub.lam_for_radius(self.Delta)
        return self.lam

    def update(self, rho, p, sub, JpJp, cost):
        """MINPACK's lmder, as TrustRegion.update: Δ = γ·min(Δ, 10‖Dp‖) after ρ ≤ ¼,
        2‖Dp‖ after ρ ≥ ¾ or λ = 0. ``JpJp`` = ‖Jp‖², ``cost`` = F(x) before the step."""
        Dp = _norm(sub.D * p)
        Delta, lam = self.Delta, self.lam
        gamma = _shrink_factor(rho, JpJp, lam * Dp * Dp, cost)
        Delta = np.where(rho <= 0.25, gamma * np.minimum(Delta, 10.0 * Dp),
                         np.where((rho >= 0.75) | (lam == 0), 2.0 * Dp, Delta))
        self.Delta = np.maximum(Delta, 1e-300)

    def keep(self, mask):
        """Drop the fits that stopped (``mask`` marks those that go on)."""
        self.Delta, self.lam = self.Delta[mask], self.lam[mask]

    def join(self, other: "_BatchTrustRegion") -> None:
        """Take on the fits of ``other`` (fits that have just started), after the running ones."""
        self.Delta, self.lam = np.concatenate([self.Delta, other.Delta]), np.concatenate([self.lam, other.lam])


def _shrink_factor(rho, JpJp, lamDpDp, cost):
    """γ ∈ [0.1, 0.5] per fit (TrustRegion._shrink_factor, MINPACK's lmder): where F rose along
    p, the minimizer of the quadratic with q(0) = F(x), q'(0) = gᵀp, q(1) = F(x + p); ½ where
    F fell; 0.1 where F(x + p) ≥ 100·F(x) or is not finite."""
    slope = -(JpJp + lamDpDp)                                  # gᵀp for the exact damped step
    actual = rho * (0.5 * JpJp + lamDpDp)                      # F(x) − F(x + p)
    with np.errstate(all="ignore"):
        gamma = 0.5 * slope / (slope + actual)
    return np.where(actual >= 0, 0.5, np.where(~(actual > -99.0 * cost) | ~(gamma >= 0.1), 0.1, gamma))


class _BatchLambda:
    """The λ strategies of :mod:`lm.damping` (Marquardt 1963, Nielsen 1999, Fixed), one λ per fit."""

    def __init__(self, strategy, N: int):
        self.kind = type(strategy)
        self.tau, self.lam0 = strategy.tau, strategy.lam0
        self.factor = getattr(strategy, "factor", None)
        self.lam, self.nu = np.full(N, np.nan), np.full(N, 2.0)
        self.Delta = None

    def start(self, sub, x0):
        self.nu[:] = 2.0
        if self.lam0 is not None:
            self.lam[:] = self.lam0
            return
        col2 = np.sum(sub.J**2, axis=1) / sub.D**2              # λ₀ = τ·max (JᵀJ)_ii / D_i²
        lam0 = self.tau * col2.max(axis=1)
        lam = np.where(lam0 > 0, lam0, self.tau)
        Dx0 = _norm(sub.D * x0)
        i = np.flatnonzero(Dx0 > 0)                             # and ‖Dp₀‖ ≲ ‖Dx₀‖
        if i.size:
            lam[i] = np.maximum(lam[i], sub.take(i).lam_for_radius(Dx0[i]))
        self.lam[:] = lam

    def propose(self, sub):
        return self.lam

    def update(self, rho, p, sub, JpJp=None, cost=None):
        lam, up = self.lam, rho > 0
        grown = np.maximum(lam, 1e-300)
        if self.kind is Marquardt:
            self.lam = np.where(up, lam / self.factor, grown * self.factor)
        elif self.kind is Nielsen:
            nu = self.nu
            u = 2 * rho - 1
            small = np.abs(u) < 1e100                           # (beyond, the factor is ⅓ anyway)
            shrink = np.where(small, np.maximum(1 / 3, 1 - np.where(small, u, 0.0) ** 3), 1 / 3)
            self.lam = np.where(up, lam * shrink, grown * nu)
            self.nu = np.where(up, 2.0, 2 * nu)

    def keep(self, mask):
        """Drop the fits that stopped (``mask`` marks those that go on)."""
        self.lam, self.nu = self.lam[mask], self.nu[mask]

    def join(self, other: "_BatchLambda") -> None:
        """Take on the fits of ``other`` (fits that have just started), after the running ones."""
        self.lam, self.nu = np.concatenate([self.lam, other.lam]), np.concatenate([self.nu, other.nu])


def _make_batch_damping(damping, N: int):
    """The stacked form of a built-in strategy (a name, class or configured object)."""
    if not isinstance(damping, (str, type, TrustRegion, Marquardt, Nielsen, Fixed)):
        raise TypeError(f"levenberg_marquardt_batch supports the built-in strategies "
                        f"'trust-region', 'nielsen', 'marquardt' (names, classes or objects of "
                        f"lm.damping) and Fixed; got {damping!r}")
    strategy = make_damping(damping)
    if type(strategy) is TrustRegion:
        return _BatchTrustRegion(strategy, N)
    if type(strategy) in (Marquardt, Nielsen, Fixed):
        return _BatchLambda(strategy, N)
    raise TypeError(f"levenberg_marquardt_batch cannot vectorize the strategy {strategy!r}; "
                    "use 'trust-region', 'nielsen', 'marquardt' or lm.damping.Fixed")


class _BatchScaling:
    """The scaling D per fit: Levenberg's I, Marquardt's monotone column norms, or fixed."""

    def __init__(self, scale, N: int, n: int):
        if isinstance(scale, str):
            if scale.lower() not in ("marquardt", "levenberg"):
                raise ValueError(f"unknown scale {scale!r}; expected 'marquardt', 'levenberg' or a vector of {n} positive numbers")
            self.kind, self.D = scale.lower(), np.zeros((N, n))
        else:
            D = np.asarray(scale, dtype=float)
            if D.shape not in ((n,), (N, n)) or not np.all(np.isfinite(D)) or np.any(D <= 0):
                raise ValueError(f"scale must be 'marquardt', 'levenberg' or positive finite numbers of shape ({n},) or ({N}, {n}), got shape {D.shape}")
            self.kind, self.D = "fixed", np.broadcast_to(D, (N, n)).copy()

    def update(self, Jnorm, rows=slice(None)):
        """D for the running fits ``rows`` whose Jacobians have the column norms ``Jnorm``."""
        if self.kind == "levenberg":
            return np.ones_like(Jnorm)
        if self.kind == "marquardt":                           # Moré 1978, eq. 6.3
            self.D[rows] = np.maximum(self.D[rows], Jnorm)
            D = self.D[rows]
            return np.where(D > 0, D, 1.0)
        return self.D[rows]

    def stale(self, Jnorm, eps_F):
        """Per fit: Marquardt's D is left behind, some nonzero column norm below √ε_F of its
        D_j (lm.solver._Scaling.stale)."""
        if self.kind != "marquardt":
            return np.zeros(len(Jnorm), dtype=bool)
        return _row_any((Jnorm > 0) & (Jnorm < np.sqrt(eps_F) * self.D))

    def restart(self, rows):
        """Forget the largest column norms seen by the fits ``rows`` (lm.solver._Scaling.restart)."""
        self.D[rows] = 0.0

    def keep(self, mask):
        """Drop the fits that stopped (``mask`` marks those that go on)."""
        self.D = self.D[mask]

    def part(self, rows) -> "_BatchScaling":
        """The scaling of the fits ``rows`` of this one, with their own copy of D."""
        new = _BatchScaling.__new__(_BatchScaling)
        new.kind, new.D = self.kind, self.D[rows].copy()
        return new

    def join(self, other: "_BatchScaling") -> None:
        """Take on the fits of ``other`` (fits that have just started), after the running ones."""
        self.D = np.concatenate([self.D, other.D])


# ---------------------------------------------------------------------------------------
# stopping tests: the rules of lm.solver._StoppingTests, one small function per test, each
# returning a mask over the fits it is asked about (applied in the solver's order by _after)


def _gradient_test(g, Jnorm, r, gtol, J):
    """Status 1: the largest cosine between r and a column of J is ≤ gtol."""
    return _cosine(g, Jnorm, r, J) <= gtol


def _ftol_test(near_gn, predicted, actual, rho, cost, ftol, eps_F):
    """Status 2: a nearly undamped step whose actual and predicted reductions are
    ≤ max(ftol, 10ε_F)·F (not below F's rounding)."""
    tiny = max(ftol, NOISE_SAMPLES * eps_F) * cost
    return near_gn & (predicted <= tiny) & (np.abs(actual) <= tiny) & (rho <= 2)


def _xtol_test(gn, Dx, xtol):
    """Status 3: the Gauss–Newton step is tiny, ‖D p_GN‖ ≤ xtol·‖Dx‖."""
    return gn <= xtol * Dx


def _nothing_promised(promised, F, ftol, eps_F):
    """Status 5 (or −3 if x diverges): even the Gauss–Newton step promises no reduction
    beyond max(ftol, 10ε_F)·F."""
    return promised <= max(ftol, NOISE_SAMPLES * eps_F) * F


def _stalled(stalled, actual, cost, eps_F):
    """The count of trial steps in a row that changed F by no more than 10ε_F·F."""
    return np.where(np.abs(actual) <= NOISE_SAMPLES * eps_F * cost, stalled + 1, 0)


def _stall_noise(noise, stalled, actual):
    """The largest |F(x) − F(x + p)| over the stalled steps so far: the sample of F's rounding
    noise that the stall test compares the Gauss–Newton promise with."""
    return np.where(stalled > 1, np.maximum(noise, np.abs(actual)), np.abs(actual))


def _diverged(x, J, Jnorm, D, x0_size, eps_F, full_rank, ill, r):
    """−3, per fit, in its cases: a parameter beyond 1/√ε_F times max(|x₀_j|, 1) while J is
    numerically rank deficient, or beyond CANCEL_GROWTH times it while the parameters' first-
    order contributions cancel, ‖Σ_j J_j x_j‖ ≤ CANCELLED·max_j ‖J_j‖|x_j| (the sum over all
    parameters, or over the grown ones if there are two or more), on an ill-conditioned
    J (``ill``) (both ``far``); or beyond 1000 times it while its column of J has faded below
    √ε_F·D_j and F no longer depends on it, ‖J_j‖|x_j| ≤ √ε_F‖r‖ (``faded``). Growth alone is
    no evidence: a minimizer may lie far from x₀, where J has full rank
    (lm.solver._StoppingTests._diverged)."""
    grown = np.abs(x) / x0_size
    faded = (Jnorm <= np.sqrt(eps_F) * D) & (Jnorm * np.abs(x) <= np.sqrt(eps_F) * _norm(r)[:, None])
    big = grown > CANCEL_GROWTH
    largest = CANCELLED * (Jnorm * np.abs(x)).max(axis=1)
    cancel_all = _norm(np.einsum("fmn,fn->fm", J, x)) <= largest              # (lm.solver._cancel)
    several = big.sum(axis=1) >= 2                                            # (their own sum only where
    cancel_grown = several                                                    #  two or more have grown)
    if several.any():
        cancel_grown = several & (_norm(np.einsum("fmn,fn->fm", J, np.where(big, x, 0.0))) <= largest)
    cancelling = ill & _row_any(big) & (cancel_all | cancel_grown)
    far = (_row_any(grown > 1 / np.sqrt(eps_F)) & ~full_rank) | cancelling
    return far, _row_any((grown > 1e3) & faded)


def _at_floor(F, cost0, eps_F):
    """F at the rounding floor of a zero residual, ‖r‖ ≤ 10ε‖r(x₀)‖ (lm.solver)."""
    return F <= (NOISE_SAMPLES * eps_F) ** 2 * cost0


def _unseen(Jnorm, r, tol):
    """Per fit: a difference Jacobian with an exactly zero column while r ≠ 0 (x is not shown
    stationary in that parameter; lm.solver._StoppingTests._unseen)."""
    return tol["differenced"] & _row_any(Jnorm == 0) & _row_any(r != 0)


def _rounding_level(predicted, cost, cosine, eps_F):
    """Per fit: the failures were at F's rounding level, a promise of at most 10ε_F·F or a
    cosine of at most CONSISTENT_COSINE (−4, not −2; lm.solver._StoppingTests._why_no_decrease)."""
    return (predicted <= NOISE_SAMPLES * eps_F * cost) | (cosine <= CONSISTENT_COSINE)


def _why_no_decrease(nothing_left, diverged, rounding, unseen):
    """After a failed step that no shorter step can improve, or a stall: −3 (x runs off),
    5 (nothing left to gain; −4 with a zero difference column), −4 (failures at F's rounding
    level, ``rounding``) or −2 (jac contradicts fun)."""
    return np.where(diverged, -3, np.where(nothing_left, np.where(unseen, -4, 5), np.where(rounding, -4, -2)))


def _no_progress(x, p):
    """Status 4: a rejected step no longer changes x in floating point."""
    return ~_row_any(x + p != x)


def _blame_jac(prob, fits, tol) -> np.ndarray:
    """Status −2 only where jac does not match fun (lm.solver._blame_jac): each fit with −2 has
    its J compared with central differences by lm.check_jacobian's verdict, the rounding noise
    of r measured by a second difference (2n + 2 evaluations, within its budget); a J that
    agrees, or a fit without budget for the check, ends with −4."""
    status = fits.status.copy()
    blamed = np.flatnonzero(status == -2)
    room = prob.nfev[prob.ids[blamed]] + 2 * prob.n + 2 <= tol["max_nfev"]
    status[blamed[~room]] = -4
    rows = blamed[room]
    if rows.size == 0:
        return status
    X, R, J = fits.x[rows], fits.r[rows], fits.J[rows]
    f = lambda Z: prob.residuals(Z, rows)                     # noqa: E731  (counted per fit)
    h = _steps(X, tol["eps_F"] ** (1 / 3), np.zeros_like(X))
    second = f(X + h) + f(X - h) - 2 * R                       # lm.jacobians.rounding_of_r, per fit
    noise = np.where(np.all(np.isfinite(second), axis=1), 0.5 * np.abs(second).max(axis=1), np.inf)
    J_fd = _central(f, X, R, np.zeros_like(X), tol["eps_F"])
    for k, row in enumerate(rows):
        check = compare_with_differences(J[k], J_fd[k], X[k], R[k], tol["eps_F"], r_noise=noise[k])
        status[row] = -2 if not check.ok else -4
    return status


def _resolved_verdict(prob, fits, sub, allowance, tol) -> np.ndarray:
    """5 or −4 where F stopped decreasing at its rounding level on central differences while
    the Gauss–Newton step promised more (lm.solver._resolved_verdict): each such fit is
    differenced again with RESOLVING_STEP times longer steps (2n evaluations, within its
    budget), and only the directions whose singular values that reproduces within a factor 2
    count in the promise; within ``allowance`` it is 5."""
    status = fits.status.copy()
    rows = np.flatnonzero((status == -4) & ~np.isnan(allowance))
    rows = rows[prob.nfev[prob.ids[rows]] + prob.evals_per_jac <= tol["max_nfev"]]
    if rows.size == 0:
        return status
    f = lambda Z: prob.residuals(Z, rows)                     # noqa: E731  (counted per fit)
    prob.njev[prob.ids[rows]] += 1
    J2 = _central(f, fits.x[rows], fits.r[rows], prob.typical[rows], tol["eps_F"], scale=RESOLVING_STEP)
    s2 = _Subproblems(fits.r[rows], J2, fits.D[rows]).s        # (k, fits)
    part = sub.take(rows)
    kept = (part.s > part.cutoff) & (s2 >= 0.5 * part.s) & (s2 <= 2.0 * part.s)
    promised = 0.5 * (np.where(kept, part.c, 0.0) ** 2).sum(axis=0)
    status[rows] = np.where(promised <= allowance[rows], 5, -4)
    return status


def _out_of_budget(nfev_next, max_nfev):
    """Status 0: one more trial and its Jacobian would exceed max_nfev."""
    return nfev_next > max_nfev


def _first(status, mask, code):
    """Set ``code`` where ``mask`` holds and no earlier test has decided."""
    return np.where((status == RUNNING) & mask, code, status)


def _at_point(x, g, r, J, Jnorm, D, x0_size, cost0, sub, F, tol):
    """The tests on x and J alone (lm.solver._StoppingTests.at_point), per fit: 3 (xtol),
    1 (gtol, after xtol: MINPACK's order), 5 (nothing promised), each −3 instead where x runs
    off; RUNNING where none holds. Also returns where x runs off."""
    eps_F = tol["eps_F"]
    full_rank = (sub.s.shape[0] == sub.Vt.shape[1]) & (sub.s[-1] > sub.cutoff)
    ill = ~full_rank | (sub.s[-1] <= np.sqrt(eps_F) * sub.s[0])
    far, faded = _diverged(x, J, Jnorm, D, x0_size, eps_F, full_rank, ill, r)
    diverged = far | faded
    # no success while x runs off (but a residual at its rounding floor is a minimizer)
    off = (far & ~_at_floor(F, cost0, eps_F)) | faded
    unseen = _unseen(Jnorm, r, tol)
    xtol_ = _xtol_test(sub.gn, _norm(D * x), tol["xtol"])
    gtol_ = _gradient_test(g, Jnorm, r, tol["gtol"], J)
    nothing = _nothing_promised(sub.gauss_newton_reduction(), F, tol["ftol"], eps_F)
    status = np.full(len(F), RUNNING)
    status = _first(status, (xtol_ | gtol_ | nothing) & off, -3)
    status = _first(status, (xtol_ | gtol_ | nothing) & unseen, -4)   # (a zero difference column)
    status = _first(status, xtol_, 3)
    status = _first(status, gtol_, 1)
    return _first(status, nothing, 5), diverged


def _rescale(fits, sub, scaling, tol, nfev_next):
    """Fits that would stop on xtol or the promise (3, 5) while Marquardt's D is left behind
    are decided again on D = ‖J_j‖ at x (lm.solver: scaling.restart, then at_point); returns
    the subproblems."""
    redo = ((fits.status == 3) | (fits.status == 5)) & scaling.stale(fits.Jnorm, tol["eps_F"])
    if not redo.any():
        return sub
    rows = np.flatnonzero(redo)
    scaling.restart(rows)
    fits.D[rows] = scaling.update(fits.Jnorm[rows], rows)
    new = _Subproblems(fits.r[rows], fits.J[rows], fits.D[rows])
    sub.put(rows, new)
    at, _ = _at_point(fits.x[rows], fits.g[rows], fits.r[rows], fits.J[rows], fits.Jnorm[rows], fits.D[rows],
                      fits.x0_size[rows], fits.cost0[rows], new, fits.cost[rows], tol)
    fits.status[rows] = np.where((at == RUNNING) & _out_of_budget(nfev_next[rows], tol["max_nfev"]), 0, at)
    return sub


def _after(fits, sub, *, step, near_gn, nfev_next, tol):
    """The status of each running fit after its trial step, its stall count and the largest
    change of F over the stalled steps (lm.solver._StoppingTests.after, test by test in the
    same order)."""
    cost, predicted, actual, rho, accepted, p = (step[k] for k in ("cost", "predicted", "actual", "rho", "accepted", "p"))
    status, stalled, noise = fits.status, fits.stalled, fits.noise
    Jnorm, x, g, D, r = fits.Jnorm, fits.x, fits.g, fits.D, fits.r
    eps_F = tol["eps_F"]
    status = _first(status, _ftol_test(near_gn, predicted, actual, rho, cost, tol["ftol"], eps_F), 2)
    Dx = _norm(D * x)
    F = np.where(accepted, step["cost_trial"], cost)                 # F at x
    promised = sub.gauss_newton_reduction()                       # the most any step can gain
    at, diverged = _at_point(x, g, r, fits.J, Jnorm, D, fits.x0_size, fits.cost0, sub, F, tol)
    status = np.where(status == RUNNING, at, status)
    open_ = status == RUNNING
    stalled = np.where(open_, _stalled(stalled, actual, cost, eps_F), stalled)
    noise = np.where(open_, _stall_noise(noise, stalled, actual), noise)
    cosine = np.zeros_like(cost)
    ask = np.flatnonzero(open_)                                   # (the cosine only where it may decide)
    cosine[ask] = _cosine(g[ask], Jnorm[ask], r[ask], fits.J[ask])
    stall = stalled >= STALL_STEPS
    unseen = _unseen(Jnorm, r, tol)
    # failures at F's rounding level (−4, not −2); such a −4 on a difference J keeps the noise it
    # was judged by, at least the promise test's max(ftol, 10ε)·F (lm.solver's _why_no_decrease)
    rounding = _rounding_level(predicted, cost, cosine, eps_F)
    ask_why = ~diverged & rounding & tol["differenced"] & ~unseen
    floor5 = np.maximum(tol["ftol"], NOISE_SAMPLES * eps_F) * F
    allowance = np.full(len(F), np.nan)
    nothing_left = promised <= NOISE_SAMPLES * noise
    why = _why_no_decrease(nothing_left, diverged, rounding, unseen)
    allowance = np.where((status == RUNNING) & stall & ask_why & ~nothing_left,
                         np.maximum(NOISE_SAMPLES * noise, floor5), allowance)
    status = _first(status, stall, why)
    # (a step that moves a parameter by more than its own size is no rounding-level trial)
    small = ~_row_any(np.abs(p) > np.maximum(np.abs(x), tol["xtol"] * fits.x0_size))
    rounding = small & (predicted <= eps_F * F)                   # promised less than F's rounding
    negligible = small & (_norm(D * p) <= max(tol["xtol"], eps_F) * Dx)   # more damping cannot help
    ended = ~accepted & (rounding | negligible)
    sample = np.where(np.abs(actual) <= np.sqrt(eps_F) * F, np.abs(actual), 0.0)   # (beyond √ε·F: no noise)
    nothing_left = (promised <= NOISE_SAMPLES * sample) | _at_floor(F, fits.cost0, eps_F)
    why = _why_no_decrease(nothing_left, diverged, rounding, unseen)
    allowance = np.where((status == RUNNING) & ended & ask_why & ~nothing_left,
                         np.maximum(NOISE_SAMPLES * sample, floor5), allowance)
    status = _first(status, ended, why)
    status = _first(status, ~accepted & ~ended & _no_progress(step["x"], p), 4)
    return _first(status, _out_of_budget(nfev_next, tol["max_nfev"]), 0), stalled, noise, allowance


# ---------------------------------------------------------------------------------------
# the problem: fun, jac and the per-fit arguments, evaluated on the fits still running


class _Problem:
    def __init__(self, fun, jac, args, per_fit, x0):
        if not callable(fun):
            raise TypeError(f"fun must be callable (X (N, n) -> residuals (N, m)), got {type(fun).__name__}")
        if not isinstance(args, tuple):
            raise TypeError(f"args must be a tuple, got {type(args).__name__}")
        self.fun, self.N, self.n = fun, *x0.shape
        self.args, self.per_fit = _split_args(args, per_fit, self.N)
        self.inferred = per_fit is None
        self.nfev = np.zeros(self.N, dtype=int)
        self.njev = np.zeros(self.N, dtype=int)
        self.m = None
        if jac is None:
            jac = "3-point"
        if callable(jac):
            self.jac, self.method, self.evals_per_jac = jac, None, 0
        elif isinstance(jac, str):
            if jac not in JACOBIAN_METHODS:
                raise ValueError(f"unknown jac {jac!r}; expected a callable or one of {sorted(JACOBIAN_METHODS)}")
            if jac not in _DIFFERENCES:
                raise ValueError(f"jac={jac!r} is not available in levenberg_marquardt_batch; use a callable "
                                 f"or one of {sorted(_DIFFERENCES)}")
            self.jac, self.method = None, jac
            self.evals_per_jac = {"2-point": 1, "3-point": 2, "cs": 1}[jac] * self.n
        else:
            raise TypeError(f"jac must be a callable, a method name or None, got {type(jac).__name__}")
        # a parameter that shrinks below 1/1000 of its start is differenced on that floor
        self.typical_all = np.where(x0 != 0, 1e-3 * np.abs(x0), 1.0)   # as lm.solver: floor 1 at x₀_j = 0
        self.ids = np.arange(0)                        # the fits running (batch indices), and their data:
        self.typical = self.typical_all[:0]            # fits join as they start (admit), leave as they
        self.running_args = tuple(a[:0] if pf else a for a, pf in zip(self.args, self.per_fit))   # stop (keep)

    def admit(self, rows: slice) -> slice:
        """The fits ``rows`` of the batch start running, after the running ones; returns
        their rows among the running fits."""
        first = len(self.ids)

        def joined(running, new):                      # (the first fits: views of the data, no copy)
            return new if first == 0 else np.concatenate([running, new])
        self.ids = joined(self.ids, np.arange(rows.start, rows.stop))
        self.typical = joined(self.typical, self.typical_all[rows])
        self.running_args = tuple(joined(r, a[rows]) if pf else a for r, a, pf in zip(self.running_args, self.args, self.per_fit))
        return slice(first, len(self.ids))

    def set_aside(self):
        """The data of the running fits, which leave the loop for now (no fit runs after this)."""
        data = (self.ids, self.typical, self.running_args)
        self.ids, self.typical = self.ids[:0], self.typical[:0]
        self.running_args = tuple(a[:0] if pf else a for a, pf in zip(self.running_args, self.per_fit))
        return data

    def take_back(self, data) -> None:
        """The fits of ``data`` (of set_aside, or join_data) run again (no other fit runs)."""
        self.ids, self.typical, self.running_args = data

    def join_data(self, a, b):
        """The data of two sets of fits set aside, as one."""
        args = tuple(np.concatenate([x, y]) if pf else x for x, y, pf in zip(a[2], b[2], self.per_fit))
        return np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]), args

    def keep(self, mask):
        """Go on with the running fits ``mask`` only."""
        self.ids, self.typical = self.ids[mask], self.typical[mask]
        self.running_args = tuple(a[mask] if pf else a for a, pf in zip(self.running_args, self.per_fit))

    def _args_for(self, rows):
        """The arguments of fun and jac for the running fits ``rows`` (an index or a slice)."""
        if isinstance(rows, slice) and rows == slice(None):
            return self.running_args
        return tuple(a[rows] if pf else a for a, pf in zip(self.running_args, self.per_fit))

    def residuals(self, X, rows=slice(None), complex_ok=False):
        """r for the running fits ``rows`` at their points X; one evaluation counted for each."""
        R = np.asarray(self.fun(X, *self._args_for(rows)))
        if R.shape != (len(X), self.m):
            raise ValueError(f"fun returned shape {R.shape} for {len(X)} fits, expected {(len(X), self.m)} "
                             "(one row of m residuals per fit, as at x0)")
        self.nfev[self.ids[rows]] += 1
        return R if complex_ok and R.dtype.kind == "c" else R.astype(float)

    def first_residuals(self, X, rows: slice):
        """r at the starting points X of the fits that have just started (the running fits
        ``rows``), checked; the first call fixes m and the rounding ε_F of F."""
        R = np.asarray(self.fun(X, *self._args_for(rows)))
        self.nfev[self.ids[rows]] += 1
        k = len(X)
        if R.ndim != 2 or R.shape[0] != k or R.shape[1] == 0 or R.dtype.kind not in "biuf":
            hint = " (return the residuals r, not the cost ½‖r‖²)" if R.shape == (k,) else ""
            raise ValueError(f"fun must return a real array of shape (N, m) = ({k}, m), one row of "
                             f"residuals per fit, got shape {R.shape} dtype {R.dtype}{hint}")
        if self.m is None:
            self.m = R.shape[1]
            # relative rounding of F: machine ε of the type fun computes in (float32: 1.2e-7)
            self.eps_F = precision(R)
            if self.inferred:
                _check_ambiguous_args(self.args, self.per_fit, self.N, self.m)
        elif R.shape[1] != self.m:
            raise ValueError(f"fun returned {R.shape[1]} residuals per fit at x0 for the fits from index "
                             f"{self.ids[rows][0]} on, {self.m} for the first ones; every fit must have the same m")
        R = R.astype(float)
        bad = ~np.all(np.isfinite(R), axis=1)
        if bad.any():
            raise ValueError(f"fun returned non-finite residuals (NaN or inf) at x0 for {bad.sum()} fit(s), "
                             f"indices {self.ids[rows][bad][:10].tolist()}; choose starting points where the model is defined")
        with np.errstate(over="ignore"):
            huge = ~np.isfinite(0.5 * np.einsum("ij,ij->i", R, R))
        if huge.any():
            raise ValueError(f"F(x0) = ½‖r(x0)‖² overflows to inf for {huge.sum()} fit(s), indices "
                             f"{self.ids[rows][huge][:10].tolist()}; rescale the residuals (divide them by a typical "
                             "size) or choose other starting points")
        return R

    def jacobian(self, X, R, rows=slice(None)):
        """J for the running fits ``rows`` at X (their residuals R), analytic or by differences."""
        self.njev[self.ids[rows]] += 1
        if self.method is None:
            J = _dense_real(self.jac(X, *self._args_for(rows)))
            if J.shape != (len(X), self.m, self.n):
                raise ValueError(f"jac returned shape {J.shape}, expected {(len(X), self.m, self.n)} "
                                 "(fits × m residuals × n parameters)")
            return J
        f = lambda Z, complex_ok=False: self.residuals(Z, rows, complex_ok)  # noqa: E731
        return _DIFFERENCES[self.method](f, X, R, self.typical[rows], self.eps_F)   # steps for fun's precision


def _split_args(args, per_fit, N):
    args = tuple(np.asarray(a) if isinstance(a, (np.ndarray, list)) else a for a in args)
    if per_fit is None:
        flags = tuple(isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == N for a in args)
    else:
        flags = tuple(bool(f) for f in per_fit)
        if len(flags) != len(args):
            raise ValueError(f"per_fit must give one flag per argument: {len(args)} args, {len(flags)} flags")
        for i, (a, f) in enumerate(zip(args, flags)):
            if f and not (isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == N):
                raise ValueError(f"args[{i}] is marked per-fit but its first axis is not the {N} fits "
                                 f"(shape {getattr(a, 'shape', None)})")
    return args, flags


def _check_ambiguous_args(args, flags, N, m):
    # a shared vector of length m (the times t) cannot be told from per-fit numbers when m = N
    for i, (a, f) in enumerate(zip(args, flags)):
        if f and N == m and isinstance(a, np.ndarray) and a.ndim == 1:
            raise ValueError(f"args[{i}] has length N = m = {N}: it could be one number per fit or a shared "
                             "vector of m values; say which with per_fit=(True/False, …)")


def _central(f, X, R, typical, eps=EPS, scale=1.0):
    """Central differences per fit, with lm.jacobians.central's one-sided fall-back."""
    h = _steps(X, scale * eps ** (1 / 3), typical)
    N, n = X.shape
    J = np.empty((N, R.shape[1], n))
    for j in range(n):
        Xp, Xm = X.copy(), X.copy()
        Xp[:, j] += h[:, j]
        Xm[:, j] -= h[:, j]
        Rp, Rm = f(Xp), f(Xm)
        okp, okm = np.all(np.isfinite(Rp), axis=1), np.all(np.isfinite(Rm), axis=1)
        both = ((Rp - Rm) / (Xp[:, j] - Xm[:, j])[:, None])
        right = ((Rp - R) / (Xp[:, j] - X[:, j])[:, None])
        left = ((R - Rm) / (X[:, j] - Xm[:, j])[:, None])
        J[:, :, j] = np.where((okp & okm)[:, None], both, np.where(okp[:, None], right, left))
    return J


def _forward(f, X, R, typical, eps=EPS):
    """Forward differences per fit (lm.jacobians.forward)."""
    h = _steps(X, np.sqrt(eps), typical)
    N, n = X.shape
    J = np.empty((N, R.shape[1], n))
    for j in range(n):
        Xj = X.copy()
        Xj[:, j] += h[:, j]
        J[:, :, j] = (f(Xj) - R) / h[:, j, None]
    return J


def _complex_step(f, X, R, typical, eps=EPS):
    """Complex-step derivatives per fit (lm.jacobians.complex_step)."""
    h = 1e-20 * np.maximum(np.abs(X), 1.0)
    N, n = X.shape
    J = np.empty((N, R.shape[1], n))
    for j in range(n):
        Xj = X.astype(complex)
        Xj[:, j] += 1j * h[:, j]
        J[:, :, j] = np.imag(f(Xj, complex_ok=True)) / h[:, j, None]
    return J


_DIFFERENCES = {"2-point": _forward, "3-point": _central, "cs": _complex_step}


def _check_x0(x0) -> np.ndarray:
    try:
        X = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x0 must be an (N, n) array of real numbers, got {type(x0).__name__}") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        hint = " (for one fit use x0[None, :], or lm.levenberg_marquardt)" if X.ndim == 1 else ""
        raise ValueError(f"x0 must be a non-empty 2-D array of shape (N fits, n parameters), got shape {X.shape}{hint}")
    bad = ~np.all(np.isfinite(X), axis=1)
    if bad.any():
        raise ValueError(f"x0 must be finite; fit(s) {np.flatnonzero(bad)[:10].tolist()} "
                         f"({bad.sum()} in all) have NaN or inf")
    return X


# ---------------------------------------------------------------------------------------
# the result


@dataclass(repr=False)
class BatchResult:
    """The outcome of :func:`levenberg_marquardt_batch`: the fields of :class:`lm.LMResult`
    with a first axis over the fits (no ``history``: a million records would not fit)."""

    x: np.ndarray  #: (N, n) solutions
    cost: np.ndarray  #: (N,) F(x) = ½‖r(x)‖²
    fun: np.ndarray  #: (N, m) residuals at x
    jac: np.ndarray  #: (N, m, n) Jacobians at x
    grad: np.ndarray  #: (N, n) gradients g = Jᵀr
    nfev: np.ndarray  #: (N,) calls of fun that evaluated this fit (differences included)
    njev: np.ndarray  #: (N,) Jacobian evaluations of this fit
    nit: np.ndarray  #: (N,) accepted steps
    status: np.ndarray  #: (N,) the message code: a key of lm.solver.STATUS_MESSAGES
    success: np.ndarray  #: (N,) status ≥ 1
    damping: str = ""

    @classmethod
    def empty(cls, N: int, m: int, n: int, damping: str = "") -> "BatchResult":
        """A result to be filled in fit by fit as the fits stop."""
        return cls(x=np.empty((N, n)), cost=np.empty(N), fun=np.empty((N, m)), jac=np.empty((N, m, n)),
                   grad=np.empty((N, n)), nfev=np.zeros(N, dtype=int), njev=np.zeros(N, dtype=int),
                   nit=np.zeros(N, dtype=int), status=np.full(N, RUNNING), success=np.zeros(N, dtype=bool),
                   damping=damping)

    @classmethod
    def concatenate(cls, parts: Sequence["BatchResult"]) -> "BatchResult":
        """One result of the fits of ``parts``, in their order (the blocks of a chunked solve)."""
        fields = ("x", "cost", "fun", "jac", "grad", "nfev", "njev", "nit", "status", "success")
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields},
                   damping=parts[0].damping)

    @property
    def message(self) -> list[str]:
        """The message of each fit's status."""
        return [STATUS_MESSAGES[int(s)] for s in self.status]

    def __len__(self) -> int:
        return self.x.shape[0]

    def __getitem__(self, i: int) -> LMResult:
        """Fit i as an :class:`lm.LMResult` (with an empty history)."""
        status = int(self.status[i])
        return LMResult(x=self.x[i], cost=float(self.cost[i]), fun=self.fun[i], jac=self.jac[i],
                        grad=self.grad[i], nfev=int(self.nfev[i]), njev=int(self.njev[i]),
                        nit=int(self.nit[i]), status=status, message=STATUS_MESSAGES[status],
                        success=status > 0, damping=self.damping)

    def status_counts(self) -> dict[int, int]:
        """How many fits ended with each status."""
        codes, counts = np.unique(self.status, return_counts=True)
        return {int(c): int(k) for c, k in zip(codes, counts)}

    def covariance(self, absolute_sigma: bool = False) -> np.ndarray:
        """(N, n, n) covariances s²(JᵀJ)⁻¹ per fit, as :func:`lm.stats.covariance` (NaN for a
        fit whose J is rank deficient, where that function raises)."""
        return covariance(self.jac, self.fun, absolute_sigma)

    def standard_errors(self, absolute_sigma: bool = False) -> np.ndarray:
        """(N, n) standard errors √diag(covariance) per fit."""
        return np.sqrt(np.diagonal(self.covariance(absolute_sigma), axis1=1, axis2=2))

    def __repr__(self) -> str:
        counts = ", ".join(f"{c}: {k}" for c, k in self.status_counts().items())
        return (f"BatchResult({len(self)} fits, {int(self.success.sum())} successful; status counts {{{counts}}}; "
                f"nfev total {int(self.nfev.sum())}, damping = {self.damping})")


def covariance(J, r, absolute_sigma: bool = False) -> np.ndarray:
    """:func:`lm.stats.covariance` for a stack of fits: J (N, m, n), r (N, m) -> (N, n, n).

    C_i = s_i²(J_iᵀJ_i)⁻¹ from the SVD J_i = U S Vᵀ (Householder QR, then Jacobi on R, as the
    solver; never by inverting JᵀJ), s_i² = ‖r_i‖²/(m − n);
    NaN for a fit whose J has rank < n (its covariance does not exist), with the rank test of
    lm.stats. References: Bates & Watts (1988) §2.3.
    """
    J, r = np.asarray(J, dtype=float), np.asarray(r, dtype=float)
    if J.ndim != 3 or r.shape != J.shape[:2]:
        raise ValueError(f"need J of shape (N, m, n) and r of shape (N, m), got {J.shape} and {r.shape}")
    N, m, n = J.shape
    if not absolute_sigma and m - n <= 0:
        raise ValueError(f"need more residuals than parameters for s², got m = {m}, n = {n}")
    if m < n:                                                   # rank < n: no covariance
        return np.full((N, n, n), np.nan)
    R, _ = _householder_qr(J, r)                                # J = Q R, R = W S Vᵀ
    s, Vt, _ = _jacobi_svd(R, np.zeros((n, N)))
    deficient = s[-1] <= EPS * max(m, n) * s[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        C = np.einsum("kif,kf,kjf->fij", Vt, 1 / s**2, Vt)    # (JᵀJ)⁻¹ = V S⁻² Vᵀ
        if not absolute_sigma:
            C = C * (_sq(r) / (m - n))[:, None, None]
    C[deficient] = np.nan
    return C


# ---------------------------------------------------------------------------------------
# the solver


def levenberg_marquardt_batch(
    fun: Callable[..., np.ndarray],
    x0: np.ndarray,
    jac: Callable[..., np.ndarray] | str | None = None,
    args: tuple = (),
    *,
    per_fit: Optional[Sequence[bool]] = None,
    damping=_SCALAR["damping"].default,
    scale=_SCALAR["scale"].default,
    ftol: float = _SCALAR["ftol"].default,
    xtol: float = _SCALAR["xtol"].default,
    gtol: float = _SCALAR["gtol"].default,
    max_nfev: Optional[int] = _SCALAR["max_nfev"].default,
    chunk: Optional[int] = DEFAULT_CHUNK,
) -> BatchResult:
    """Minimize F_i(x) = ½‖r_i(x)‖² for N independent fits at once with the Levenberg–Marquardt
    method; fit i gets what :func:`lm.levenberg_marquardt` would give it alone, to rounding
    (the same rules; the linear algebra is a batched Householder QR and Jacobi SVD, see the
    module docstring, so a decision taken within rounding of its threshold may differ).

    Parameters
    ----------
    fun : ``fun(X, *args) -> R``: X (B, n) holds the points of B fits (the fits still
        running, B ≤ N), R (B, m) their residuals, row by row.
    x0 : (N, n) starting points, one row per fit.
    jac : ``jac(X, *args) -> J`` of shape (B, m, n); or ``"2-point"``, ``"3-point"``,
        ``"cs"`` differences done for all fits at once; None means ``"3-point"``.
    args : extra arguments of fun and jac. An array whose first axis has the N fits (the
        data y, shape (N, m)) is per fit: fun receives the rows of the fits it evaluates.
        Anything else (the times t, shape (m,)) is shared and passed whole.
    per_fit : one flag per argument, to say per-fit or shared when the shape cannot
        (a 1-D argument of length N when m = N is refused without it).
    damping, scale, ftol, xtol, gtol, max_nfev : as in :func:`lm.levenberg_marquardt`,
        per fit (``max_nfev`` is each fit's own budget); damping is one of the built-in
        strategies (``"trust-region"``, ``"nielsen"``, ``"marquardt"``, a configured
        object of those classes, or :class:`lm.damping.Fixed`).
    chunk : solve the fits in blocks of this many (default 4096; None: all at once). Each
        block is one vectorized solve; blocks small enough to stay in the CPU cache run
        several times faster than one huge block, and give the same numbers bit for bit
        (every operation acts on each fit's own row). When no more than 1/64 of a block is
        still running, those last fits wait and finish together with the last fits of the
        other blocks, so that the long tail of iterations with a few slow fits is run once,
        not once per block. ``fun`` sees at most ``chunk`` fits per call.

    Returns
    -------
    BatchResult
        Per fit: x, cost, fun, jac, grad, status (a key of ``STATUS_MESSAGES``), message,
        nit, nfev, njev, success; ``covariance()`` and ``standard_errors()``.

    References
    ----------
    Levenberg (1944); Marquardt (1963); Moré (1978); Nielsen (1999);
    Madsen, Nielsen & Tingleff (2004), Algorithm 3.16; Nocedal & Wright (2006), §10.3;
    Golub & Van Loan (2013), §5.2 and §8.6.
    """
    X0 = _check_x0(x0)
    N = X0.shape[0]
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, numbers.Integral) or chunk < 1):
        raise ValueError(f"chunk must be a positive integer or None, got {chunk!r}")
    options = dict(damping=damping, scale=scale, ftol=ftol, xtol=xtol, gtol=gtol, max_nfev=max_nfev)
    return _solve(fun, X0, jac, args, per_fit, N if chunk is None else min(int(chunk), N), options)


def _solve(fun, X0, jac, args, per_fit, chunk: int, options) -> BatchResult:
    """All the fits X0 in blocks of ``chunk``: each block runs until no more than 1/PARK of
    it is left; those last, slow fits wait, and run to their end together with the last fits
    of the other blocks (the late iterations, each with only a few fits, are then paid once,
    not once per block). Every operation acts on each fit's own row: which fits run together
    changes no fit's numbers."""
    N, n = X0.shape
    prob = _Problem(fun, jac, args, per_fit, X0)
    _check_tolerances(ftol=options["ftol"], xtol=options["xtol"], gtol=options["gtol"])
    max_nfev = _check_max_nfev(options["max_nfev"], n, prob.evals_per_jac)
    damping = options["damping"]
    _make_batch_damping(damping, 0)                             # (bad input refused before any fit runs)
    scaling = _BatchScaling(options["scale"], N, n)            # D for all fits; each running fit has its rows
    tol = dict(ftol=options["ftol"], xtol=options["xtol"], gtol=options["gtol"], max_nfev=max_nfev,
               differenced=prob.evals_per_jac > 0)              # (a zero difference column proves nothing)
    park = chunk // PARK if chunk < N else 0                    # (one block: it runs to its end)
    out, waiting = None, []
    for start in range(0, N, chunk):                          # a loop over blocks, not over fits
        run = _start(prob, X0, slice(start, min(N, start + chunk)), damping, scaling, tol)
        if out is None:                                         # (m and ε_F are known from the first call)
            out = BatchResult.empty(N, prob.m, n, damping=type(make_damping(damping)).__name__)
            tol["eps_F"] = prob.eps_F
        _run(run, prob, out, tol, until=park)
        if len(run.fits.x):
            waiting.append((run, prob.set_aside()))
    while waiting:                                              # the last fits of all blocks, ≤ chunk at a time
        run, data = waiting.pop(0)
        while waiting and len(run.fits.x) + len(waiting[0][0].fits.x) <= chunk:
            more, more_data = waiting.pop(0)
            run, data = run.join(more), prob.join_data(data, more_data)
        prob.take_back(data)
        _run(run, prob, out, tol, until=0)
    out.nfev, out.njev = prob.nfev, prob.njev
    out.success = out.status > 0
    return out


def _run(run: "_Batch", prob: "_Problem", out: BatchResult, tol, until: int) -> None:
    """Iterate the fits ``run`` until no more than ``until`` of them are running."""
    _retire(out, run, prob)                                     # (fits that stop at x₀)
    while len(run.fits.x) > until:
        with np.errstate(all="ignore"):             # overflow at a trial point is a rejected step
            _iterate(run, prob, tol)
        _retire(out, run, prob)                                 # (stopped fits leave the loop)


def _start(prob, X0, rows: slice, damping, scaling, tol):
    """The fits ``rows`` of the batch start: r and J at x₀, D, their subproblems, λ₀ or Δ₀,
    and the tests that can stop a fit at x₀. Returns their state (a _Batch)."""
    X = X0[rows]
    here = prob.admit(rows)                                     # their rows among the running fits
    ids = prob.ids[here]
    r = prob.first_residuals(X, here)
    J = prob.jacobian(X, r, here)
    bad = ~np.all(np.isfinite(J), axis=(1, 2))
    if bad.any():
        raise ValueError(f"the Jacobian at x0 has NaN or inf entries for {bad.sum()} fit(s), indices "
                         f"{ids[bad][:10].tolist()}; check jac or choose other starting points")
    with np.errstate(over="ignore"):
        bad = ~_usable(J)
    if bad.any():
        raise ValueError(f"the column norms of the Jacobian at x0 overflow to inf for {bad.sum()} fit(s), indices "
                         f"{ids[bad][:10].tolist()}; rescale the parameters or the residuals, or choose other starting points")
    k = len(X)
    scaling = scaling.part(rows)
    Jnorm = _col_norms(J)                                       # column norms ‖J_j‖
    D = scaling.update(Jnorm)                                   # D² ≥ diag(JᵀJ), never shrinking
    fits = _Running(ids=ids,                                    # each running fit's index in the batch
                    x=X.copy(), r=r, cost=0.5 * _sq(r), J=J, Jnorm=Jnorm, D=D,
                    g=_Jt_r(J, r),                              # g = Jᵀr
                    nit=np.zeros(k, dtype=int),                 # accepted steps
                    stalled=np.zeros(k, dtype=int),             # steps in a row at F's rounding level
                    noise=np.zeros(k),                          # the largest change of F in them
                    status=np.full(k, RUNNING),
                    cost0=0.5 * _sq(r),                         # F(x₀): the scale of rounding noise
                    x0_size=np.maximum(np.abs(X), 1.0))         # the scale of running off
    sub = _Subproblems(r, J, D)
    strategy = _make_batch_damping(damping, k)
    with np.errstate(all="ignore"):                        # (an x₀ of extreme size: s² may
        strategy.start(sub, X)                             #  overflow to inf, harmlessly)
    fits.status = _first(fits.status, _gradient_test(fits.g, Jnorm, r, tol["gtol"], J) & ~_unseen(Jnorm, r, tol), 1)
    fits.status = _first(fits.status, _out_of_budget(prob.nfev[ids] + 1 + prob.evals_per_jac, tol["max_nfev"]), 0)
    return _Batch(fits, sub, strategy, scaling)


def _iterate(run: "_Batch", prob: "_Problem", tol) -> None:
    """One iteration of every running fit: the steps of lm.levenberg_marquardt's loop."""
    fits, sub, strategy = run.fits, run.sub, run.strategy
    lam = strategy.propose(sub)                                 # 1. damped step (JᵀJ + λD²)p = −g
    p = sub.step(lam)
    x_new = fits.x + p                                          # 2. trial points
    r_new = prob.residuals(x_new)
    cost_new = _cost(r_new)                                     #    F(x + p); inf if not finite
    JpJp = sub.model_norm_sq(lam)                               #    ‖Jp‖², from the SVD
    predicted = 0.5 * JpJp + lam * _sq(fits.D * p)              # 3. L(0) − L(p)
    actual = fits.cost - cost_new                               # 4. F(x) − F(x + p)
    rho = np.where(predicted > 0, actual / predicted, -np.inf)  # 5. gain ratio ρ
    J_new = np.empty((0, prob.m, prob.n))                       # 6. accept a decrease …
    if np.any(rho > 0):
        up = _rows(rho > 0)
        J_new = prob.jacobian(x_new[up], r_new[up], up)
        finite = _usable(J_new)                                 #    … where J is finite
        if not finite.all():
            rho[np.arange(len(rho))[up][~finite]] = -np.inf
            J_new = J_new[finite]
    strategy.update(rho, p, sub, JpJp, fits.cost)               # 7. adapt λ (or Δ) from ρ
    near_gn = _norm(fits.D * p) >= 0.99 * sub.gn                #    (for the ftol test)
    accepted = rho > 0
    step = dict(x=fits.x, p=p, cost=fits.cost, cost_trial=cost_new, predicted=predicted,
                actual=actual, rho=rho, accepted=accepted)
    run.sub = _move(fits, sub, run.scaling, accepted, x_new, r_new, cost_new, J_new)  # 8. x ← x + p
    fits.status, fits.stalled, fits.noise, allowance = _after(fits, run.sub, step=step, near_gn=near_gn,  # 9. stop?
                                                              nfev_next=prob.nfev[prob.ids] + 1 + prob.evals_per_jac, tol=tol)
    if prob.method is None and np.any(fits.status == -2):       #    (jac blamed: checked first)
        fits.status = _blame_jac(prob, fits, tol)
    if prob.method == "3-point" and np.any((fits.status == -4) & ~np.isnan(allowance)):
        fits.status = _resolved_verdict(prob, fits, run.sub, allowance, tol)   # (differencing noise?)
    run.sub = _rescale(fits, run.sub, run.scaling, tol,          #    (not on a D left behind)
                       prob.nfev[prob.ids] + 1 + prob.evals_per_jac)


class _Running:
    """The state of the fits still running, one row per fit; rows leave as fits stop, and
    join as fits start."""

    FIELDS = ("ids", "x", "r", "cost", "J", "Jnorm", "D", "g", "nit", "stalled", "noise", "status", "cost0", "x0_size")

    def __init__(self, **arrays):
        self.__dict__.update(arrays)

    def keep(self, mask) -> None:
        for name in self.FIELDS:
            setattr(self, name, getattr(self, name)[mask])

    def join(self, other: "_Running") -> None:
        for name in self.FIELDS:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))


@dataclass
class _Batch:
    """The running fits with their subproblems, damping and scaling, one row (or column) per fit."""

    fits: _Running
    sub: _Subproblems
    strategy: object
    scaling: _BatchScaling

    def join(self, other: "_Batch") -> "_Batch":
        """These fits and then those of ``other`` (fits that have just started)."""
        self.fits.join(other.fits)
        self.strategy.join(other.strategy)
        self.scaling.join(other.scaling)
        self.sub = self.sub.join(other.sub)
        return self


def _rows(mask: np.ndarray):
    """The rows where ``mask`` holds: a slice (a view, no copy) when it holds everywhere."""
    return slice(None) if mask.all() else np.flatnonzero(mask)


def _col_norms(J: np.ndarray) -> np.ndarray:
    """‖J_j‖ of every column of every Jacobian: (N, m, n) -> (N, n); where J_jᵀJ_j overflows
    or underflows, scaled by the column's largest entry first, as lm.subproblem.column_norms."""
    norms = np.sqrt(np.einsum("fmn,fmn->fn", J, J))
    if np.isfinite(norms).all() and (norms.size == 0 or norms.min() > _TINY_NORM):
        return norms
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.abs(J).max(axis=1)
        scaled = J / np.where(big > 0, big, 1.0)[:, None, :]
        safe = big * np.sqrt(np.einsum("fmn,fmn->fn", scaled, scaled))
    return np.where(np.isfinite(norms) & (norms > _TINY_NORM), norms, safe)


def _usable(J: np.ndarray) -> np.ndarray:
    """Per fit: J finite, and so are its column norms (Marquardt's D), as lm.solver._usable."""
    return np.all(np.isfinite(J), axis=(1, 2)) & np.all(np.isfinite(_col_norms(J)), axis=1)


def _move(fits: _Running, sub: _Subproblems, scaling, accepted, x_new, r_new, cost_new, J_new):
    """Step 8: the fits whose step was accepted move to x + p and get their new J (given for
    them only), D, g and subproblem; the others stay. Returns the subproblems."""
    fits.x = np.where(accepted[:, None], x_new, fits.x)         # new arrays: the step keeps the old x
    fits.r = np.where(accepted[:, None], r_new, fits.r)
    fits.cost = np.where(accepted, cost_new, fits.cost)
    fits.nit = fits.nit + accepted
    if not accepted.any():
        return sub
    rows = _rows(accepted)
    if isinstance(rows, slice):
        fits.J = J_new
    else:
        fits.J[rows] = J_new
    fits.Jnorm[rows] = _col_norms(J_new)
    fits.D[rows] = scaling.update(fits.Jnorm[rows], rows)
    fits.g[rows] = _Jt_r(J_new, fits.r[rows])
    new = _Subproblems(fits.r[rows], J_new, fits.D[rows])
    if isinstance(rows, slice):
        return new
    sub.put(rows, new)
    return sub


def _retire(out: "BatchResult", run: _Batch, prob: "_Problem") -> None:
    """Write the fits that stopped into the result; go on with the others only (they are no
    longer evaluated, and no array carries them any more)."""
    fits = run.fits
    stopped = fits.status != RUNNING
    if not stopped.any():
        return
    ids = fits.ids[stopped]
    for field, name in [("x", "x"), ("cost", "cost"), ("fun", "r"), ("jac", "J"), ("grad", "g"),
                        ("nit", "nit"), ("status", "status")]:
        getattr(out, field)[ids] = getattr(fits, name)[stopped]
    go_on = ~stopped
    for part in (fits, run.strategy, run.scaling, prob):
        part.keep(go_on)
    run.sub = run.sub.take(go_on)


# ---------------------------------------------------------------------------------------
# beyond one machine: chunks of fits through Dask


_RESULT_FIELDS = ("cost", "status", "nit", "nfev", "njev")


@dataclass(repr=False)
class DaskBatchResult:
    """The outcome of :func:`fit_dask`: per-fit results as Dask arrays (lazy) or, after
    :meth:`compute`, as numpy arrays. Each field comes out of the same chunked solve, so
    computing them together (``compute()``) runs every chunk once."""

    x: object  #: (N, n) solutions
    standard_errors: object  #: (N, n) √diag(s²(JᵀJ)⁻¹) (NaN where J is rank deficient or m ≤ n)
    cost: object  #: (N,) F(x)
    status: object  #: (N,) message codes, keys of lm.solver.STATUS_MESSAGES
    nit: object  #: (N,) accepted steps
    nfev: object  #: (N,) evaluations of each fit
    njev: object  #: (N,) Jacobian evaluations of each fit

    @property
    def success(self):
        """(N,) status ≥ 1."""
        return self.status > 0

    def _fields(self):
        return [getattr(self, name) for name in ("x", "standard_errors") + _RESULT_FIELDS]

    def compute(self, **kwargs) -> "DaskBatchResult":
        """All fields as numpy arrays, in one pass over the chunks (``dask.compute``;
        on a ``distributed.Client`` if one is active, else Dask's default scheduler)."""
        import dask

        return DaskBatchResult(*dask.compute(*self._fields(), **kwargs))

    def __repr__(self) -> str:
        return f"DaskBatchResult(x: {type(self.x).__name__} of shape {self.x.shape})"


def _solve_block(X0, *args, fun, jac, flags, options, absolute_sigma):
    """One chunk of fits: levenberg_marquardt_batch, packed into one float array per fit
    (x, standard errors, cost, status, nit, nfev, njev)."""
    n = X0.shape[1]
    if X0.shape[0] == 0:
        return np.empty((0, 2 * n + len(_RESULT_FIELDS)))
    res = levenberg_marquardt_batch(fun, X0, jac, args=args, per_fit=flags, **options)
    m = res.fun.shape[1]
    se = res.standard_errors(absolute_sigma) if absolute_sigma or m > n else np.full((len(res), n), np.nan)
    cols = [res.x, se] + [getattr(res, name)[:, None].astype(float) for name in _RESULT_FIELDS]
    return np.hstack(cols)


def fit_dask(fun: Callable[..., np.ndarray], x0, *args, jac=None, per_fit: Optional[Sequence[bool]] = None,
             chunks: int | str = "auto", absolute_sigma: bool = False, **options) -> DaskBatchResult:
    """Many fits through Dask: each chunk of fits is solved by :func:`levenberg_marquardt_batch`.

    Parameters
    ----------
    fun, jac : as for :func:`levenberg_marquardt_batch` (they must be picklable for a
        ``distributed`` cluster: functions of a module, or closures, which Dask sends by value).
    x0 : (N, n) starting points: a Dask array chunked along the fits, or a numpy array that is
        cut into chunks of ``chunks`` fits. Its parameter axis is kept in one chunk.
    *args : per-fit arrays (first axis the N fits; Dask or numpy; re-chunked like x0) or
        shared values (passed whole to every chunk), as ``args`` of the batch solver.
    per_fit : one flag per argument when the shape cannot tell per-fit from shared.
    absolute_sigma : standard errors from (JᵀJ)⁻¹ alone (σ known) instead of s²(JᵀJ)⁻¹.
    **options : damping, scale, ftol, xtol, gtol, max_nfev of the batch solver.

    Returns
    -------
    DaskBatchResult
        Lazy Dask arrays x, standard_errors, cost, status, nit, nfev, njev, chunked like x0;
        ``.compute()`` runs the fits (on the active ``distributed.Client``, if any) and
        returns the same fields as numpy arrays. Wrap it in ``dask.diagnostics.ProgressBar()``
        (local schedulers) or use ``distributed.progress`` on a cluster to watch it.

    References: Dask ``blockwise``; Moré (1978) and the batch solver for the fits themselves.
    """
    import dask.array as da

    if not callable(fun):
        raise TypeError(f"fun must be callable (X (N, n) -> residuals (N, m)), got {type(fun).__name__}")
    X0 = x0 if isinstance(x0, da.Array) else da.from_array(_check_x0(x0), chunks=(chunks, -1))
    if X0.ndim != 2 or X0.shape[0] == 0 or X0.shape[1] == 0:
        raise ValueError(f"x0 must be a non-empty 2-D array of shape (N fits, n parameters), got shape {X0.shape}")
    X0 = X0.astype(float).rechunk({1: -1})
    N, n = X0.shape
    if per_fit is not None and len(per_fit) != len(args):
        raise ValueError(f"per_fit must give one flag per argument: {len(args)} args, {len(per_fit)} flags")
    pairs, flags = [], []
    letters = iter("bcdeghijklmnopqrstuvwxy")   # f: the fits, a: the parameters, z: the results
    for i, a in enumerate(args):
        is_array = isinstance(a, (da.Array, np.ndarray))
        flag = (is_array and a.ndim >= 1 and a.shape[0] == N) if per_fit is None else bool(per_fit[i])
        if flag:
            if not (is_array and a.ndim >= 1 and a.shape[0] == N):
                raise ValueError(f"args[{i}] is marked per-fit but its first axis is not the {N} fits "
                                 f"(shape {getattr(a, 'shape', None)})")
            a = (a if isinstance(a, da.Array) else da.from_array(a, chunks=-1))
            a = a.rechunk({0: X0.chunks[0], **{k: -1 for k in range(1, a.ndim)}})
            pairs += [a, "f" + "".join(next(letters) for _ in range(a.ndim - 1))]
        else:
            pairs += [a, None]
        flags.append(flag)
    width = 2 * n + len(_RESULT_FIELDS)
    packed = da.blockwise(
        _solve_block, "fz", X0, "fa", *pairs, new_axes={"z": width}, concatenate=True,
        dtype=float, meta=np.empty((0, width)),
        fun=fun, jac=jac, flags=tuple(flags), options=options, absolute_sigma=absolute_sigma,
    )
    columns = [packed[:, n + n + k] for k in range(len(_RESULT_FIELDS))]
    cost = columns[0]
    ints = [c.astype(int) for c in columns[1:]]
    return DaskBatchResult(packed[:, :n], packed[:, n:2 * n], cost, *ints)
