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
    """The parsed model, data and certified parameters give the certified RSS (to 1e-6)."""
    r = problem.fun(problem.certified.params)
    assert r.size == problem.certified.dof + problem.n
    assert np.isclose(r @ r, problem.certified.rss, rtol=1e-6, atol=1e-30)


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
    assert sd_digits.min() >= 3, f"{P.name} start {start + 1}: sd digits {np.round(sd_digits, 1)}"
    assert res.cost <= P.cost(P.starts[start])


def test_loader_errors(tmp_path):
    with pytest.raises(ValueError, match="no NIST StRD file"):
        nist(tmp_path / "missing.dat")
    bad = tmp_path / "bad.dat"
    bad.write_text("not a NIST file\n")
    with pytest.raises(ValueError, match="lines"):
        nist(bad)
