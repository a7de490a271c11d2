"""The :class:`Problem` record shared by every test problem."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np


@dataclass(repr=False)
class Problem:
    """A least-squares problem min ½‖r(x)‖² with what the book and tests need to know of it.

    ``fun(x) -> r`` (m,), ``jac(x) -> J`` (m, n); ``x0`` the standard start and ``starts``
    all documented starts; ``x_star`` a known minimizer (None if unknown) with cost
    ``cost_star`` = ½‖r(x_star)‖²; ``xlim``/``ylim`` a good window for contour plots of
    2-parameter problems; ``certified`` the NIST certified values of a NIST problem;
    ``data`` (x, y) and ``model(b, x)`` / ``model_jac(b, x)`` for curve-fitting problems.
    """

    name: str
    fun: Callable[[np.ndarray], np.ndarray]
    jac: Callable[[np.ndarray], np.ndarray]
    x0: np.ndarray
    starts: list = field(default_factory=list)
    x_star: Optional[np.ndarray] = None
    cost_star: Optional[float] = None
    description: str = ""
    xlim: Optional[tuple] = None
    ylim: Optional[tuple] = None
    param_names: tuple = ()
    certified: Any = None
    data: Optional[tuple] = None
    model: Optional[Callable] = None
    model_jac: Optional[Callable] = None
    formula: str = ""

    def __post_init__(self):
        self.x0 = np.asarray(self.x0, dtype=float)
        self.starts = [np.asarray(s, dtype=float) for s in (self.starts or [self.x0])]
        if self.x_star is not None:
            self.x_star = np.asarray(self.x_star, dtype=float)
        if not self.param_names:
            self.param_names = tuple(f"x{i + 1}" for i in range(self.x0.size))

    @property
    def n(self) -> int:
        """Number of parameters."""
        return self.x0.size

    @property
    def m(self) -> int:
        """Number of residuals."""
        return int(np.asarray(self.fun(self.x0)).size)

    def cost(self, x) -> float:
        """F(x) = ½‖r(x)‖²."""
        r = self.fun(np.asarray(x, dtype=float))
        return 0.5 * float(r @ r)

    def __repr__(self) -> str:
        return f"Problem({self.name!r}, n={self.n}, m={self.m})"
