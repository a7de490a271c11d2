"""Many independent fits at once: the Levenberg–Marquardt loop of :mod:`lm.solver`, vectorized
over a batch of N fits of the same model (a decay curve per pixel, a peak per spectrum).

Every fit keeps its own x, r, J, D, λ (or Δ), gain ratio ρ, acceptance and stopping test,
exactly as :func:`lm.levenberg_marquardt` would for that fit alone; only the arithmetic is
shared: one call of ``fun`` for all fits still running, one stacked SVD of their scaled
Jacobians J D⁻¹ per iteration, and the λ search and the tests as array operations. A fit that
has stopped is no longer evaluated. The loop over iterations is a Python loop; there is no
loop over fits.

:func:`fit_dask` hands chunks of fits to this solver through Dask, on one machine or on a
``distributed`` cluster (Dask is imported only there).

References
----------
Levenberg (1944); Marquardt (1963); Moré (1978); Nielsen (1999);
Madsen, Nielsen & Tingleff (2004), Algorithm 3.16; Nocedal & Wright (2006), §10.3.
"""
from __future__ import annotations

import inspect
import math
from itertools import repeat
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from .damping import Fixed, Marquardt, Nielsen, TrustRegion, make_damping
from .jacobians import EPS, JACOBIAN_METHODS, _steps
from .solver import (CONSISTENT_COSINE, NOISE_SAMPLES, STALL_STEPS, STATUS_MESSAGES, LMResult, _check_max_nfev,
                     _check_tolerances, levenberg_marquardt)

__all__ = ["levenberg_marquardt_batch", "BatchResult", "fit_dask", "DaskBatchResult",
           "covariance", "RUNNING"]

RUNNING = -99  #: the status of a fit that has not stopped yet (never in a returned result)

# the scalar solver's defaults, read from its signature so that both always agree
_SCALAR = inspect.signature(levenberg_marquardt).parameters


# ---------------------------------------------------------------------------------------
# row-wise linear algebra. np.matmul of stacked operands calls the same BLAS routine per fit
# (ddot for a row times a column, dgemv for a matrix times a vector) that the scalar solver's
# r @ r and J @ p call, so a fit computes bit for bit what it computes alone.


def _sq(v: np.ndarray) -> np.ndarray:
    """‖v_i‖² of each row v_i of v (N, k)."""
    return np.matmul(v[:, None, :], v[:, :, None])[:, 0, 0]


