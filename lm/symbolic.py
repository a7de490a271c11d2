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
    arrays = [np.asarray(data[s], dtype=float) for s in data_syms]
    if arrays and len({a.shape for a in arrays}) != 1:
        raise ValueError("all data arrays must have the same shape")
    m_data = arrays[0].size if arrays else None
    free = set().union(*(e.free_symbols for e in exprs)) - set(params) - set(data_syms)
    if free:
        raise ValueError(f"the residuals contain symbols that are neither params nor data: {sorted(map(str, free))}")
    J_expr = jacobian_matrix(exprs, params)
    f_r = sp.lambdify([params, data_syms], exprs, "numpy")
    f_J = sp.lambdify([params, data_syms], J_expr.tolist(), "numpy")
    shape_m = m_data if (single and m_data is not None) else None

    def _stack(values, m):
        return [np.broadcast_to(np.asarray(v, dtype=float), (m,)) if m else np.asarray(v, dtype=float)
                for v in values]

    def fun(x):
        vals = f_r(list(np.asarray(x, dtype=float)), arrays)
        if shape_m:
            return np.broadcast_to(np.asarray(vals[0], dtype=float), (shape_m,)).copy()
        return np.array([float(v) for v in vals]) if not arrays else np.concatenate([np.ravel(v) for v in _stack(vals, m_data)])

    def jac(x):
        rows = f_J(list(np.asarray(x, dtype=float)), arrays)
        if shape_m:
            return np.column_stack(_stack(rows[0], shape_m))
        if not arrays:
            return np.array(rows, dtype=float)
        return np.vstack([np.column_stack(_stack(row, m_data)) for row in rows])

    return fun, jac
