"""Loader for NIST StRD nonlinear-regression files (``*.dat``).

Everything is read from the file itself: the line ranges in its header, the model formula
(parsed with SymPy, so the residual and its exact Jacobian come from the same expression),
both starting points, the certified parameters, their standard deviations and the certified
residual sum of squares. No model is hard-coded, so any StRD file loads.

Reference: NIST Statistical Reference Datasets, Nonlinear Regression,
https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import Problem

__all__ = ["nist", "nist_files", "nist_dir", "NISTCertified"]

_RANGE = r"{}\s*\(lines\s+(\d+)\s+to\s+(\d+)\)"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?"


@dataclass
class NISTCertified:
    """The certified results of a NIST StRD problem."""

    params: np.ndarray  #: certified parameter values
    std_devs: np.ndarray  #: certified standard deviations of the parameters
    rss: float  #: residual sum of squares ‖r‖² (twice the cost)
    residual_sd: float  #: residual standard deviation √(rss / dof)
    dof: int  #: degrees of freedom m − n
    level: str = ""  #: NIST's level of difficulty (Lower, Average, Higher)


DATA_DIR = Path(__file__).resolve().parent / "data" / "nist-strd"


def nist_dir() -> Path:
    """The folder of NIST StRD ``.dat`` files shipped with ``lm`` as package data (NIST's
    Statistical Reference Datasets are public domain), or ``$LM_NIST_DIR`` if that is set.
    """
    import os

    folder = Path(os.environ["LM_NIST_DIR"]) if os.environ.get("LM_NIST_DIR") else DATA_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder of NIST StRD files at {folder}")
    return folder


def nist_files(folder=None) -> list[Path]:
    """All ``*.dat`` files in a folder (default: :func:`nist_dir`), sorted by name."""
    folder = nist_dir() if folder is None else Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a directory of NIST StRD .dat files")
    return sorted(folder.glob("*.dat"))


def _line_range(text: str, label: str, path) -> tuple[int, int]:
    m = re.search(_RANGE.format(label), text, flags=re.IGNORECASE)
    if not m:
        raise ValueError(f"{path}: no '{label} (lines a to b)' entry in the header; is this a NIST StRD file?")
    return int(m.group(1)), int(m.group(2))


def _parse_model(lines: list[str], path):
    """The model block (between 'Model:' and 'Starting values'): constants and equation."""
    start = next((i for i, s in enumerate(lines) if s.lstrip().startswith("Model:")), None)
    if start is None:
        raise ValueError(f"{path}: no 'Model:' section")
    block = []
    for s in lines[start + 1:]:
        if re.search(r"starting\s+values", s, flags=re.IGNORECASE):
            break
        block.append(s.strip())
    constants, equation = {}, []
    for s in block:
        const = re.fullmatch(rf"([A-Za-z]\w*)\s*=\s*({_NUMBER})", s)
        if const and not equation:
            constants[const.group(1)] = const.group(2)
        elif "=" in s or equation:
            equation.append(s)
    if not equation:
        raise ValueError(f"{path}: could not find the model equation in the Model section")
    text = " ".join(equation)
    lhs, rhs = text.split("=", 1)
    rhs = re.sub(r"\+\s*e\s*$", "", rhs.strip())  # the error term "+ e"
    return constants, lhs.strip(), rhs.strip()


def _sympify(text: str, names: dict):
    import sympy as sp
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations

    text = text.replace("[", "(").replace("]", ")").replace("arctan", "atan")
    text = re.sub(r"(\d)[dD]([-+]?\d)", r"\1e\2", text)
    return parse_expr(text, local_dict=names, transformations=standard_transformations, evaluate=True)


def _resolve(name_or_path) -> Path:
    """The file a :func:`nist` argument names: an existing path, or a shipped problem's name."""
    if not isinstance(name_or_path, (str, Path)):
        raise TypeError(f"nist() takes a problem name or a path, not {type(name_or_path).__name__}")
    path = Path(name_or_path)
    if path.is_file():
        return path
    if isinstance(name_or_path, str) and path.parent == Path(".") and path.suffix in ("", ".dat"):
        shipped = {f.stem.lower(): f for f in nist_files()}
        if path.stem.lower() in shipped:
            return shipped[path.stem.lower()]
        raise ValueError(f"no NIST StRD problem named {name_or_path!r}; shipped: {', '.join(sorted(f.stem for f in shipped.values()))}")
    raise ValueError(f"no NIST StRD file at {path}")


