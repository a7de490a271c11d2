"""Damping strategies: how λ (or the trust-region radius Δ) changes from step to step.

Each strategy is a small object with three methods; the solver calls them in this order:

    start(sub, x0)        once, at x₀: choose the initial λ₀ (or Δ₀)
    propose(sub)          each trial: return the step p and the λ it used
    update(rho, p, sub)   after each trial: adapt λ (or Δ) from the gain ratio ρ

``sub`` is the :class:`lm.subproblem.Subproblem` at the current iterate: ``sub.step(λ)``
gives p(λ), ``sub.lam_for_radius(Δ)`` the λ of a radius. ``propose`` must return the
exact minimizer p(λ) of ‖r + Jp‖² + λ‖Dp‖² (the solver's predicted reduction relies on it).
The attribute ``Delta`` (Δ, or None for a λ rule) is read by the solver for the iteration
history; the λ it records is the one ``propose`` returns (the strategies here also keep it as
``lam``, for the reader). Any object with these methods and ``Delta`` can be passed as
``damping=`` (a :class:`typing.Protocol` below documents it).

Sources: Marquardt (1963); Nielsen (1999); Madsen, Nielsen & Tingleff (2004) §3.2;
Moré (1978) §§2–5; Nocedal & Wright (2006) ch. 4 and §10.3.
"""
from __future__ import annotations

import math
from typing import Optional, Protocol, runtime_checkable

import numpy as np

from .subproblem import Subproblem, squared_norm as _sq

__all__ = ["Damping", "Marquardt", "Nielsen", "TrustRegion", "Fixed", "make_damping"]


@runtime_checkable
class Damping(Protocol):
    """The protocol a damping strategy implements (see the module docstring)."""

    Delta: Optional[float]  #: the radius Δ, or None for a λ rule (read by the solver for the records)

    def start(self, sub: Subproblem, x0: np.ndarray) -> None: ...

    def propose(self, sub: Subproblem) -> tuple[np.ndarray, float]: ...

    def update(self, rho: float, p: np.ndarray, sub: Subproblem) -> None: ...


def _initial_lam(sub: Subproblem, tau: float) -> float:
    """λ₀ = τ · max_i (JᵀJ)_ii / D_i²  (Madsen–Nielsen–Tingleff 2004, eq. 3.14, scaled by D)."""
    col2 = np.sum(sub.J**2, axis=0) / sub.D**2
    lam0 = tau * float(col2.max()) if col2.size else tau
    return lam0 if lam0 > 0 else tau


class _LambdaStrategy:
    """Shared start/propose of the strategies that keep λ itself as their state."""

    Delta = None

    def __init__(self, tau: float, lam0: Optional[float]):
        if not tau > 0:
            raise ValueError(f"tau must be > 0, got {tau!r}")
        if lam0 is not None and not lam0 >= 0:
            raise ValueError(f"lam0 must be ≥ 0, got {lam0!r}")
        self.tau, self.lam0 = tau, lam0
        self.lam = float("nan")

    def start(self, sub: Subproblem, x0: np.ndarray) -> None:
        if self.lam0 is not None:
            self.lam = self.lam0
            return
        lam = _initial_lam(sub, self.tau)
        # and at least the λ whose first step is about as long as x₀ itself, ‖Dp‖ ≈ ‖Dx₀‖
        # (to the 10 % of the radius search):
        # a first jump far beyond the start can land on a plateau the method cannot leave
        # (BoxBOD from its start 1 is the classic case)
        Dx0 = float(np.linalg.norm(sub.D * x0))
        self.lam = max(lam, sub.lam_for_radius(Dx0)) if Dx0 > 0 else lam

    def propose(self, sub: Subproblem) -> tuple[np.ndarray, float]:
        return sub.step(self.lam), self.lam

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lam={self.lam:.3g})"