def _mv(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A_i v_i for each fit: A (N, a, b), v (N, b) -> (N, a)."""
    return np.matmul(A, v[:, :, None])[:, :, 0]


def _T(A: np.ndarray) -> np.ndarray:
    """The transpose of each matrix of a stack (a view)."""
    return A.transpose(0, 2, 1)


def _pow(q: np.ndarray, e: float) -> np.ndarray:
    """q ** e elementwise exactly as Python computes it for one float (C's pow). numpy's own
    power (SIMD, or sqrt for e = ½) can differ in the last bit, and a last bit is enough to
    send a long, ill-conditioned run elsewhere; so this one operation goes through math.pow."""
    q = np.asarray(q, dtype=float)
    return np.fromiter(map(math.pow, q.ravel().tolist(), repeat(e)), float, q.size).reshape(q.shape)


def _pow_half(q: np.ndarray) -> np.ndarray:
    """q ** 0.5 as the scalar solver computes ``float(v @ v) ** 0.5`` (pow, not sqrt)."""
    return _pow(q, 0.5)


def _cost(r: np.ndarray) -> np.ndarray:
    """F = ½‖r‖² per fit, +inf where r has NaN or inf (that trial is simply rejected)."""
    c = 0.5 * _sq(r)
    return np.where(np.isfinite(c), c, np.inf)


def _cosine(g, Jnorm, r) -> np.ndarray:
    """max_j |J_jᵀr| / (‖J_j‖ ‖r‖) per fit (0 for r = 0; zero columns are skipped), as
    ``lm.solver._cosine``; ``Jnorm`` holds the column norms ‖J_j‖ (kept with J: they change
    only when a fit moves)."""
    norms = Jnorm * _pow_half(_sq(r))[:, None]
    nonzero = norms > 0
    ratio = np.abs(g) / np.where(nonzero, norms, 1.0)
    return np.max(np.where(nonzero, ratio, 0.0), axis=1, initial=0.0)


# ---------------------------------------------------------------------------------------
# the damped subproblem, stacked (lm.subproblem.Subproblem for every fit at once)


class _Subproblems:
    """min ‖r_i + J_i p‖² + λ_i‖D_i p‖² for a stack of fits: J D⁻¹ = U S Vᵀ per fit."""

    def __init__(self, r, J, D):
        self.r, self.J, self.D = r, J, D
        U, self.s, self.Vt = np.linalg.svd(J / D[:, None, :], full_matrices=False)
        self.c = _mv(_T(U), r)                                  # Uᵀr per fit
        m, n = J.shape[1:]
        self.cutoff = EPS * max(m, n) * self.s[:, 0]
        self.gn = self._gauss_newton_norm()

    @classmethod
    def empty(cls, N, m, n):
        self = cls.__new__(cls)
        k = min(m, n)
        self.r, self.J, self.D = np.empty((N, m)), np.empty((N, m, n)), np.empty((N, n))
        self.s, self.Vt, self.c = np.empty((N, k)), np.empty((N, k, n)), np.empty((N, k))
        self.cutoff, self.gn = np.empty(N), np.empty(N)
        return self

    _FIELDS = ("r", "J", "D", "s", "Vt", "c", "cutoff", "gn")

    def take(self, idx):
        sub = _Subproblems.__new__(_Subproblems)
        for name in self._FIELDS:
            setattr(sub, name, getattr(self, name)[idx])
        return sub

    def put(self, idx, sub) -> None:
        for name in self._FIELDS:
            getattr(self, name)[idx] = getattr(sub, name)

    def _filter(self, lam):
        """s / (s² + λ) per fit; for λ = 0 the pseudo-inverse 1/s above the cutoff."""
        s, lam = self.s, lam[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            damped = s / (s**2 + lam)
        keep = s > self.cutoff[:, None]
        undamped = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
        return np.where(lam > 0, damped, undamped)

    def step(self, lam):
        """p(λ) = −D⁻¹ V (S² + λI)⁻¹ S Uᵀ r per fit."""
        return -_mv(_T(self.Vt), self._filter(lam) * self.c) / self.D

    def _gauss_newton_norm(self):
        """‖D p_GN‖ per fit, no singular value discarded (inf if r has a part along a zero one)."""
        nonzero = self.s > 0
        t = np.where(nonzero, self.c / np.where(nonzero, self.s, 1.0), 0.0)
        lost = np.any(~nonzero & (self.c != 0), axis=1)
        return np.where(lost, np.inf, _pow_half(_sq(t)))

    def gauss_newton_reduction(self):
        """L(0) − L(p_GN) = ½‖U_kᵀr‖² per fit over the singular values above the cutoff: the
        largest reduction of F the linear model promises (Subproblem.gauss_newton_reduction)."""
        return 0.5 * _sq(np.where(self.s > self.cutoff[:, None], self.c, 0.0))

    def lam_for_radius(self, Delta, rtol: float = 0.1):
        """The λ ≥ 0 with ‖D p(λ)‖ = Δ per fit, by the safeguarded Newton iteration of
        :meth:`lm.subproblem.Subproblem.lam_for_radius` (Moré 1978, §5), run on all fits at
        once; each fit leaves the iteration when its own test is met."""
        N = Delta.shape[0]
        lam = np.zeros(N)
        s2, sc2 = self.s**2, (self.s * self.c) ** 2
        lo = np.zeros(N)
        hi = np.sqrt(sc2.sum(axis=1)) / Delta
        todo = ~(self.gn <= Delta) & (hi != 0)
        full_rank = (self.s.shape[1] == self.J.shape[2]) & (self.s[:, -1] > self.cutoff)
        lam = np.where(todo & ~full_rank, hi, 0.0)
        for _ in range(100):
            i = np.flatnonzero(todo)
            if i.size == 0:
                break
            li, D_i = lam[i], Delta[i]
            w = sc2[i] / (s2[i] + li[:, None]) ** 2
            q = w.sum(axis=1)                                   # ‖D p(λ)‖²
            norm = _pow_half(q)
            done = np.abs(norm - D_i) <= rtol * D_i
            lo[i] = np.where(~done & (norm > D_i), li, lo[i])
            hi[i] = np.where(~done & ~(norm > D_i), li, hi[i])
            dq = -2.0 * (w / (s2[i] + li[:, None])).sum(axis=1)
            with np.errstate(all="ignore"):
                newton = np.where(dq < 0, li - (2 * q / dq) * (norm - D_i) / D_i, li)
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
        Dx0 = np.sqrt(_sq(sub.D * x0))
        if self.Delta0 is not None:
            self.Delta[:] = self.Delta0
        else:
            self.Delta[:] = np.where(Dx0 > 0, self.factor * Dx0, self.factor)

    def propose(self, sub, a):
        self.lam[a] = sub.lam_for_radius(self.Delta[a])
        return self.lam[a]

    def update(self, rho, p, sub, a):
        Dp = np.sqrt(_sq(sub.D * p))
        Delta, lam = self.Delta[a], self.lam[a]
        # MINPACK's lmder, as TrustRegion.update: γ·min(Δ, 10‖Dp‖) after ρ ≤ ¼, 2‖Dp‖ after ρ ≥ ¾ or λ = 0
        JpJp, DpDp = _sq(_mv(sub.J, p)), _sq(sub.D * p)
        slope = -(JpJp + lam * DpDp)                             # gᵀp
        actual = rho * (0.5 * JpJp + lam * DpDp)                  # F(x) − F(x + p)
        gamma = 0.5 * slope / (slope + actual)
        gamma = np.where(actual >= 0, 0.5,
                         np.where(~(actual > -99.0 * 0.5 * _sq(sub.r)) | ~(gamma >= 0.1), 0.1, gamma))
        Delta = np.where(rho <= 0.25, gamma * np.minimum(Delta, 10.0 * Dp),
                         np.where((rho >= 0.75) | (lam == 0), 2.0 * Dp, Delta))
        self.Delta[a] = np.maximum(Delta, 1e-300)


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
        Dx0 = np.sqrt(_sq(sub.D * x0))
        i = np.flatnonzero(Dx0 > 0)                             # and ‖Dp₀‖ ≲ ‖Dx₀‖
        if i.size:
            lam[i] = np.maximum(lam[i], sub.take(i).lam_for_radius(Dx0[i]))
        self.lam[:] = lam

    def propose(self, sub, a):
        return self.lam[a]

    def update(self, rho, p, sub, a):
        lam, up = self.lam[a], rho > 0
        grown = np.maximum(lam, 1e-300)
        if self.kind is Marquardt:
            self.lam[a] = np.where(up, lam / self.factor, grown * self.factor)
        elif self.kind is Nielsen:
            nu = self.nu[a]
            u = 2 * rho - 1
            small = np.abs(u) < 1e100                           # (beyond, the factor is ⅓ anyway)
            shrink = np.where(small, np.maximum(1 / 3, 1 - _pow(np.where(small, u, 0.0), 3.0)), 1 / 3)
            self.lam[a] = np.where(up, lam * shrink, grown * nu)
            self.nu[a] = np.where(up, 2.0, 2 * nu)


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

    def update(self, Jnorm, idx):
        """D for the fits ``idx`` whose Jacobians have the column norms ``Jnorm``."""
        if self.kind == "levenberg":
            return np.ones_like(Jnorm)
        if self.kind == "marquardt":                           # Moré 1978, eq. 6.3
            self.D[idx] = np.maximum(self.D[idx], Jnorm)
            D = self.D[idx]
            return np.where(D > 0, D, 1.0)
        return self.D[idx]


# ---------------------------------------------------------------------------------------
# stopping tests: the rules of lm.solver._StoppingTests, one small function per test, each
# returning a mask over the fits it is asked about (applied in the solver's order by _after)


def _gradient_test(g, Jnorm, r, gtol):
    """Status 1: the largest cosine between r and a column of J is ≤ gtol."""
    return _cosine(g, Jnorm, r) <= gtol


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


def _diverged(x, Jnorm, D, x0_size, eps_F):
    """−3: a parameter beyond 1/√ε_F times max(|x₀_j|, 1), or beyond 1000 times it while its
    column of J has faded below √ε_F·D_j."""
    grown = np.abs(x) / x0_size
    faded = Jnorm <= np.sqrt(eps_F) * D
    return np.any(grown > 1 / np.sqrt(eps_F), axis=1) | np.any((grown > 1e3) & faded, axis=1)


def _why_no_decrease(nothing_left, diverged, predicted, cost, cosine, eps_F):
    """After a failed step that no shorter step can improve, or a stall: −3 (x runs off),
    5 (nothing left to gain), −4 (failures at F's rounding level) or −2 (jac contradicts fun)."""
    rounding = (predicted <= eps_F * cost) | (cosine <= CONSISTENT_COSINE)
    return np.where(diverged, -3, np.where(nothing_left, 5, np.where(rounding, -4, -2)))


def _no_progress(x, p):
    """Status 4: a rejected step no longer changes x in floating point."""
    return np.all(x + p == x, axis=1)


def _out_of_budget(nfev_next, max_nfev):
    """Status 0: one more trial and its Jacobian would exceed max_nfev."""
    return nfev_next > max_nfev


def _first(status, mask, code):
    """Set ``code`` where ``mask`` holds and no earlier test has decided."""
    return np.where((status == RUNNING) & mask, code, status)


def _after(status, stalled, noise, sub, Jnorm, x, g, D, *, step, near_gn, nfev_next, fits, tol):
    """The status of each fit after its trial step, its stall count and the largest change of F
    over the stalled steps (lm.solver._StoppingTests.after, test by test in the same order)."""
    cost, predicted, actual, rho, accepted, p = (step[k] for k in ("cost", "predicted", "actual", "rho", "accepted", "p"))
    eps_F = fits["eps_F"]
    status = _first(status, _gradient_test(g, Jnorm, sub.r, tol["gtol"]), 1)
    status = _first(status, _ftol_test(near_gn, predicted, actual, rho, cost, tol["ftol"], eps_F), 2)
    Dx = _pow_half(_sq(D * x))
    status = _first(status, _xtol_test(sub.gn, Dx, tol["xtol"]), 3)
    F = np.where(accepted, step["cost_trial"], cost)                 # F at x
    promised = sub.gauss_newton_reduction()                       # the most any step can gain
    diverged = _diverged(x, Jnorm, D, fits["x0_size"], eps_F)
    nothing = _nothing_promised(promised, F, tol["ftol"], eps_F)
    status = _first(status, nothing & diverged, -3)
    status = _first(status, nothing, 5)
    open_ = status == RUNNING
    stalled = np.where(open_, _stalled(stalled, actual, cost, eps_F), stalled)
    noise = np.where(open_, np.where(stalled > 1, np.maximum(noise, np.abs(actual)), np.abs(actual)), noise)
    cosine = np.zeros_like(cost)
    ask = np.flatnonzero(open_)                                   # (the cosine only where it may decide)
    cosine[ask] = _cosine(g[ask], Jnorm[ask], sub.r[ask])
    stall = stalled >= STALL_STEPS
    why = _why_no_decrease(promised <= NOISE_SAMPLES * noise, diverged, predicted, cost, cosine, eps_F)
    status = _first(status, stall, why)
    rounding = predicted <= eps_F * F                             # promised less than F's rounding
    negligible = _pow_half(_sq(D * p)) <= tol["xtol"] * Dx        # more damping cannot help
    short = ~accepted & (rounding | negligible)
    nothing_left = (promised <= NOISE_SAMPLES * np.abs(actual)) | (F <= eps_F**2 * fits["cost0"])
    why = _why_no_decrease(nothing_left, diverged, predicted, cost, cosine, eps_F)
    status = _first(status, short, why)
    status = _first(status, ~accepted & ~short & _no_progress(step["x"], p), 4)
    return _first(status, _out_of_budget(nfev_next, tol["max_nfev"]), 0), stalled, noise


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
        self.typical = 1e-3 * np.where(x0 != 0, np.abs(x0), 1.0)

    def _args_for(self, idx):
        if idx is None:
            return self.args
        return tuple(a[idx] if pf else a for a, pf in zip(self.args, self.per_fit))

    def residuals(self, X, idx, complex_ok=False):
        """r for the fits ``idx`` at their points X; one evaluation counted for each."""
        R = np.asarray(self.fun(X, *self._args_for(idx)))
        if R.shape != (len(X), self.m):
            raise ValueError(f"fun returned shape {R.shape} for {len(X)} fits, expected {(len(X), self.m)} "
                             "(one row of m residuals per fit, as at x0)")
        self.nfev[idx] += 1
        return R if complex_ok and R.dtype.kind == "c" else R.astype(float)

    def first_residuals(self, X):
        R = np.asarray(self.fun(X, *self.args))
        self.nfev += 1
        if R.ndim != 2 or R.shape[0] != self.N or R.shape[1] == 0 or R.dtype.kind not in "biuf":
            hint = " (return the residuals r, not the cost ½‖r‖²)" if R.shape == (self.N,) else ""
            raise ValueError(f"fun must return a real array of shape (N, m) = ({self.N}, m), one row of "
                             f"residuals per fit, got shape {R.shape} dtype {R.dtype}{hint}")
        self.m = R.shape[1]
        # relative rounding of F: machine ε of the type fun computes in (float32: 1.2e-7)
        self.eps_F = max(EPS, float(np.finfo(R.dtype).eps)) if R.dtype.kind == "f" else EPS
        if self.inferred:
            _check_ambiguous_args(self.args, self.per_fit, self.N, self.m)
        R = R.astype(float)
        bad = ~np.all(np.isfinite(R), axis=1)
        if bad.any():
            raise ValueError(f"fun returned non-finite residuals (NaN or inf) at x0 for {bad.sum()} fit(s), "
                             f"indices {np.flatnonzero(bad)[:10].tolist()}; choose starting points where the model is defined")
        return R

    def jacobian(self, X, R, idx):
        """J for the fits ``idx`` at X (their residuals R), analytic or by differences."""
        self.njev[idx] += 1
        if self.method is None:
            J = np.asarray(self.jac(X, *self._args_for(idx)), dtype=float)
            if J.shape != (len(X), self.m, self.n):
                raise ValueError(f"jac returned shape {J.shape}, expected {(len(X), self.m, self.n)} "
                                 "(fits × m residuals × n parameters)")
            return J
        f = lambda Z, complex_ok=False: self.residuals(Z, idx, complex_ok)  # noqa: E731
        return _DIFFERENCES[self.method](f, X, R, self.typical[idx], self.eps_F)   # steps for fun's precision


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


def _central(f, X, R, typical, eps=EPS):
    """Central differences per fit, with lm.jacobians.central's one-sided fall-back."""
    h = _steps(X, eps ** (1 / 3), typical)
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

    C_i = s_i²(J_iᵀJ_i)⁻¹ from the SVD J_i = U S Vᵀ (never by inverting JᵀJ), s_i² = ‖r_i‖²/(m − n);
    NaN for a fit whose J has rank < n (its covariance does not exist), with the rank test of
    lm.stats. References: Bates & Watts (1988) §2.3.
    """
    J, r = np.asarray(J, dtype=float), np.asarray(r, dtype=float)
    if J.ndim != 3 or r.shape != J.shape[:2]:
        raise ValueError(f"need J of shape (N, m, n) and r of shape (N, m), got {J.shape} and {r.shape}")
    N, m, n = J.shape
    if not absolute_sigma and m - n <= 0:
        raise ValueError(f"need more residuals than parameters for s², got m = {m}, n = {n}")
    U, s, Vt = np.linalg.svd(J, full_matrices=False)
    deficient = (s.shape[1] < n) | (s[:, -1] <= EPS * max(m, n) * s[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        C = (_T(Vt) / s[:, None, :] ** 2) @ Vt                 # (JᵀJ)⁻¹ = V S⁻² Vᵀ
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
) -> BatchResult:
    """Minimize F_i(x) = ½‖r_i(x)‖² for N independent fits at once with the Levenberg–Marquardt
    method; fit i gets what :func:`lm.levenberg_marquardt` would give it alone.

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

    Returns
    -------
    BatchResult
        Per fit: x, cost, fun, jac, grad, status (a key of ``STATUS_MESSAGES``), message,
        nit, nfev, njev, success; ``covariance()`` and ``standard_errors()``.

    References
    ----------
    Levenberg (1944); Marquardt (1963); Moré (1978); Nielsen (1999);
    Madsen, Nielsen & Tingleff (2004), Algorithm 3.16; Nocedal & Wright (2006), §10.3.
    """
    X0 = _check_x0(x0)
    N, n = X0.shape
    prob = _Problem(fun, jac, args, per_fit, X0)
    _check_tolerances(ftol=ftol, xtol=xtol, gtol=gtol)
    max_nfev = _check_max_nfev(max_nfev, n, prob.evals_per_jac)
    strategy = _make_batch_damping(damping, N)
    scaling = _BatchScaling(scale, N, n)
    everyone = np.arange(N)

    r = prob.first_residuals(X0)
    m = prob.m
    J = prob.jacobian(X0, r, everyone)
    bad = ~np.all(np.isfinite(J), axis=(1, 2))
    if bad.any():
        raise ValueError(f"the Jacobian at x0 has NaN or inf entries for {bad.sum()} fit(s), indices "
                         f"{np.flatnonzero(bad)[:10].tolist()}; check jac or choose other starting points")
    x = X0.copy()
    cost = 0.5 * _sq(r)                                         # F(x) = ½‖r‖²
    Jnorm = np.linalg.norm(J, axis=1)                           # column norms ‖J_j‖
    D = scaling.update(Jnorm, everyone)                         # D² ≥ diag(JᵀJ), never shrinking
    g = _mv(_T(J), r)                                           # g = Jᵀr
    subs = _Subproblems.empty(N, m, n)
    subs.put(everyone, _Subproblems(r, J, D))
    strategy.start(subs, X0)
    cost0 = cost.copy()                                         # F(x₀): the scale of rounding noise
    x0_size = np.maximum(np.abs(X0), 1.0)                       # the scale of running off
    tol = dict(ftol=ftol, xtol=xtol, gtol=gtol, max_nfev=max_nfev)
    stalled = np.zeros(N, dtype=int)                            # steps in a row at F's rounding level
    noise = np.zeros(N)                                         # the largest change of F in them
    nit = np.zeros(N, dtype=int)
    status = np.full(N, RUNNING)
    status = _first(status, _gradient_test(g, Jnorm, r, gtol), 1)
    status = _first(status, _out_of_budget(prob.nfev + 1 + prob.evals_per_jac, max_nfev), 0)

    with np.errstate(all="ignore"):                 # overflow at a trial point is a rejected step
        while True:
            a = np.flatnonzero(status == RUNNING)                   # the fits still running
            if a.size == 0:
                break
            sub = subs.take(a)
            lam = strategy.propose(sub, a)                          # 1. damped step (JᵀJ + λD²)p = −g
            p = sub.step(lam)
            x_old, cost_old = x[a], cost[a]
            x_new = x_old + p                                       # 2. trial points
            r_new = prob.residuals(x_new, a)
            cost_new = _cost(r_new)                                 #    F(x + p); inf if not finite
            predicted = 0.5 * _sq(_mv(sub.J, p)) + lam * _sq(sub.D * p)  # 3. L(0) − L(p)
            actual = cost_old - cost_new                             # 4. F(x) − F(x + p)
            rho = np.where(predicted > 0, actual / predicted, -np.inf)   # 5. gain ratio ρ
            up = np.flatnonzero(rho > 0)                            # 6. accept a decrease …
            J_new = prob.jacobian(x_new[up], r_new[up], a[up]) if up.size else np.empty((0, m, n))
            finite = np.all(np.isfinite(J_new), axis=(1, 2))        #    … where J is finite
            rho[up[~finite]] = -np.inf
            strategy.update(rho, p, sub, a)                         # 7. adapt λ (or Δ) from ρ
            near_gn = _pow_half(_sq(sub.D * p)) >= 0.99 * sub.gn    # (for the ftol test)
            accepted = rho > 0
            moved = a[accepted]                                     # 8. move to x + p
            x[moved], r[moved], cost[moved] = x_new[accepted], r_new[accepted], cost_new[accepted]
            J[moved] = J_new[finite]
            nit[moved] += 1
            Jnorm[moved] = np.linalg.norm(J[moved], axis=1)
            D[moved] = scaling.update(Jnorm[moved], moved)
            g[moved] = _mv(_T(J[moved]), r[moved])
            if moved.size:
                subs.put(moved, _Subproblems(r[moved], J[moved], D[moved]))
            step = dict(x=x_old, p=p, cost=cost_old, cost_trial=cost_new, predicted=predicted,
                        actual=actual, rho=rho, accepted=accepted)
            status[a], stalled[a], noise[a] = _after(               # 9. stop?
                status[a], stalled[a], noise[a], subs.take(a), Jnorm[a], x[a], g[a], D[a], step=step, near_gn=near_gn,
                nfev_next=prob.nfev[a] + 1 + prob.evals_per_jac, tol=tol,
                fits=dict(eps_F=prob.eps_F, x0_size=x0_size[a], cost0=cost0[a]))

    return BatchResult(x=x, cost=cost, fun=r, jac=J, grad=g, nfev=prob.nfev, njev=prob.njev,
                       nit=nit, status=status, success=status > 0,
                       damping=type(make_damping(damping)).__name__)


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
