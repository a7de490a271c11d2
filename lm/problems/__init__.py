"""Test problems for the book and the tests: the :class:`Problem` record, 2-parameter
classics for contour plots, Moré–Garbow–Hillstrom problems, the MINPACK-1 test set
(53 runs of 18 MGH problems), and the NIST StRD loader.

References: Moré, Garbow & Hillstrom (1981), "Testing unconstrained optimization software";
NIST Statistical Reference Datasets, nonlinear regression (https://www.itl.nist.gov/div898/strd/).
"""
from .base import Problem
from .classics import (
    CLASSICS,
    beale,
    dennis_schnabel,
    exponential_decay,
    freudenstein_roth,
    jennrich_sampson,
    powell_badly_scaled,
    rosenbrock,
)
from .mgh import MGH_PROBLEMS
from .minpack1 import MINPACK1_RUNS, known_minima, minpack1_problem, reached_minimum
from .nist import NISTCertified, nist, nist_dir, nist_files

__all__ = [
    "Problem", "CLASSICS", "rosenbrock", "beale", "freudenstein_roth", "powell_badly_scaled",
    "exponential_decay", "jennrich_sampson", "dennis_schnabel", "MGH_PROBLEMS", "nist", "nist_dir", "nist_files", "NISTCertified",
    "MINPACK1_RUNS", "minpack1_problem", "known_minima", "reached_minimum",
]