class Marquardt(_LambdaStrategy):
    """A simplification of Marquardt's (1963) rule: divide λ by ``factor`` after a success,
    multiply by it after a failure. (Marquardt himself tries λ/ν first, then λ, then
    multiplies by ν until F decreases: trial by trial the same values of λ. The
    simplification is elsewhere: lm requires ρ > 0 where he accepts Φ ≤ Φ_r, keeps the
    largest column norms as D where he scales by diag(JᵀJ) at each iterate, and starts
    from λ₀ where he starts from λ₀/ν; chapter 06.)

    Parameters
    ----------
    factor : the fixed factor (Marquardt used 10).
    tau : λ₀ = τ·max diag(JᵀJ)/D², raised if needed so that ‖Dp₀‖ ≲ ‖Dx₀‖ (within the
        10 % tolerance of :meth:`Subproblem.lam_for_radius`), unless
        ``lam0`` is given.
    lam0 : an absolute initial λ.
    """

    def __init__(self, factor: float = 10.0, tau: float = 1e-3, lam0: Optional[float] = None):
        super().__init__(tau, lam0)
        if not factor > 1:
            raise ValueError(f"factor must be > 1, got {factor!r}")
        self.factor = factor

    def update(self, rho: float, p: np.ndarray, sub: Subproblem) -> None:
        if rho > 0:
            self.lam = self.lam / self.factor
        else:
            self.lam = max(self.lam, 1e-300) * self.factor  # λ = 0 must be able to grow


class Nielsen(_LambdaStrategy):
    """Nielsen (1999) gain-ratio update (as in Madsen–Nielsen–Tingleff 2004, Algorithm 3.16).

    After a success λ ← λ·max(1/3, 1 − (2ρ − 1)³) and ν ← 2; after a failure λ ← λ·ν and
    ν ← 2ν, so repeated failures raise λ ever faster.
    """

    def __init__(self, tau: float = 1e-3, lam0: Optional[float] = None):
        super().__init__(tau, lam0)
        self.nu = 2.0

    def start(self, sub: Subproblem, x0: np.ndarray) -> None:
        super().start(sub, x0)
        self.nu = 2.0  # a strategy object reused for a new run starts afresh

    def update(self, rho: float, p: np.ndarray, sub: Subproblem) -> None:
        if rho > 0:
            self.lam = self.lam * max(1 / 3, 1 - (2 * rho - 1) ** 3)
            self.nu = 2.0
        else:
            self.lam = max(self.lam, 1e-300) * self.nu
            self.nu = 2 * self.nu


class Fixed(_LambdaStrategy):
    """A constant λ: λ = 0 gives the Gauss–Newton path (for comparison plots)."""

    def __init__(self, lam: float = 0.0):
        super().__init__(1.0, lam)

    def update(self, rho: float, p: np.ndarray, sub: Subproblem) -> None:
        pass


