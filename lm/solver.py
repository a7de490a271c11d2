"""The Levenberg–Marquardt loop, its stopping tests and its result records.

Minimizes F(x) = ½‖r(x)‖² by repeating one step: solve the damped subproblem
(JᵀJ + λD²) p = −g for the step p, compare the actual and the predicted reduction of F
(the gain ratio ρ), accept the step if F decreased, and let the damping strategy adapt λ.

References
----------
Levenberg (1944); Marquardt (1963); Moré (1978); Nielsen (1999);
Madsen, Nielsen & Tingleff (2004), Algorithm 3.16; Nocedal & Wright (2006), §10.3.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .damping import Damping, make_damping
from .jacobians import (JACOBIAN_METHODS, broyden_update, central, compare_with_differences, forward, precision,
                        rounding_of_r)
from .subproblem import Subproblem, column_norms, largest_cosine, squared_norm as _sq

__all__ = ["levenberg_marquardt", "LMResult", "Step", "STATUS_MESSAGES"]

STATUS_MESSAGES = {
    -3: ("x diverges: a convergence test was met, or F no longer decreases, while a parameter has "
         "grown beyond 1000 times its start, max(|x0_j|, 1), with F no longer depending on it, or "
         "beyond 1/√ε times it with J numerically rank deficient, or beyond 100 times it while the "
         "parameters cancel (their contributions J_j·x_j, or those of the grown parameters, sum to at most 1e-4 of the largest, J D⁻¹ "
         "ill-conditioned beyond 1/√ε): parameters run towards infinity, where F may approach its infimum"),
    -2: ("jac does not match fun: steps predicted to decrease F by more than its rounding level (10ε·F) "
         "fail even when negligible, or F stalls, while the model sees a clear downhill slope (a cosine "
         "between r and a column of J > 1e-5), and jac differs from central differences at x by more "
         "than their error (lm.check_jacobian's verdict, with the rounding of r measured there); "
         "check jac with lm.check_jacobian"),
    -1: "stopped by the callback",
    0: ("the budget max_nfev is spent: one more trial step and its Jacobian would exceed it (with "
        "jac=\"broyden\": or a stop could not be decided on central differences within it)"),
    1: "gradient test: r is orthogonal to every column of J to within gtol (cosine ≤ gtol)",
    2: ("ftol test: actual and predicted relative reductions of the cost by a nearly undamped "
        "step are ≤ max(ftol, 10ε) (ε: machine epsilon of the type fun computes in)"),
    3: "xtol test: the Gauss–Newton step is tiny, ‖D p_GN‖ ≤ xtol·‖Dx‖",
    4: "no further progress: the step no longer changes x in floating point",
    5: ("F cannot decrease to its precision: the Gauss–Newton step, the best the linear model "
        "offers, predicts a reduction no larger than max(ftol, 10ε)·F (ε: machine epsilon of the type "
        "fun computes in), or, after a failed step that was negligible or promised less than the "
        "rounding of F, than 10 times the change of F that rounding made there (after 5 stalled "
        "steps: 10 times the largest of their changes), or F there is below (10ε)² times F(x0); with "
        "central differences (jac=None, \"3-point\", \"broyden\"), where the promise lay along singular "
        "values of J D⁻¹ that differences with 10 times longer steps do not reproduce (differencing "
        "noise where the true J is rank deficient), the promise in the directions they reproduce"),
    -4: ("F stopped decreasing at its rounding level before x was shown stationary: a step "
        "whose predicted reduction was below the rounding of F failed, or 5 steps in a row changed "
        "F by no more than 10ε·F, while the Gauss–Newton step predicts more (if F should "
        "decrease further, check jac with lm.check_jacobian); or a test would have ended the run "
        "while a column of a difference Jacobian is exactly zero and r is not: the differences "
        "could not show that F does not depend on that parameter (with central differences the "
        "promise counts only directions that differences with 10 times longer steps reproduce, "
        "or all of them if the budget leaves no room for that check); or steps failed as for −2, but jac "
        "agrees with central differences at x (r rounds above 10ε·F: a small difference of large "
        "terms), or the budget left no room for that check"),
}

# Below this cosine between r and the columns of J, a point where even negligible steps fail
# is no evidence against jac: the failures may be rounding in F (status −4, not −2).
CONSISTENT_COSINE = 1e-5

# The change of F at a negligible or rounding-level step is one sample of F's rounding noise;
# the noise level is taken as this many times that sample (one sample can be small by chance).
NOISE_SAMPLES = 10

# Parameters cancel on their way to infinity (status −3) when their first-order contributions
# J_j x_j sum to at most this fraction of the largest, on an ill-conditioned J, after some
# parameter has grown beyond CANCEL_GROWTH times its start (see _StoppingTests._diverged).
CANCELLED = 1e-4
CANCEL_GROWTH = 100.0

# A difference Jacobian's small singular values are real if central differences with steps
# this many times longer reproduce them (their rounding noise shrinks with the step; see
# _resolved_verdict).
RESOLVING_STEP = 10.0

# This many trial steps in a row that change F by at most NOISE_SAMPLES·ε·F (rounding level),
# accepted or not, end the loop: F no longer decreases to its precision.
STALL_STEPS = 5


@dataclass
class Step:
    """One trial step of the loop: one record of ``LMResult.history``."""

    k: int  #: iteration: the number of accepted steps before this trial
    x: np.ndarray  #: the iterate the step starts from
    cost: float  #: F(x) = ½‖r(x)‖²
    lam: float  #: the damping λ that produced p
    Delta: Optional[float]  #: the trust-region radius Δ (None for λ-based strategies)
    p: np.ndarray  #: the trial step
    cost_trial: float  #: F(x + p) (inf if r(x + p) was not finite)
    predicted: float  #: predicted reduction L(0) − L(p) of the linear model
    actual: float  #: actual reduction F(x) − F(x + p)
    rho: float  #: gain ratio ρ = actual / predicted
    accepted: bool  #: whether x moved to x + p
    grad_norm: float  #: ‖g‖∞ = ‖Jᵀr‖∞ at x
    nfev: int  #: evaluations of fun so far, this trial included
    D: Optional[np.ndarray] = None  #: the scaling D at x (the trust region is ‖D(z − x)‖ ≤ ‖Dp‖)

    def __post_init__(self):
        # plain Python numbers, so a record prints readably in a notebook
        self.cost, self.lam, self.cost_trial = float(self.cost), float(self.lam), float(self.cost_trial)
        self.predicted, self.actual, self.rho = float(self.predicted), float(self.actual), float(self.rho)
        self.grad_norm, self.accepted = float(self.grad_norm), bool(self.accepted)
        if self.Delta is not None:
            self.Delta = float(self.Delta)

    @property
    def x_trial(self) -> np.ndarray:
        return self.x + self.p


@dataclass(repr=False)
class LMResult:
    """The outcome of :func:`levenberg_marquardt` (names as in ``scipy.optimize.least_squares``)."""

    x: np.ndarray  #: the solution (the best point found)
    cost: float  #: F(x) = ½‖r(x)‖²
    fun: np.ndarray  #: residuals r(x)
    jac: np.ndarray  #: Jacobian J(x)
    grad: np.ndarray  #: gradient g = Jᵀr at x
    nfev: int  #: calls of fun, those for difference Jacobians included
    njev: int  #: Jacobian evaluations (analytic or by differences)
    nit: int  #: accepted steps
    status: int  #: why the loop ended: a key of STATUS_MESSAGES
    message: str
    success: bool  #: True when a convergence test (status 1–5) ended the loop
    history: list = field(default_factory=list)  #: one :class:`Step` per trial step
    x0: Optional[np.ndarray] = None
    damping: str = ""

    def covariance(self, absolute_sigma: bool = False) -> np.ndarray:
        """Covariance of the parameters: s²(JᵀJ)⁻¹ (see :func:`lm.stats.covariance`)."""
        from .stats import covariance

        return covariance(self.jac, self.fun, absolute_sigma=absolute_sigma)

    def standard_errors(self, absolute_sigma: bool = False) -> np.ndarray:
        """Standard errors √diag(covariance) of the parameters."""
        return np.sqrt(np.diag(self.covariance(absolute_sigma)))

    def correlation(self) -> np.ndarray:
        """Correlation matrix of the parameters."""
        from .stats import correlation

        return correlation(self.covariance())

    def __repr__(self) -> str:
        rejected = sum(not s.accepted for s in self.history)
        with np.printoptions(precision=10):
            return (
                f"LMResult(success={self.success}, status={self.status}: {self.message}\n"
                f"  x = {self.x}\n  cost = {self.cost:.10g}, ‖g‖∞ = {np.abs(self.grad).max():.3g}\n"
                f"  nit = {self.nit}, nfev = {self.nfev}, njev = {self.njev}, "
                f"trial steps = {len(self.history)} ({rejected} rejected), damping = {self.damping})"
            )


def levenberg_marquardt(
    fun: Callable[..., np.ndarray],
    x0: Sequence[float] | np.ndarray,
    jac: Callable[..., np.ndarray] | str | None = None,
    args: tuple = (),
    kwargs: Optional[dict] = None,
    *,
    damping: str | Damping = "trust-region",
    scale: str | Sequence[float] = "marquardt",
    ftol: float = 1e-15,
    xtol: float = 1e-10,
    gtol: float = 1e-15,
    max_nfev: Optional[int] = None,
    callback: Optional[Callable[[Step], Any]] = None,
) -> LMResult:
    """Minimize F(x) = ½‖r(x)‖² with the Levenberg–Marquardt method.

    Parameters
    ----------
    fun : ``fun(x, *args, **kwargs) -> r``, the residual vector (m,) at x (n,). m < n is
        allowed: damping keeps every step well defined, but the minimizer is not unique.
    x0 : starting point, n finite numbers.
    jac : ``jac(x, *args, **kwargs) -> J`` (m, n); or ``"2-point"`` (forward),
        ``"3-point"`` (central) or ``"cs"`` (complex-step) differences. None means
        ``"3-point"``: its O(ε^{2/3}) error lets difference Jacobians reach certified digits.
        ``"broyden"``: forward differences at x₀, then Broyden's (1965) rank-1 secant update
        after every accepted step (the update of the secant L–M method of
        Madsen–Nielsen–Tingleff 2004, §3.5; when to difference anew is this solver's own rule):
        J is differenced anew by forward differences after a rejected step (the model stopped
        predicting; a J differenced at x is not differenced again), and by central
        differences before any stopping test other than the budget may end the run
        (the tests on x alone are then repeated at once, with Marquardt's D taken from the
        evaluated and differenced Jacobians only, since a secant estimate can be far off; the
        others at the next point, whose J is differenced centrally too). The forward refresh only while the budget leaves room
        for two more central Jacobians, the central decision while it leaves room for one; a
        stop that cannot be decided so for lack of budget ends with status 0, never with a
        success claimed on a secant or forward J.
    damping : ``"trust-region"`` (default: λ from a radius Δ on ‖Dp‖, updated by the rule of
        MINPACK's lmder, Moré 1978),
        ``"nielsen"`` (Nielsen 1999), ``"marquardt"`` (a simplification of Marquardt 1963), or a strategy
        object (see :mod:`lm.damping`). The default solved the most NIST problems with
        the fewest evaluations in ``benchmarks/``.
    scale : ``"marquardt"``: D = column norms of J, kept monotone (Marquardt 1963,
        Moré 1978), which makes the method invariant to the units of the parameters (this
        solver's own exception: a stop on xtol or the Gauss–Newton promise while some column
        has fallen below √ε of its D_j is decided again with D restarted from the column
        norms at x);
        ``"levenberg"``: D = I (Levenberg 1944); or a fixed positive vector.
    ftol : stop when a nearly undamped step's actual and predicted reductions are both
        ≤ ftol·F(x) (status 2), or when even the Gauss–Newton step predicts a reduction
        ≤ ftol·F(x) (status 5). Values below 10ε (ε: machine epsilon of the type ``fun``
        returns, 1.2e-7 for float32) act as 10ε: smaller reductions are rounding.
        This bounds the change of F, not the error in x: on a slowly (linearly)
        converging problem x may still be far from x* in relative terms (chapter 06).
    xtol : stop when the undamped (Gauss–Newton) step from x is tiny, ‖D p_GN‖ ≤ xtol·‖Dx‖
        (status 3; a test on *accepted* damped steps would fire falsely while a large λ
        keeps them short). This bounds the next step, not the error in x: where Gauss–Newton
        converges quadratically the error is far smaller, but with a linear rate q the
        remaining error is about ‖p‖·q/(1 − q), much larger than the step when q is near 1
        (chapter 06). A *rejected* step that short, or one whose predicted reduction is below
        ε·F, ends the loop too (more damping cannot help), if it moves no parameter by more
        than its own size (|p_j| ≤ max(|x_j|, xtol·max(|x₀_j|, 1)); along a faded column a
        step can be short in ‖Dp‖ and huge in x): status 5 if the Gauss–Newton
        step promises no more than the rounding noise of F just seen, −3 if x diverges,
        −4 if F stopped decreasing at its rounding level (with central differences only after
        they have been taken again with 10 times longer steps at x, 2n evaluations: where the
        true J is rank deficient their rounding noise stands in for its zero singular values,
        promising reductions no step delivers; singular values that the longer steps do not
        reproduce are noise, and if the promise in the others is within F's rounding the
        status is 5), −2 if jac contradicts fun: with a
        callable jac only after J has been compared with central differences at x (2n + 2
        evaluations, counted in nfev; the rounding of r measured by a second difference),
        and −4 where it agrees with them or the budget has no room for the check.
    gtol : stop when max_j |J_jᵀr| / (‖J_j‖‖r‖) ≤ gtol: the largest cosine between r and a
        column of J (MINPACK's test; invariant to the units of the parameters).
    max_nfev : the most evaluations of fun, difference Jacobians included; never exceeded.
        Default 500·(n + 1) rounds of a residual and a Jacobian (MINPACK: 100·(n + 1),
        which stops Osborne's MGH17 from NIST's start 1 short). Must allow at least r(x₀)
        and one difference Jacobian of the stopping decisions: 1 + n (forward), 1 + 2n
        (central, and ``"broyden"``, whose first Jacobian is forward but whose decisions are
        taken on central differences).
    callback : ``callback(step)`` after every trial step (a :class:`Step`); returning
        True (Python's or numpy's) stops the loop (status −1); any other answer, None
        included, lets it go on.

    Returns
    -------
    LMResult
        Never a point with a larger cost than x0; ``history`` holds every trial step.

    References
    ----------
    Levenberg (1944); Marquardt (1963); Moré (1978); Nielsen (1999);
    Madsen, Nielsen & Tingleff (2004), Algorithm 3.16; Nocedal & Wright (2006), §10.3.
    """
    f, jacobian, x, r, evals_per_jac, counter = _prepare(fun, x0, jac, args, kwargs)
    _check_tolerances(ftol=ftol, xtol=xtol, gtol=gtol)
    max_nfev = _check_max_nfev(max_nfev, x.size, evals_per_jac)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    strategy = make_damping(damping)
    scaling = _Scaling(scale, x.size)

    cost = 0.5 * (r @ r)                                        # F(x) = ½‖r‖²
    J = jacobian(x, r)
    with np.errstate(all="ignore"):               # (at an x₀ of extreme size, s² or g may overflow to inf, harmlessly)
        D, g, g_inf, sub = _linearize(scaling, r, J)            # D, g = Jᵀr, ‖g‖∞, J D⁻¹ = USVᵀ
        strategy.start(sub, x)
    history: list[Step] = []
    nit = 0                                                         # accepted steps so far
    # J analytic or differenced at x (fresh), by the method the stopping tests trust (exact):
    # with jac="broyden" J is forward differences or a secant update between such decisions
    exact, fresh, secant, deciding = not jacobian.broyden, True, False, False
    tests = _StoppingTests(ftol, xtol, gtol, max_nfev, callback, cost,
                           np.maximum(np.abs(x), 1.0), counter.eps_F, differenced=evals_per_jac > 0)
    with np.errstate(all="ignore"):
        status = tests.at_start(g, sub, counter.n + 1 + evals_per_jac)
    if (status == 1 or not sub.col_norms.all()) and not exact and counter.n + evals_per_jac <= max_nfev:
        J, exact = jacobian(x, r), True           # x₀ stationary, or a zero column? central differences
        D, g, g_inf, sub = _linearize(scaling, r, J)
        with np.errstate(all="ignore"):
            strategy.start(sub, x)
        status = tests.at_start(g, sub, counter.n + 1 + evals_per_jac)
    elif status == 1 and not exact:
        status = 0                          # (no budget left to decide it on central differences)
    with np.errstate(all="ignore"):                                 # overflow at a trial point is
        while status is None:                                       # just a rejected step
            p, lam = strategy.propose(sub)                          # 1. damped step (JᵀJ + λD²)p = −g
            Delta = strategy.Delta                                  #    (its radius, if any)
            x_new = x + p                                           # 2. trial point
            r_new = f(x_new)
            cost_new = _cost(r_new)                                 #    F(x + p); inf if not finite
            predicted = 0.5 * _sq(J @ p) + lam * _sq(D * p)         # 3. L(0) − L(p), see below
            actual = cost - cost_new                                # 4. F(x) − F(x + p)
            rho = actual / predicted if predicted > 0 else -np.inf  # 5. gain ratio ρ
            if rho > 0:                                             # 6. accept a decrease …
                secant = jacobian.broyden and not deciding          # (jac="broyden": a secant
                J_new = (broyden_update(J, p, r_new - r) if secant  #    update, or differences
                         else jacobian(x_new, r_new))               #    to decide a stop) …
                if not _usable(J_new):
                    rho = -np.inf                                   #    … where J is finite
            strategy.update(rho, p, sub)                            # 7. adapt λ (or Δ) from ρ
            near_gn = _sq(D * p) ** 0.5 >= 0.99 * sub.gauss_newton_norm()  # (for the ftol test)
            step = Step(nit, x, cost, lam, Delta, p, cost_new, predicted, actual,
                        rho, rho > 0, g_inf, counter.n, D)
            history.append(step)
            refresh = not (step.accepted or fresh) and counter.n + 2 * evals_per_jac < max_nfev
            if step.accepted:                                       # 8. move to x + p
                x, r, cost, J = x_new, r_new, cost_new, J_new
                nit += 1
                fresh = not secant
                exact = fresh and (deciding or not jacobian.broyden)
            elif refresh:                                           #    (a secant J that failed
                J, fresh = jacobian.between(x, r), True             #    is differenced anew)
            if step.accepted or refresh:                             # (is J a secant estimate?)
                D, g, g_inf, sub = _linearize(scaling, r, J, measured=not (step.accepted and secant))
            status = tests.after(step, x, r, g, D, sub, near_gn,      # 9. stop?
                                 counter.n + 1 + evals_per_jac)
            if status == -2 and evals_per_jac == 0:                 #    (jac blamed: checked first
                status = _blame_jac(f, x, r, J, counter.eps_F, counter.n + 2 * x.size + 2 <= max_nfev)
            if (status == -4 and tests.allowance is not None and exact and jacobian.coarser is not None
                    and counter.n + evals_per_jac <= max_nfev):      #    (differencing noise? checked)
                status = _resolved_verdict(jacobian.coarser(x, r), sub, tests.allowance)
            deciding = status not in (None, 0, -1) and not exact and counter.n + evals_per_jac <= max_nfev
            if deciding:                                            #    (decide on central differences,
                J, exact, fresh = jacobian(x, r), True, True        #    here and at the next point,
                D, g, g_inf, sub = _linearize(scaling.forget_estimates(), r, J)   # not on a secant J or D)
                status = tests.at_point(x, g, D, sub, cost)
            if status in (3, 5) and scaling.stale(sub.col_norms, counter.eps_F):
                D, g, g_inf, sub = _linearize(scaling.restart(), r, J)   # (decided on D = ‖J_j‖ at x,
                status = tests.at_point(x, g, D, sub, cost)                #  not on a D left behind)
            if status is None and counter.n + 1 + evals_per_jac > max_nfev:
                status = 0                          # (a decision taken again, within the budget)
    # Line 3: for the exact damped step, −gᵀp = ‖Jp‖² + λ‖Dp‖², so L(0) − L(p) =
    # −gᵀp − ½‖Jp‖² = ½‖Jp‖² + λ‖Dp‖², a sum of positive terms with no cancellation.

    return LMResult(
        x=x, cost=float(cost), fun=r, jac=J, grad=g, nfev=counter.n,
        njev=counter.njev, nit=nit,
        status=status, message=STATUS_MESSAGES[status], success=status > 0,
        history=history, x0=np.array(x0, dtype=float), damping=repr(strategy),
    )


# ---------------------------------------------------------------------------------------
# stopping tests


@dataclass
class _StoppingTests:
    """The user's tolerances and the tests that end the loop (Moré 1978, §7)."""

    ftol: float
    xtol: float
    gtol: float
    max_nfev: int
    callback: Optional[Callable]
    cost0: float  #: F(x₀), the scale against which a residual counts as rounding noise
    x0_size: np.ndarray  #: max(|x₀_j|, 1): the scale against which x counts as running off
    eps_F: float  #: relative rounding of F: machine ε of fun's output type (float32: 1.2e-7)
    differenced: bool = False  #: J comes from differences of fun (jac not given)
    stalled: int = 0  #: trial steps in a row that changed F by no more than its rounding level
    noise: float = 0.0  #: the largest change of F in those steps: a sample of F's rounding noise
    allowance: Optional[float] = None  #: with a −4 on a difference J: the rounding noise of F it was judged by

    def at_start(self, g, sub, nfev_next) -> Optional[int]:
        """Status before the first trial: x₀ already stationary (the gradient test, MINPACK's
        gtol test, which also catches r = 0 exactly), or no budget for a trial."""
        if sub.cosine(g) <= self.gtol and not self._unseen(sub):
            return 1
        return 0 if nfev_next > self.max_nfev else None

    def at_point(self, x, g, D, sub, F: float) -> Optional[int]:
        """The tests on x and J alone: the Gauss–Newton step is tiny (xtol, 3), the gradient
        test (1), or the Gauss–Newton step promises no more than F's precision (5, or −3 if
        x runs off)."""
        if sub.gauss_newton_norm() <= self.xtol * _sq(D * x) ** 0.5:
            status = 3
        elif sub.cosine(g) <= self.gtol:                           # gradient test
            status = 1
        elif sub.gauss_newton_reduction() <= max(self.ftol, NOISE_SAMPLES * self.eps_F) * F:
            status = 5
        else:
            return None
        # no success while x runs off (but a residual at its rounding floor is a minimizer)
        if self._diverged(x, sub, far=not self._at_floor(F)):
            return -3
        return -4 if self._unseen(sub) else status

    def after(self, step: Step, x, r, g, D, sub, near_gn: bool, nfev_next: int) -> Optional[int]:
        """The status that ends the loop after ``step``, or None to go on. ``nfev_next`` is
        the evaluation count after one more trial and its Jacobian: the loop stops before
        it would exceed ``max_nfev``."""
        self.allowance = None
        if self.callback is not None and _is_true(self.callback(step)):
            return -1
        # MINPACK's order: the tests on the step (ftol, xtol) before the gradient test
        # ftol only for a nearly undamped step: a heavily damped step predicts little
        # progress merely because it is short, not because F cannot decrease further
        tiny = max(self.ftol, NOISE_SAMPLES * self.eps_F) * step.cost   # not below F's rounding
        if near_gn and step.predicted <= tiny and abs(step.actual) <= tiny and step.rho <= 2:
            return 2
        F = step.cost if not step.accepted else step.cost_trial    # F at x
        status = self.at_point(x, g, D, sub, F)
        if status is not None:
            return status
        promised = sub.gauss_newton_reduction()                      # the most any step can gain
        # F changed only at its rounding level: STALL_STEPS such trials in a row end the loop;
        # the largest of their changes is the sample of F's rounding noise (one can be small by chance)
        stalled = abs(step.actual) <= NOISE_SAMPLES * self.eps_F * step.cost
        self.stalled = self.stalled + 1 if stalled else 0
        self.noise = max(self.noise, abs(step.actual)) if self.stalled > 1 else abs(step.actual)
        if self.stalled >= STALL_STEPS:
            nothing_left = promised <= NOISE_SAMPLES * self.noise
            return self._why_no_decrease(step, r, g, x, sub, nothing_left, NOISE_SAMPLES * self.noise)
        if not step.accepted:
            # a step that moves a parameter by more than its own size is no rounding-level
            # trial, however short in ‖Dp‖ (along a column that has faded, D_j is tiny) or
            # little it promised (where J is nearly zero): its failure says the model fails at
            # that length, and a shorter step may succeed
            small = bool(np.all(np.abs(step.p) <= np.maximum(np.abs(x), self.xtol * self.x0_size)))
            rounding = small and step.predicted <= self.eps_F * F      # promised less than F's rounding
            Dx = _sq(D * x) ** 0.5
            # more damping cannot help (nor can a step below fun's own precision, float32: 1.2e-7)
            negligible = small and _sq(D * step.p) ** 0.5 <= max(self.xtol, self.eps_F) * Dx
            if rounding or negligible:
                # the change of F at such a short step is rounding noise: one sample of its size
                # (a change beyond √ε·F, an overflow included, is none: F's rounding is far below)
                noise = NOISE_SAMPLES * abs(step.actual) if abs(step.actual) <= np.sqrt(self.eps_F) * F else 0.0
                # (or r has fallen to the rounding level of r(x₀): ‖r‖ ≤ 10ε‖r(x₀)‖)
                nothing_left = promised <= noise or self._at_floor(F)
                return self._why_no_decrease(step, r, g, x, sub, nothing_left, noise)
            if np.array_equal(step.x + step.p, step.x):
                return 4
        return 0 if nfev_next > self.max_nfev else None

    def _diverged(self, x, sub, far: bool = True) -> bool:
        """x runs off towards infinity: some parameter has grown beyond 1000 times its start,
        max(|x₀_j|, 1), while F no longer depends on it (its column of J has fallen below √ε
        of its largest norm so far, D_j, and ½‖J_j x_j‖² ≤ ε·F), or beyond 1/√ε times it while J is numerically rank
        deficient (F then decreases along a direction the linear model has lost, as when
        parameters cancel on their way to infinity), or beyond CANCEL_GROWTH times it while the
        parameters cancel: their first-order contributions to the model nearly sum to zero,
        ‖Σ_j J_j x_j‖ ≤ CANCELLED·max_j ‖J_j‖|x_j| (the sum over all parameters, or over the
        grown ones if two or more have grown: :func:`_cancel`), with J D⁻¹ ill-conditioned (its smallest
        singular value ≤ √ε times its largest): x runs off along a valley where the terms grow
        and cancel (a·e^{−bt} + c with a ≈ −c → ∞, b → 0, tending to a line), where F changes
        only at its rounding level, which such a cancellation raises. Growth alone is no evidence:
        a minimizer may lie far from x₀, where J has full rank, and neither is cancellation alone
        (a line fitted against years: J well conditioned) nor rank deficiency alone (an
        over-parametrized model, x₁x₂t: no cancellation). ``far=False`` leaves the last two
        cases out."""
        grown = np.abs(x) / self.x0_size
        # faded: below √ε of its largest norm so far, and F no longer depends on x_j to its
        # precision: ‖J_j‖|x_j| ≤ √ε‖r‖, so removing x_j changes F by at most ε·F beyond the
        # first-order term (½‖J_j x_j‖² ≤ ε·½‖r‖²). A minimizer far from a start where J was
        # huge has columns far below their D_j too, but F still depends on its parameters
        faded = ((sub.col_norms <= np.sqrt(self.eps_F) * sub.D)
                 & (sub.col_norms * np.abs(x) <= np.sqrt(self.eps_F * _sq(sub.r))))
        cancelling = (np.any(grown > CANCEL_GROWTH)                                    # grown,
                      and (not sub.full_rank or sub.s[-1] <= np.sqrt(self.eps_F) * sub.s[0])  # ill,
                      and _cancel(sub.J, x, sub.col_norms, grown > CANCEL_GROWTH))        # cancelling
        far = far and ((np.any(grown > 1 / np.sqrt(self.eps_F)) and not sub.full_rank) or cancelling)
        return bool(far or np.any((grown > 1e3) & faded))

    def _at_floor(self, F: float) -> bool:
        """F at the rounding floor of a zero residual: ‖r‖ ≤ 10ε‖r(x₀)‖."""
        return F <= (NOISE_SAMPLES * self.eps_F) ** 2 * self.cost0

    def _unseen(self, sub) -> bool:
        """A difference Jacobian with an exactly zero column while r ≠ 0: the step was below the
        rounding of r, or F does not depend on that parameter; the two cannot be told apart, so
        x is not shown stationary in it (no success is claimed; status −4)."""
        return self.differenced and sub.frozen is not None and bool(sub.r.any())

    def _why_no_decrease(self, step: Step, r, g, x, sub, nothing_left: bool, allowance: float) -> int:
        """A failed step after which no shorter step can help, or a stall: is x running off
        (−3), a minimizer to F's precision (5), stopped by rounding (−4), or does jac
        contradict fun (−2)? ``allowance``: the rounding noise of F that the promise of the
        Gauss–Newton step was compared with; kept in ``self.allowance`` with a −4 given on a
        difference J, for the loop to ask whether that promise lies in directions the
        differences resolve at all (:func:`_resolved_verdict`)."""
        self.allowance = None
        if self._diverged(x, sub):
            return -3
        if nothing_left:                   # no step promises a reduction beyond F's precision
            return -4 if self._unseen(sub) else 5
        if step.predicted <= NOISE_SAMPLES * self.eps_F * step.cost or sub.cosine(g) <= CONSISTENT_COSINE:
            if self.differenced and not self._unseen(sub):    # (as at_point's test 5 at least)
                self.allowance = max(allowance, max(self.ftol, NOISE_SAMPLES * self.eps_F) * 0.5 * _sq(r))
            return -4                      # failures at the rounding level of F (10ε·F, as a stall)
        return -2                          # clear predicted decrease, yet even tiny steps fail


def _blame_jac(f, x, r, J, eps_F: float, budget: bool) -> int:
    """Status −2 ("jac does not match fun") only if it does not: J is compared with central
    differences at x by lm.check_jacobian's verdict (lm.jacobians.compare_with_differences;
    Nocedal & Wright 2006, §8.1), allowing for the rounding of r measured by a second
    difference (lm.jacobians.rounding_of_r): 2n + 2 evaluations of fun, counted in nfev. If J
    agrees with them, the failures are F's rounding (a residual that is a small difference of
    large terms is noisier than 10ε·F): −4. Without budget for the check, −4 too: the blame is
    not claimed unchecked. This is lm's own rule."""
    if not budget:
        return -4
    noise = rounding_of_r(f, x, r, eps_F)                    # r's own rounding, measured (2 calls)
    J_fd = central(f, x, r, eps=eps_F)                       # (2n calls)
    return -2 if not compare_with_differences(J, J_fd, x, r, eps_F, r_noise=noise).ok else -4


def _resolved_verdict(J_coarse: np.ndarray, sub: Subproblem, allowance: float) -> int:
    """Status 5 or −4 where F stopped decreasing at its rounding level on a difference J while
    the Gauss–Newton step promised more: is that promise real, or differencing noise?

    Where the true Jacobian is rank deficient (a rank-deficient linear model, parameters that
    only enter as a product), central differences give J D⁻¹ singular values of the size of
    their rounding error instead of zeros, and r has components of the size of F along their
    directions: the Gauss–Newton step promises reductions that no step delivers. Rounding noise
    in a difference shrinks as its step grows, a real singular value does not: ``J_coarse``,
    the same differences with RESOLVING_STEP times longer steps (2n evaluations), reproduces
    a real singular value (within a factor 2) and not the noise. Only the directions it
    reproduces count: if their promise is within ``allowance`` (the rounding noise of F the
    run measured), x is a minimizer to F's precision (5); otherwise −4 stands. This is lm's
    own rule."""
    s2 = np.linalg.svd(J_coarse / sub.D, compute_uv=False)
    kept = (sub.s > sub.cutoff) & (s2 >= 0.5 * sub.s) & (s2 <= 2.0 * sub.s)
    return 5 if 0.5 * _sq(sub.c[kept]) <= allowance else -4


def _cancel(J: np.ndarray, x: np.ndarray, col_norms: np.ndarray, grown: np.ndarray) -> bool:
    """The parameters' first-order contributions J_j x_j cancel: all of them, or those of the
    grown ones (at least two), sum to at most CANCELLED times the largest, ‖Σ_j J_j x_j‖ ≤
    CANCELLED·max_j ‖J_j‖|x_j|. All of them: a·e^{−bt} + c with a ≈ −c → ∞, b → 0. The grown
    ones: x running off along a ray on which the model is constant, as a ratio whose numerator
    and denominator parameters grow together (Kowalik–Osborne's x₁(u² + u x₂)/(u² + u x₃ + x₄)
    with x₁, x₃, x₄ → ∞; there x₂'s own contribution keeps the whole sum large)."""
    largest = CANCELLED * np.max(col_norms * np.abs(x))
    if _sq(J @ x) ** 0.5 <= largest:
        return True
    return int(grown.sum()) >= 2 and _sq(J[:, grown] @ x[grown]) ** 0.5 <= largest


def _is_true(answer) -> bool:
    """Whether a callback's answer asks to stop: True, or numpy's True (a comparison such as
    ``step.cost < 1.0`` on numpy floats gives ``np.True_``). Anything else, None included (a
    callback that only records), lets the loop go on."""
    return answer is True or (isinstance(answer, np.bool_) and bool(answer))


def _cosine(g, J, r, col_norms=None) -> float:
    """max_j |J_jᵀr| / (‖J_j‖ ‖r‖): the largest cosine between r and a column J_j of J
    (0 for r = 0; zero columns are skipped). ``col_norms``: the ‖J_j‖, if known."""
    return largest_cosine(g, r, column_norms(J) if col_norms is None else col_norms, J)


def _cost(r: np.ndarray) -> float:
    """½‖r‖², or +inf when r has NaN or inf (such a trial point is simply rejected)."""
    c = 0.5 * _sq(r)
    return c if math.isfinite(c) else math.inf


def _all_finite(A: np.ndarray) -> bool:
    """Whether every entry of A is finite. A NaN or ±inf entry makes the sum NaN or ±inf,
    so a finite sum settles it in one pass; only a sum that overflows needs the full test."""
    return math.isfinite(A.sum()) or bool(np.isfinite(A).all())


def _usable(J: np.ndarray) -> bool:
    """Whether J is finite and so are its column norms (Marquardt's D): beyond the largest
    float, D, ‖Dx‖ and the tests measured with them would be inf. (‖J‖_F² finite settles it in
    one pass: every entry and every column norm is then finite.)"""
    if math.isfinite(float(np.vdot(J, J))):
        return True
    return _all_finite(J) and bool(np.isfinite(column_norms(J)).all())


def _linearize(scaling: "_Scaling", r: np.ndarray, J: np.ndarray, measured: bool = True) -> tuple:
    """What depends on the iterate alone (the initialization and line 8): the scaling D
    (from the column norms of J), g = Jᵀr, ‖g‖∞ (for the records) and the subproblem,
    whose one SVD of J D⁻¹ serves every trial step from this x. Computed once per iterate,
    not once per trial step."""
    col_norms = column_norms(J)
    D = scaling.update(J, col_norms, measured)                  # D² ≥ diag(JᵀJ), never shrinking
    g = J.T @ r                                                 # g = Jᵀr
    return D, g, float(np.abs(g).max()), Subproblem(r, J, D, col_norms)


# ---------------------------------------------------------------------------------------
# scaling D


class _Scaling:
    """The diagonal scaling D: Levenberg's identity, Marquardt's column norms, or fixed."""

    def __init__(self, scale, n: int):
        if isinstance(scale, str):
            if scale.lower() not in ("marquardt", "levenberg"):
                raise ValueError(f"unknown scale {scale!r}; expected 'marquardt', 'levenberg' or a vector of {n} positive numbers")
            self.kind, self.D = scale.lower(), np.zeros(n)
        else:
            D = np.asarray(scale, dtype=float)
            if D.shape != (n,) or not np.all(np.isfinite(D)) or np.any(D <= 0):
                raise ValueError(f"scale must be 'marquardt', 'levenberg' or {n} positive finite numbers, got {scale!r}")
            self.kind, self.D = "fixed", D
        self.measured = np.zeros(n)  # D's column norms, over evaluated or differenced Jacobians only

    def stale(self, col_norms: np.ndarray, eps: float) -> bool:
        """Whether Marquardt's D (the largest column norms seen) is left behind: some nonzero
        column of J has fallen below √ε of its D_j. The tests that measure with D (xtol, and
        which singular values of J D⁻¹ count as rounding) then judge x by a region the run
        has left (after a start where J was huge)."""
        return self.kind == "marquardt" and bool(np.any((col_norms > 0) & (col_norms < np.sqrt(eps) * self.D)))

    def restart(self) -> "_Scaling":
        """Forget the largest column norms seen: the next D is the column norms at x."""
        self.D, self.measured = np.zeros_like(self.D), np.zeros_like(self.D)
        return self

    def forget_estimates(self) -> "_Scaling":
        """Forget the column norms of secant Jacobians (jac="broyden"): estimates that can be
        far off, which D then keeps for the rest of the run, and with it the tests that measure
        x and p_GN with D. The next D is the largest column norms of evaluated or differenced
        Jacobians (the same D when there were no secant updates)."""
        if self.kind == "marquardt":
            self.D = self.measured.copy()
        return self

    def update(self, J: np.ndarray, col_norms: Optional[np.ndarray] = None, measured: bool = True) -> np.ndarray:
        """D at a new iterate; ``col_norms``: the ‖J_j‖, if already computed; ``measured``:
        J was evaluated or differenced, not a secant update."""
        if self.kind == "levenberg":
            return np.ones(J.shape[1])
        if self.kind == "marquardt":
            # the largest column norm seen so far (Moré 1978, eq. 6.3); 1 for a zero column
            norms = column_norms(J) if col_norms is None else col_norms
            self.D = np.maximum(self.D, norms)
            if measured:
                self.measured = np.maximum(self.measured, norms)
            return self.D if (self.D > 0).all() else np.where(self.D > 0, self.D, 1.0)
        return self.D


# ---------------------------------------------------------------------------------------
# argument checking


class _Counter:
    n = 0  # calls of fun
    njev = 0  # Jacobian evaluations
    eps_F = float(np.finfo(float).eps)  # machine ε of the type fun computes in


def _prepare(fun, x0, jac, args, kwargs):
    """Check the user's input and wrap fun and jac; returns the wrapped callables, x0, r(x0)."""
    if not callable(fun):
        raise TypeError(f"fun must be callable (x -> residual vector), got {type(fun).__name__}")
    if not isinstance(args, tuple):
        raise TypeError(f"args must be a tuple, got {type(args).__name__}")
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(kwargs, dict):
        raise TypeError(f"kwargs must be a dict, got {type(kwargs).__name__}")
    x = _check_x0(x0)
    counter = _Counter()

    def f(z):
        counter.n += 1
        r = np.asarray(fun(z, *args, **kwargs))
        if r.shape != shape:
            raise ValueError(f"fun returned shape {r.shape} at x = {z}, but {shape} at x0")
        return r.astype(float) if r.dtype.kind != "c" else r

    r = np.asarray(fun(x, *args, **kwargs))
    counter.n = 1
    if r.ndim != 1 or r.size == 0 or r.dtype.kind not in "biuf":
        hint = " (return the residual vector r, not the cost ½‖r‖²)" if r.ndim == 0 else ""
        raise ValueError(f"fun must return a non-empty 1-D real array of residuals, got shape {r.shape} dtype {r.dtype}{hint}")
    counter.eps_F = precision(r)
    r = r.astype(float)
    shape = r.shape
    if not np.all(np.isfinite(r)):
        raise ValueError(f"fun returned non-finite residuals at x0 (NaN or inf at indices {np.flatnonzero(~np.isfinite(r))[:10].tolist()}); choose a starting point where the model is defined")
    with np.errstate(over="ignore"):
        overflows = not math.isfinite(0.5 * float(r @ r))
    if overflows:
        raise ValueError(f"F(x0) = ½‖r(x0)‖² overflows to inf (the largest |r_i| is {np.abs(r).max():.3g}); "
                         "rescale the residuals (divide them by a typical size) or choose another x0")

    if jac is None:
        jac = "3-point"
    if callable(jac):
        user_jac, evals_per_jac = jac, 0

        def jacobian(z, rz):
            counter.njev += 1
            J = _dense_real(user_jac(z, *args, **kwargs))
            if J.shape != (shape[0], x.size):
                raise ValueError(f"jac returned shape {J.shape}, expected {(shape[0], x.size)} (m residuals × n parameters)")
            return J
    elif isinstance(jac, str):
        if jac not in JACOBIAN_METHODS:
            raise ValueError(f"unknown jac {jac!r}; expected a callable or one of {sorted(JACOBIAN_METHODS)}")
        method = JACOBIAN_METHODS[jac]
        evals_per_jac = {"2-point": 1, "3-point": 2, "cs": 1, "broyden": 2}[jac] * x.size

        # a parameter that shrinks below 1/1000 of its start is differenced on that floor; one
        # that starts at 0 on the floor 1 (MINPACK: a step of √ε·|x_j|, or √ε where x_j = 0)
        typical = np.where(x != 0, 1e-3 * np.abs(x), 1.0)

        def differences(method):
            def jacobian(z, rz):
                counter.njev += 1
                return method(f, z, rz, typical, counter.eps_F)   # steps for fun's precision
            return jacobian

        jacobian = differences(method)
    else:
        raise TypeError(f"jac must be a callable, a method name or None, got {type(jac).__name__}")
    # jac="broyden" starts from forward differences: the secant updates change J at once, and
    # every stopping decision is taken on central differences while the budget leaves room
    between = differences(forward) if jac == "broyden" else None
    J0 = (between or jacobian)(x, r)
    if not np.all(np.isfinite(J0)):
        raise ValueError("the Jacobian at x0 has NaN or inf entries; check jac or choose another x0")
    with np.errstate(over="ignore"):
        usable = _usable(J0)
    if not usable:
        raise ValueError(f"the column norms of the Jacobian at x0 overflow to inf (its largest |entry| is "
                         f"{np.abs(J0).max():.3g}); rescale the parameters or the residuals, or choose another x0")
    wrapped = _first_call_cached(jacobian, x, J0)
    wrapped.broyden = jac == "broyden"        # secant updates between difference Jacobians
    # J at a new point between stopping decisions; with jac="broyden" forward differences
    wrapped.between = between or wrapped
    # central differences with RESOLVING_STEP times longer steps: is a small singular value real?
    wrapped.coarser = (differences(lambda f_, z, rz, typ, eps: central(f_, z, rz, typ, eps, scale=RESOLVING_STEP))
                       if jac in ("3-point", "broyden") else None)
    return f, wrapped, x, r, evals_per_jac, counter


def _dense_real(J) -> np.ndarray:
    """The user's Jacobian as a dense float array: a scipy.sparse matrix is densified (this
    solver's SVD works on dense J); complex entries are refused, not silently truncated."""
    if hasattr(J, "toarray"):
        J = J.toarray()
    J = np.asarray(J)
    if np.iscomplexobj(J):
        raise TypeError("jac returned complex values; return the real Jacobian of the real residuals "
                        "(for complex-step differences use jac='cs')")
    return J.astype(float, copy=False)


def _first_call_cached(jacobian, x0, J0):
    """Return J0 (already computed while checking) for the first call at x0."""
    state = {"fresh": True}

    def wrapped(z, rz):
        if state.pop("fresh", False) and np.array_equal(z, x0):
            return J0
        return jacobian(z, rz)

    return wrapped


def _check_x0(x0) -> np.ndarray:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"x0 must be a sequence of real numbers, got {x0!r}") from None
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array of parameters, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite, got {x}")
    return x


def _check_tolerances(**tols) -> None:
    for name, value in tols.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")


def _check_max_nfev(max_nfev, n: int, evals_per_jac: int) -> int:
    if max_nfev is None:
        return 500 * (n + 1) * (1 + evals_per_jac)
    if isinstance(max_nfev, bool) or not isinstance(max_nfev, numbers.Integral) or max_nfev < 1:
        raise ValueError(f"max_nfev must be a positive integer or None, got {max_nfev!r}")
    if max_nfev < 1 + evals_per_jac:
        raise ValueError(f"max_nfev = {max_nfev} cannot pay for r at x0 and one Jacobian of this jac's stopping "
                         f"decisions ({1 + evals_per_jac} evaluations; with jac='broyden' a central one, 2n); "
                         f"give at least {1 + evals_per_jac}")
    return int(max_nfev)
