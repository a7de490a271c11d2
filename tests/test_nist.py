"""Every NIST StRD file, both starts: certified parameters to ≥ 6 significant digits and
certified standard deviations to ≥ 3, with analytic Jacobians and with the package's own
(default) differences; and the loader against the certified residual sum of squares."""
import numpy as np
import pytest

import lm
from lm.problems import nist, nist_files
from conftest import NIST_DIR

FILES = sorted(NIST_DIR.glob("*.dat"))
CASES = [(f, k) for f in FILES for k in (0, 1)]


def lre(x, certified):
    """Log relative error: the number of agreeing significant digits."""
    err = np.abs(np.asarray(x) - certified) / np.abs(certified)
    return -np.log10(np.maximum(err, 1e-16))


@pytest.fixture(scope="module", params=FILES, ids=lambda f: f.stem)
def problem(request):
    return nist(request.param)


def test_there_are_nist_files(nist_dir):
    assert len(nist_files(nist_dir)) >= 1


def test_loader_reproduces_certified_rss(problem):
    """The parsed model, data and certified parameters give the certified RSS (to 1e-6), and
    the degrees of freedom m − n agree with the certified rss / residual_sd²."""
    c = problem.certified
    r = problem.fun(c.params)
    assert r.size - problem.n == c.dof == round(c.rss / c.residual_sd**2)
    y_size = np.abs(r + problem.model(c.params)).max()                 # max |y|
    if c.residual_sd > 1e-9 * y_size:
        assert np.isclose(r @ r, c.rss, rtol=1e-6, atol=1e-30)
    else:
        # residuals at the data's last digit (Lanczos1: 1e-13): the certified parameters'
        # 11 printed digits move r by more than that, so compare at the least-squares
        # minimum next to them, to the precision the arithmetic allows (10ε·|y| against r)
        res = lm.levenberg_marquardt(problem.fun, c.params, problem.jac)
        rtol = 10 * np.finfo(float).eps * y_size / c.residual_sd       # 0.06 for Lanczos1
        assert np.isclose(2 * res.cost, c.rss, rtol=rtol) and rtol < 0.1


def test_loader_jacobian_matches_differences(problem):
    for start in problem.starts:
        check = lm.check_jacobian(problem.fun, problem.jac, start, tol=1e-3)  # a wrong derivative: O(1)
        assert check.ok, f"{problem.name}: {check}"


@pytest.mark.parametrize("jac_mode", ["analytic", "default differences"])
@pytest.mark.parametrize("path,start", CASES, ids=[f"{f.stem}-start{k + 1}" for f, k in CASES])
def test_certified_values(path, start, jac_mode):
    P = nist(path)
    jac = P.jac if jac_mode == "analytic" else None
    res = lm.levenberg_marquardt(P.fun, P.starts[start], jac)   # every other setting at its default
    assert res.success, res.message
    digits = lre(res.x, P.certified.params)
    assert digits.min() >= 6, f"{P.name} start {start + 1}: digits {np.round(digits, 1)}"
    sd_digits = lre(res.standard_errors(), P.certified.std_devs)
    # the standard deviations scale with the residual SD s; computed as y − model, each
    # residual carries an error of about ε·|y|, so s has at most log10(s / (ε·|y|)) digits
    # (Lanczos1, whose residuals are the data's rounding, 1e-13: about 2)
    y_size = np.abs(res.fun + P.model(res.x)).max()
    attainable = np.log10(P.certified.residual_sd / (np.finfo(float).eps * y_size))
    wanted = min(3.0, attainable)
    assert sd_digits.min() >= wanted, f"{P.name} start {start + 1}: sd digits {np.round(sd_digits, 1)}"
    assert res.cost <= P.cost(P.starts[start])


def test_loader_errors(tmp_path):
    with pytest.raises(ValueError, match="no NIST StRD file"):
        nist(tmp_path / "missing.dat")
    bad = tmp_path / "bad.dat"
    bad.write_text("not a NIST file\n")
    with pytest.raises(ValueError, match="lines"):
        nist(bad)


OTHER_MODELS = [
    # (file with the right number of parameters, NIST model line of a file not shipped here, the same model in numpy)
    ("Misra1a.dat", "y = b1*b2*x*((1+b2*x)**(-1))  +  e", lambda b, x: b[0] * b[1] * x / (1 + b[1] * x)),          # Misra1d
    ("Rat42.dat", "y = (b1/b2) * exp[-0.5*((x-b3)/b2)**2]  +  e", lambda b, x: b[0] / b[1] * np.exp(-0.5 * ((x - b[2]) / b[1]) ** 2)),  # Eckerle4
    ("MGH09.dat", "y = b1 / ((1+exp[b2-b3*x])**(1/b4))  +  e", lambda b, x: b[0] / (1 + np.exp(b[1] - b[2] * x)) ** (1 / b[3])),  # Rat43
]


@pytest.mark.parametrize("source,model_line,model", OTHER_MODELS, ids=["Misra1d", "Eckerle4", "Rat43"])
def test_loader_reads_models_of_other_nist_files(tmp_path, nist_dir, source, model_line, model):
    """The loader parses the model from the file: swap in the model line of another StRD file
    and the residuals and Jacobian follow it, checked against the formula written in numpy."""
    lines = (nist_dir / source).read_text().splitlines()
    i = next(k for k, s in enumerate(lines) if s.strip().startswith(("y =", "y  =")))
    lines[i] = "               " + model_line
    path = tmp_path / f"{source}"
    path.write_text("\n".join(lines) + "\n")
    P = nist(path)
    x, y = P.data
    b = P.starts[1] * 1.01
    assert np.allclose(P.fun(b), y - model(b, x), rtol=1e-12, atol=1e-12)
    assert lm.check_jacobian(P.fun, P.jac, b, tol=1e-5).ok