class TrustRegion:
    """Moré (1978): keep a radius Δ on the scaled step ‖Dp‖ and find λ from Δ.

    Each λ solves min ‖r + Jp‖ subject to ‖Dp‖ ≤ Δ. After a trial, Δ follows MINPACK's
    lmder (Moré 1978, §§4–5; Moré, Garbow & Hillstrom 1980): a poor step, ρ ≤ ¼, gives
    Δ = γ·min(Δ, 10‖Dp‖), where γ ∈ [0.1, 0.5] is the minimizer of the quadratic that
    interpolates F along the step (F(x), the slope gᵀp and F(x + p); γ = ½ if F did not
    increase, 0.1 if F(x + p) ≥ 100·F(x)); a very good step, ρ ≥ ¾, or a Gauss–Newton step
    (λ = 0) with ρ > ¼ gives Δ = 2‖Dp‖ (the radius follows the step that was tested, not a
    larger radius left from before). λ is found to 10 % of Δ (λ = 0 when ‖Dp_GN‖ ≤ 1.1Δ), as in
    lmpar. What is simpler than MINPACK: a step is accepted when ρ > 0 (MINPACK: ρ ≥ 1e-4),
    the first radius is Δ₀ = ‖Dx₀‖ (MINPACK: 100‖Dx₀‖, then min(Δ₀, ‖Dp₁‖)), and λ is solved
    for anew from Δ at every trial (lmpar starts from the previous λ).

    Parameters
    ----------
    factor : Δ₀ = factor·‖D x₀‖, or ``factor`` if x₀ = 0. MINPACK uses 100; the default 1
        (a first step no longer than x₀ itself) solved more NIST problems when measured.
    Delta0 : an absolute initial radius.
    """

    def __init__(self, factor: float = 1.0, Delta0: Optional[float] = None):
        if not factor > 0:
            raise ValueError(f"factor must be > 0, got {factor!r}")
        if Delta0 is not None and not Delta0 > 0:
            raise ValueError(f"Delta0 must be > 0, got {Delta0!r}")
        self.factor, self.Delta0 = factor, Delta0
        self.Delta: Optional[float] = None
        self.lam = float("nan")

    def start(self, sub: Subproblem, x0: np.ndarray) -> None:
        Dx0 = float(np.linalg.norm(sub.D * x0))
        if self.Delta0 is not None:
            self.Delta = self.Delta0
        else:
            self.Delta = self.factor * Dx0 if Dx0 > 0 else self.factor

    def propose(self, sub: Subproblem) -> tuple[np.ndarray, float]:
        self.lam = sub.lam_for_radius(self.Delta)
        return sub.step(self.lam), self.lam

    def update(self, rho: float, p: np.ndarray, sub: Subproblem) -> None:
        Dp = math.sqrt(_sq(sub.D * p))                          # ‖Dp‖
        if rho <= 0.25:                                         # poor or failed: shrink
            self.Delta = self._shrink_factor(rho, p, sub) * min(self.Delta, 10.0 * Dp)
        elif rho >= 0.75 or self.lam == 0:                      # very good, or Gauss–Newton
            self.Delta = 2.0 * Dp
        self.Delta = max(self.Delta, 1e-300)

    def _shrink_factor(self, rho: float, p: np.ndarray, sub: Subproblem) -> float:
        """γ ∈ [0.1, 0.5] (MINPACK's lmder): where F rose along p, the minimizer t* of the
        quadratic q(t) with q(0) = F(x), q'(0) = gᵀp, q(1) = F(x + p); ½ where F fell."""
        Jp, DpDp = sub.J @ p, float(np.sum((sub.D * p) ** 2))
        slope = -(float(Jp @ Jp) + self.lam * DpDp)          # gᵀp = −‖Jp‖² − λ‖Dp‖² (exact p)
        predicted = 0.5 * float(Jp @ Jp) + self.lam * DpDp
        actual = rho * predicted                              # F(x) − F(x + p)
        if actual >= 0:
            return 0.5
        cost = 0.5 * float(sub.r @ sub.r)
        if not actual > -99.0 * cost:                         # F(x + p) ≥ 100·F(x), or not finite
            return 0.1
        gamma = 0.5 * slope / (slope + actual)                # t* = ½gᵀp / (gᵀp + F(x) − F(x + p))
        return gamma if gamma >= 0.1 else 0.1

    def __repr__(self) -> str:
        return f"TrustRegion(Delta={self.Delta!r})"


_BY_NAME = {"marquardt": Marquardt, "nielsen": Nielsen, "trust-region": TrustRegion}


def make_damping(damping) -> Damping:
    """A fresh strategy from a name (``"nielsen"``, ``"marquardt"``, ``"trust-region"``),
    a strategy class, or a strategy object (used as given)."""
    if isinstance(damping, str):
        try:
            return _BY_NAME[damping.lower()]()
        except KeyError:
            raise ValueError(
                f"unknown damping {damping!r}; expected one of {sorted(_BY_NAME)} "
                "or an object with start/propose/update methods"
            ) from None
    if isinstance(damping, type):
        damping = damping()
    missing = [m for m in ("start", "propose", "update") if not callable(getattr(damping, m, None))]
    if missing:
        raise TypeError(
            f"damping object {damping!r} lacks the method(s) {missing}; "
            "a strategy needs start(sub, x0), propose(sub) and update(rho, p, sub)"
        )
    if not hasattr(damping, "Delta"):
        raise TypeError(f"damping object {damping!r} has no attribute Delta; a strategy keeps its "
                        "trust-region radius there, or None if it adapts λ directly")
    return damping