def nist(name_or_path) -> Problem:
    """Load a NIST StRD nonlinear-regression problem as a :class:`Problem`.

    ``name_or_path`` is the name of a file shipped with ``lm`` (``"Misra1a"``; see
    :func:`nist_files`) or the path of any StRD ``.dat`` file.

    The residual is r_i(b) = lhs(y_i) − model(x_i; b) (lhs is y, or log y for Nelson), its
    Jacobian is derived symbolically. ``x0`` is start 1; ``starts`` holds both starts;
    ``x_star`` and ``certified`` hold the certified values; ``cost_star`` = rss / 2.

    References: NIST StRD nonlinear regression; the file's own header gives the layout.
    """
    import sympy as sp

    path = _resolve(name_or_path)
    text = path.read_text()
    lines = text.splitlines()
    s0, s1 = _line_range(text, "Starting values", path)
    c0, c1 = _line_range(text, "Certified values", path)
    d0, d1 = _line_range(text, "Data", path)

    param_rows = []
    for s in lines[c0 - 1:c1]:
        m = re.match(rf"\s*(b\d+)\s*=\s*({_NUMBER})\s+({_NUMBER})\s+({_NUMBER})\s+({_NUMBER})", s)
        if m:
            param_rows.append((m.group(1), *map(float, m.group(2, 3, 4, 5))))
    if not param_rows:
        raise ValueError(f"{path}: no parameter lines 'b1 = start1 start2 certified sd' in lines {c0}-{c1}")
    names = [row[0] for row in param_rows]
    table = np.array([row[1:] for row in param_rows])

    def certified_number(label: str) -> float:
        m = re.search(rf"{label}:\s*({_NUMBER})", text, flags=re.IGNORECASE)
        if not m:
            raise ValueError(f"{path}: no '{label}' line")
        return float(m.group(1))

    header = next(lines[i] for i in range(d0 - 2, -1, -1) if lines[i].lstrip().startswith("Data:"))
    columns = header.split(":", 1)[1].split()
    data = np.array([[float(v) for v in s.split()] for s in lines[d0 - 1:d1] if s.strip()])
    if data.ndim != 2 or data.shape[1] != len(columns):
        raise ValueError(f"{path}: data lines {d0}-{d1} do not have the {len(columns)} columns {columns}")
    y = data[:, columns.index("y")]
    x_names = [c for c in columns if c != "y"]
    X = data[:, [columns.index(c) for c in x_names]]

    constants, lhs_text, rhs_text = _parse_model(lines, path)
    b = sp.symbols(names)
    xs = sp.symbols(x_names)
    ysym = sp.Symbol("y")
    local = {n: s for n, s in zip(names, b)} | {n: s for n, s in zip(x_names, xs)} | {"y": ysym}
    local |= {k: sp.Float(v, 30) for k, v in constants.items()}
    model_expr = _sympify(rhs_text, local)
    lhs_expr = _sympify(lhs_text, local)
    y_t = sp.lambdify([ysym], lhs_expr, "numpy")(y) * np.ones_like(y)  # y or log(y)

    f_model = sp.lambdify([b, xs], model_expr, "numpy")
    f_grad = sp.lambdify([b, xs], [sp.diff(model_expr, bj) for bj in b], "numpy")
    m = y.size

    def model(bv, x=None):
        cols = X.T if x is None else np.atleast_2d(np.asarray(x, dtype=float).T)
        cols = cols.reshape(len(x_names), -1)
        return np.broadcast_to(f_model(np.asarray(bv), list(cols)), (cols.shape[1],)).astype(float)

    def model_jac(bv, x=None):
        cols = X.T if x is None else np.atleast_2d(np.asarray(x, dtype=float).T)
        cols = cols.reshape(len(x_names), -1)
        return np.column_stack([np.broadcast_to(c, (cols.shape[1],)) for c in f_grad(np.asarray(bv), list(cols))]).astype(float)

    def fun(bv):
        return y_t - model(bv)

    def jac(bv):
        return -model_jac(bv)

    level = re.search(r"(Lower|Average|Higher)\s+Level of Difficulty", text)
    certified = NISTCertified(
        params=table[:, 2], std_devs=table[:, 3], rss=certified_number("Residual Sum of Squares"),
        residual_sd=certified_number("Residual Standard Deviation"),
        # m − n, not the header's line: Rat43's file states 9, a misprint (its certified
        # rss / residual_sd² is 11 = 15 − 4, as for every other file)
        dof=m - len(names), level=level.group(1) if level else "",
    )
    assert m == int(certified_number("Number of Observations")), f"{path}: row count differs from the header"
    return Problem(
        name=path.stem, fun=fun, jac=jac, x0=table[:, 0], starts=[table[:, 0], table[:, 1]],
        x_star=certified.params, cost_star=certified.rss / 2, certified=certified,
        description=f"NIST StRD {path.stem}: {lhs_text} = {rhs_text}", param_names=tuple(names),
        data=(X[:, 0] if X.shape[1] == 1 else X, y), model=model, model_jac=model_jac,
        formula=f"{lhs_text} = {rhs_text}",
    )
