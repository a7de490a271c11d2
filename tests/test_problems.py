"""Test problems: analytic Jacobians agree with differences, known minima are minima, and
the Gauss–Newton / gradient-descent baselines behave as the book says."""
from pathlib import Path
import numpy as np
import pytest

import lm
from lm.baselines import gauss_newton, gradient_descent
from lm.problems import CLASSICS, MGH_PROBLEMS


@pytest.mark.parametrize("name", sorted(CLASSICS))
def test_classics(name):
    P = CLASSICS[name]()
    assert P.n == 2 and P.xlim and P.ylim and len(P.starts) >= 1
    for x in P.starts:
        assert lm.check_jacobian(P.fun, P.jac, x).ok
    assert np.isclose(P.cost(P.x_star), P.cost_star, rtol=1e-6, atol=1e-20)
    J, r = P.jac(P.x_star), P.fun(P.x_star)
    assert np.abs(J.T @ r).max() <= 1e-6 * (1 + np.abs(J).max() * np.abs(r).max())  # stationary
    assert P.xlim[0] < P.x_star[0] < P.xlim[1] and P.ylim[0] < P.x_star[1] < P.ylim[1]
    assert "n=2" in repr(P)


@pytest.mark.parametrize("name", sorted(MGH_PROBLEMS))
def test_mgh_jacobians(name):
    P = MGH_PROBLEMS[name]()
    x = P.x0 + 0.05 * np.arange(1, P.n + 1)
    assert lm.check_jacobian(P.fun, P.jac, x, tol=1e-5).ok


def test_gauss_newton_diverges_where_lm_converges():
    P = CLASSICS["jennrich_sampson"]()
    gn = gauss_newton(P.fun, P.x0, P.jac, max_iter=30)
    res = lm.levenberg_marquardt(P.fun, P.x0, P.jac)
    assert gn.cost > 1.5 * P.cost_star or not np.all(np.isfinite(gn.x))
    assert np.isclose(res.cost, P.cost_star, rtol=1e-6)
    assert all(s.accepted for s in gn.history) and all(s.lam == 0 for s in gn.history)


def test_gauss_newton_is_exact_on_a_linear_problem():
    A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    b = np.array([1.0, 0.0, 2.0])
    gn = gauss_newton(lambda x: A @ x - b, [5.0, 5.0], lambda x: A, max_iter=5)
    assert np.allclose(gn.history[0].x_trial, np.linalg.lstsq(A, b, rcond=None)[0])


def test_gradient_descent_decreases_every_step():
    P = CLASSICS["rosenbrock"]()
    gd = gradient_descent(P.fun, P.x0, P.jac, max_iter=100)
    costs = [s.cost for s in gd.history] + [gd.cost]
    assert all(b <= a for a, b in zip(costs, costs[1:]))
    assert gd.cost < P.cost(P.x0) and gd.cost > 1e-6   # slow in the banana valley


def test_nist_data_ship_with_the_package(nist_dir, tmp_path, monkeypatch):
    """The StRD files are package data of lm: found by name from the installed package."""
    from lm.problems import nist, nist_dir as find, nist_files

    assert find().samefile(nist_dir)
    assert Path(lm.__file__).parent in find().parents
    assert len(nist_files()) == len(list(nist_dir.glob("*.dat"))) >= 21
    by_name, by_path = nist("Misra1a"), nist(nist_dir / "Misra1a.dat")
    assert np.array_equal(by_name.certified.params, by_path.certified.params)
    assert nist("misra1a.dat").name == "Misra1a"
    with pytest.raises(ValueError, match="no NIST StRD problem named 'Nope'"):
        nist("Nope")
    with pytest.raises(TypeError, match="problem name or a path"):
        nist(3)
    monkeypatch.setenv("LM_NIST_DIR", str(tmp_path))
    assert find() == tmp_path


def test_the_wheel_carries_the_nist_data(tmp_path):
    """`pip install .` gives a student lm with its data: the built wheel holds every .dat."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(root)], check=True, timeout=300)
    wheel = next(tmp_path.glob("lm-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.name for p in (root / "lm/problems/data/nist-strd").glob("*.dat"))
    assert sorted(Path(n).name for n in names if n.startswith("lm/problems/data/nist-strd/")) == shipped


@pytest.mark.parametrize("a", [0.99, 0.5, 0.0, -2.0])
def test_dennis_schnabel_rate_is_a(a):
    """Dennis & Schnabel (1983, §10.2): at x* = 5, JᵀJ = 2 and S = −2a (SymPy), so x* is a
    minimizer with Gauss–Newton rate |a|; the measured Gauss–Newton error ratio tends to |a|."""
    import sympy as sp

    from lm.problems import dennis_schnabel

    P = dennis_schnabel(a)
    x = sp.Symbol("x")
    r = sp.Matrix([x - 4, sp.nsimplify(a) * (x - 5) ** 2 + (x - 5) - 1])
    F = (r.T * r)[0] / 2
    J = r.jacobian([x])
    S = sp.diff(F, x, 2) - (J.T * J)[0]
    assert sp.simplify(S.subs(x, 5) + 2 * sp.nsimplify(a)) == 0
    assert sp.diff(F, x).subs(x, 5) == 0 and sp.diff(F, x, 2).subs(x, 5) > 0
    for z in (4.2, 5.0, 6.0):
        assert np.allclose(P.fun([z]), [float(v) for v in r.subs(x, z)])
        assert np.allclose(P.jac([z]), np.array(J.subs(x, z), dtype=float))
    assert np.isclose(P.cost(P.x_star), P.cost_star)
    if 0 < abs(a) < 1:
        gn = gauss_newton(P.fun, [5.01], P.jac, max_iter=12)
        e = np.abs(np.array([s.x[0] for s in gn.history]) - 5.0)
        assert np.isclose(e[-1] / e[-2], abs(a), rtol=0.05)


def test_dennis_schnabel_rejects_a_without_minimizer():
    from lm.problems import dennis_schnabel

    with pytest.raises(ValueError, match="a must be < 1"):
        dennis_schnabel(1.0)
    with pytest.raises(TypeError, match="finite real number"):
        dennis_schnabel("0.5")
