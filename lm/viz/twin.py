"""The explorer's problems written once in SymPy, for both sides of the browser twin.

The website's explorer solves in the page (``twin.js``, a JavaScript twin of ``lm``'s loop), so
it needs the residuals and the Jacobian of each problem in the page. They are not copied by
hand: each 2-parameter problem of :mod:`lm.problems` is written here once as SymPy residuals
(or, for NIST problems, read from the problem's own formula and data), and from that one
expression come

* the numpy ``fun`` and ``jac`` (:func:`lm.symbolic.from_sympy`, i.e. ``lambdify``), which
  ``tests/test_viz.py`` compares with the hand-written ``problem.fun``/``problem.jac``, and
* the strings the page's parser reads (:meth:`SymbolicProblem.js_spec`: SymPy's printer,
  floats written with all 17 digits), which the conformance test runs in Chromium against
  the Python solver on the numpy functions.

References: Meurer et al. (2017), "SymPy: symbolic computing in Python" (``lambdify``,
printers); NIST StRD nonlinear regression (the model formulas).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

__all__ = ["SymbolicProblem", "symbolic_problem", "JS_FILES", "js_source", "js_expression"]

#: The JavaScript files of the explorer, shipped in this package (pyproject package-data)
JS_FILES = ("twin.js", "explorer.js")
_HERE = Path(__file__).resolve().parent


def js_source(name: str) -> str:
    """The text of one of the package's JavaScript or CSS files (``twin.js``, ``explorer.js``,
    ``explorer.css``)."""
    if name not in JS_FILES + ("explorer.css",):
        raise ValueError(f"unknown explorer file {name!r}; expected one of {JS_FILES + ('explorer.css',)}")
    return (_HERE / name).read_text(encoding="utf-8")


def js_expression(expr) -> str:
    """A SymPy expression in the syntax of the page's parser (``twin.js`` ``parseModel``):
    SymPy's own printer, but every float with the 17 digits that give back the same double."""
    import sympy as sp
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Float(self, e):
            return repr(float(e))

        def _print_Exp1(self, e):
            return "e"

    if not isinstance(expr, sp.Basic):
        expr = sp.sympify(expr)
    return _Printer().doprint(expr)


@dataclass
class SymbolicProblem:
    """A 2-parameter least-squares problem as SymPy residuals.

    ``residuals`` are expressions in ``params`` and the ``data`` symbols; with data, each
    expression gives one residual per data row (as :func:`lm.symbolic.from_sympy`).
    """

    name: str
    params: list
    residuals: list
    data: dict = field(default_factory=dict)  #: {sympy Symbol: 1-D array}

    def numeric(self) -> tuple[Callable, Callable]:
        """``fun(x) -> r`` and ``jac(x) -> J`` from SymPy's ``lambdify``."""
        from ..symbolic import from_sympy

        return from_sympy(self.residuals, self.params, data=self.data or None)

    def jacobian(self) -> list:
        """The symbolic Jacobian rows, one [∂r/∂x₁, ∂r/∂x₂] per residual expression."""
        import sympy as sp

        return [[sp.diff(e, p) for p in self.params] for e in self.residuals]

    def js_spec(self) -> dict:
        """What the page's twin needs (JSON): residual and Jacobian strings, the parameter
        names, and the data columns."""
        return {
            "params": [str(p) for p in self.params],
            "residuals": [js_expression(e) for e in self.residuals],
            "jacobian": [[js_expression(d) for d in row] for row in self.jacobian()],
            "data": {str(s): [float(v) for v in np.asarray(a, float).ravel()] for s, a in self.data.items()} or None,
        }


def _classic(name: str, problem) -> Optional[SymbolicProblem]:
    import sympy as sp

    x1, x2 = sp.symbols("x1 x2")
    i, y, t = sp.symbols("i y t")
    key = name.lower().replace("–", "-").replace(" ", "-")
    if key == "rosenbrock":
        return SymbolicProblem(name, [x1, x2], [10 * (x2 - x1**2), 1 - x1])
    if key == "beale":
        return SymbolicProblem(name, [x1, x2], [y - x1 * (1 - x2**i)],
                               {i: np.arange(1.0, 4.0), y: np.array([1.5, 2.25, 2.625])})
    if key == "freudenstein-roth":
        return SymbolicProblem(name, [x1, x2], [-13 + x1 + ((5 - x2) * x2 - 2) * x2,
                                                -29 + x1 + ((x2 + 1) * x2 - 14) * x2])
    if key == "powell-badly-scaled":
        return SymbolicProblem(name, [x1, x2], [10**4 * x1 * x2 - 1,
                                                sp.exp(-x1) + sp.exp(-x2) - sp.Float("1.0001")])
    if key == "jennrich-sampson":
        m = problem.m
        return SymbolicProblem(name, [x1, x2], [2 + 2 * i - (sp.exp(i * x1) + sp.exp(i * x2))],
                               {i: np.arange(1.0, m + 1.0)})
    if key == "exponential-decay" and problem.data is not None:
        A, k = sp.symbols("A k")
        tt, yy = problem.data
        return SymbolicProblem(name, [A, k], [y - A * sp.exp(-k * t)], {t: tt, y: yy})
    return None


def _from_formula(problem) -> Optional[SymbolicProblem]:
    """A problem with a text formula ``lhs = rhs`` and data (x, y), as the NIST problems have:
    r_i = lhs(y_i) − rhs(x_i; b)."""
    import sympy as sp

    if not problem.formula or problem.data is None or "=" not in problem.formula:
        return None
    x, yv = problem.data
    x = np.asarray(x, float)
    if x.ndim != 1:
        return None
    lhs_text, rhs_text = problem.formula.split("=", 1)
    params = sp.symbols(list(problem.param_names))
    xs, ys = sp.Symbol("x"), sp.Symbol("y")
    local = {str(p): p for p in params} | {"x": xs, "y": ys}
    from ..problems.nist import _sympify  # the NIST loader's own reading of its formulas

    try:
        lhs, rhs = _sympify(lhs_text.strip(), local), _sympify(rhs_text.strip(), local)
    except (sp.SympifyError, SyntaxError, TypeError, ValueError):
        return None
    if (lhs.free_symbols | rhs.free_symbols) - set(params) - {xs, ys}:
        return None
    return SymbolicProblem(problem.name, list(params), [lhs - rhs], {xs: x, ys: np.asarray(yv, float)})


def symbolic_problem(problem) -> SymbolicProblem:
    """The SymPy form of a 2-parameter problem of :mod:`lm.problems` (the classics by name,
    NIST-style problems from their formula and data).

    Raises
    ------
    ValueError
        If the problem is not one of these; its residuals exist only as Python code, and
        the page cannot run Python (give the explorer a :class:`SymbolicProblem` instead).
    """
    if isinstance(problem, SymbolicProblem):
        return problem
    sym = _classic(getattr(problem, "name", ""), problem) or _from_formula(problem)
    if sym is None:
        raise ValueError(
            f"no symbolic form of {getattr(problem, 'name', problem)!r}: the website's explorer needs the "
            "residuals as formulas (a classic of lm.problems, a problem with a formula 'y = ...' and data, "
            "or an lm.viz.twin.SymbolicProblem)")
    if len(sym.params) != 2:
        raise ValueError(f"the explorer needs 2 parameters, {sym.name!r} has {len(sym.params)}")
    return sym
