"""lm — a readable Levenberg–Marquardt solver for the LM course book.

The public face of the package: :func:`levenberg_marquardt`, its result :class:`LMResult`,
and :func:`check_jacobian`. Modules: ``solver``, ``damping``, ``subproblem``, ``jacobians``,
``stats``, ``problems``, ``symbolic``, ``viz``.

References: Levenberg (1944), Marquardt (1963), Moré (1978), Nielsen (1999),
Madsen–Nielsen–Tingleff (2004), Nocedal–Wright (2006) ch. 10.
"""
from .jacobians import check_jacobian
from .solver import LMResult, Step, levenberg_marquardt

__all__ = ["levenberg_marquardt", "LMResult", "Step", "check_jacobian"]
__version__ = "0.1.0"
