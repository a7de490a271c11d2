"""lm — a readable Levenberg–Marquardt solver for the LM course book.

The public face of the package: :func:`levenberg_marquardt`, its result :class:`LMResult`
(one :class:`Step` record per trial step in ``history``), and :func:`check_jacobian`.
Modules, one job each: ``solver`` (the loop), ``damping`` (strategies), ``subproblem`` (the
damped step), ``jacobians`` (differences), ``stats`` (uncertainties), ``batch`` (many fits at once), ``problems`` (test
problems, NIST loader), ``symbolic`` (SymPy bridge), ``baselines`` (Gauss–Newton and
gradient descent for comparison), ``viz`` (plots and explorers; imported on first use).

References: Levenberg (1944), Marquardt (1963), Moré (1978), Nielsen (1999),
Madsen–Nielsen–Tingleff (2004), Nocedal–Wright (2006) ch. 10.
"""
from importlib import import_module

from . import baselines, batch, damping, jacobians, problems, stats, subproblem, symbolic
from .jacobians import check_jacobian
from .solver import LMResult, Step, levenberg_marquardt

__all__ = ["levenberg_marquardt", "LMResult", "Step", "check_jacobian"]
__version__ = "0.1.0"


def __getattr__(name):
    # lm.viz pulls in matplotlib; load it only when a chapter first asks for it
    if name == "viz":
        return import_module(".viz", __name__)
    raise AttributeError(f"module 'lm' has no attribute {name!r}")
