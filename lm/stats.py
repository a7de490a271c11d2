"""Statistics at a least-squares solution: covariance, standard errors, correlation,
reduced χ², and confidence/prediction bands for the fitted curve.

With residuals r = y − model (unweighted) or r = (y − model)/σ (weighted), the linearized
covariance of the parameters is

    C = s² (JᵀJ)⁻¹,   s² = ‖r‖² / (m − n)          (relative σ: the data set the scale)
    C =    (JᵀJ)⁻¹                                  (absolute σ: the σ are known exactly)

as ``scipy.optimize.curve_fit``'s ``absolute_sigma``. (JᵀJ)⁻¹ is formed from the SVD
J = U S Vᵀ as V S⁻² Vᵀ, never by inverting JᵀJ, which would square the condition number.

References: Bates & Watts (1988) ch. 2; Nocedal & Wright (2006) §10.3; NIST StRD
(certified standard deviations are √diag(C) with relative σ).
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

__all__ = ["covariance", "standard_errors", "correlation", "reduced_chi2", "confidence_band",
           "t_quantile", "lre"]


def _check(J, r):
    J, r = np.asarray(J, dtype=float), np.asarray(r, dtype=float)
    if J.ndim != 2 or r.ndim != 1 or J.shape[0] != r.size:
        raise ValueError(f"need J of shape (m, n) and r of shape (m,), got {J.shape} and {r.shape}")
    return J, r


def reduced_chi2(r, n: int) -> float:
    """s² = ‖r‖² / (m − n): the reduced χ² when r is weighted by σ (≈ 1 for a good model)."""
    r = np.asarray(r, dtype=float)
    dof = r.size - n
    if dof <= 0:
        raise ValueError(f"need more residuals than parameters for s², got m = {r.size}, n = {n}")
    return float(r @ r) / dof


def covariance(J, r, absolute_sigma: bool = False) -> np.ndarray:
    """Parameter covariance s²(JᵀJ)⁻¹ (or (JᵀJ)⁻¹ with ``absolute_sigma=True``).

    Raises ValueError when J has rank < n (some parameter combination is not determined by
    the data, its variance is infinite) or m ≤ n without absolute σ.

    References: Bates & Watts (1988) §2.3; ``scipy.optimize.curve_fit``.
    """
    J, r = _check(J, r)
    m, n = J.shape
    U, s, Vt = np.linalg.svd(J, full_matrices=False)
    if s.size < n or s[-1] <= np.finfo(float).eps * max(m, n) * s[0]:
        raise ValueError("J is rank deficient at the solution: the covariance does not exist "
                         "(some parameter combination is not determined by the data)")
    inv = (Vt.T / s**2) @ Vt                               # (JᵀJ)⁻¹ = V S⁻² Vᵀ
    return inv if absolute_sigma else reduced_chi2(r, n) * inv


def standard_errors(J, r, absolute_sigma: bool = False) -> np.ndarray:
    """Standard errors √diag(C) of the parameters."""
    return np.sqrt(np.diag(covariance(J, r, absolute_sigma)))


def correlation(C) -> np.ndarray:
    """Correlation matrix C_ij / √(C_ii C_jj) of a covariance matrix."""
    C = np.asarray(C, dtype=float)
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d)


def t_quantile(level: float, dof: int) -> float:
    """Two-sided Student-t quantile t_{dof, (1+level)/2} (SciPy when present, else normal)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    try:
        from scipy.stats import t
        return float(t.ppf(0.5 + level / 2, dof))
    except ImportError:  # pragma: no cover - SciPy is in requirements.txt
        from statistics import NormalDist
        return NormalDist().inv_cdf(0.5 + level / 2)


def confidence_band(model_jac: Callable, b, x, C, level: float = 0.95, dof: Optional[int] = None,
                    s2: Optional[float] = None) -> np.ndarray:
    """Half-width of the pointwise confidence band of the fitted curve at points ``x``.

    By the delta method, Var ŷ(x) = G C Gᵀ with G = ∂model/∂b at x, so the half-width is
    t·√diag(G C Gᵀ). Give ``s2`` (the residual variance) to get the wider *prediction*
    band t·√(diag(G C Gᵀ) + s²) for a new observation. Without ``dof`` the normal quantile
    is used.

    References: Bates & Watts (1988) §2.3.
    """
    G = np.atleast_2d(np.asarray(model_jac(np.asarray(b, dtype=float), x), dtype=float))
    C = np.asarray(C, dtype=float)
    if G.shape[1] != C.shape[0]:
        raise ValueError(f"model_jac gave {G.shape[1]} columns but C is {C.shape}")
    var = np.einsum("ij,jk,ik->i", G, C, G) + (s2 or 0.0)
    t = t_quantile(level, dof) if dof else t_quantile(level, 10**9)
    return t * np.sqrt(var)


def lre(x, reference, cap: float = 15.0) -> np.ndarray:
    """Log relative error −log₁₀(|x − c| / |c|): the number of significant digits x shares
    with the reference c, per element, clipped to [0, cap] (a non-finite x scores 0).

    References: McCullough (1998), "Assessing the reliability of statistical software",
    The American Statistician 52(4); the NIST StRD documentation.
    """
    x, c = np.asarray(x, dtype=float), np.asarray(reference, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.where(np.isfinite(x), np.abs(x - c) / np.abs(c), 1.0)
        digits = -np.log10(np.maximum(err, 10.0**-cap))
    return np.clip(np.nan_to_num(digits, nan=0.0), 0.0, cap)
