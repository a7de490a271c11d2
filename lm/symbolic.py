"""SymPy bridge: turn symbolic residuals into the numeric ``fun`` and ``jac`` the solver takes.

A chapter derives a model with SymPy, then hands it straight to the solver:

    >>> import sympy as sp, numpy as np, lm
    >>> a, k, t = sp.symbols("a k t")
    >>> fun, jac = lm.symbolic.from_sympy(y - a*sp.exp(-k*t), [a, k], data={t: t_data, y: y_data})

The Jacobian is differentiated symbolically (``Matrix.jacobian``) and both are compiled with
``lambdify``, so ``jac`` is exact, not a difference approximation.

References: Meurer et al. (2017), "SymPy: symbolic computing in Python"; the residual and
Jacobian definitions follow Nocedal & Wright (2006) §10.1.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

__all__ = ["from_sympy", "jacobian_matrix"]


def jacobian_matrix(residuals, params):
    """The symbolic m×n Jacobian ∂r_j/∂x_i of a list (or Matrix) of residual expressions."""
    import sympy as sp

    r = sp.Matrix(residuals) if not isinstance(residuals, sp.MatrixBase) else residuals.reshape(len(residuals), 1)
    return r.jacobian(sp.Matrix(list(params)))


def from_sympy(residuals, params: Sequence, data: Mapping | None = None,
               constants: Mapping | None = None) -> tuple[Callable, Callable]:
    """Numeric ``fun(x) -> r`` and ``jac(x) -> J`` from SymPy expressions.

    Parameters
    ----------
    residuals : one expression (with ``data`` symbols: one residual per data point) or a
        sequence of expressions (one residual each).
    params : the parameter symbols, in the order of x.
    data : optional mapping {symbol: array}; the residual expression is evaluated
        elementwise over the arrays (all of the same length m).
    constants : optional mapping {symbol: number} substituted before compiling.

    Returns
    -------
    fun, jac : callables of x (n,) giving r (m,) and J (m, n), ready for
        :func:`lm.levenberg_marquardt`.
    """
    import sympy as sp

    params = list(params)
    if not params or not all(isinstance(p, sp.Symbol) for p in params):
        raise TypeError("params must be a non-empty sequence of sympy Symbols")
    single = isinstance(residuals, sp.Expr)
    exprs = [residuals] if single else list(residuals)
    if not exprs or not all(isinstance(e, sp.Basic) for e in exprs):
        raise TypeError("residuals must be a sympy expression or a sequence of them")
    if constants:
        exprs = [e.subs(dict(constants)) for e in exprs]
    data = dict(data or {})
    data_syms = list(data)
    names = [str(v) for v in params + data_syms]
    if len(set(names)) != len(names):
        raise ValueError(f"params and data symbols need distinct names, got {names}")
    arrays = [np.asarray(data[s], dtype=float) for s in data_syms]
    if any(a.ndim != 1 for a in arrays) or len({a.size for a in arrays}) > 1:
        raise ValueError("data arrays must be 1-D and all of the same shape (m,)")
    m = arrays[0].size if arrays else 1  # residuals per expression
    free = set().union(*(e.free_symbols for e in exprs)) - set(params) - set(data_syms)
    if free:
        raise ValueError(f"the residuals contain symbols that are neither params nor data: {sorted(map(str, free))}")
    J_expr = jacobian_matrix(exprs, params)
    # dummify: two symbols that print alike (say a and a with real=True) stay distinct
    f_r = sp.lambdify([params, data_syms], exprs, "numpy", dummify=True)
    f_J = sp.lambdify([params, data_syms], J_expr.tolist(), "numpy", dummify=True)

    def column(value):
        """One residual expression's values over the data: always shape (m,)."""
        return np.broadcast_to(np.asarray(value), (m,))

    def fun(x):
        # x keeps its dtype, so a complex-step Jacobian of fun works
        return np.concatenate([column(v) for v in f_r(list(np.asarray(x)), arrays)])

    def jac(x):
        rows = f_J(list(np.asarray(x)), arrays)  # one row of derivatives per expression
        return np.vstack([np.column_stack([column(v) for v in row]) for row in rows])

    return fun, jac
