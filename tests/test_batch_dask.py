"""lm.batch.fit_dask: chunks of fits on a real distributed.LocalCluster of two worker processes
(bound to 127.0.0.1, started and closed here) give exactly the in-memory batch; Dask's progress
bar reports the chunks; lm itself imports without Dask."""
import subprocess
import sys

import numpy as np
import pytest

from lm.batch import fit_dask, levenberg_marquardt_batch

da = pytest.importorskip("dask.array")

T = np.linspace(0, 3, 16)


def decay(X, y, weight, t):  # per-fit data y (N, m), per-fit weight (N,), shared times t (m,)
    return weight[:, None] * (y - X[:, 0:1] * np.exp(-X[:, 1:2] * t))


def data(N, seed=0):
    rng = np.random.default_rng(seed)
    truth = np.column_stack([rng.uniform(1, 3, N), rng.uniform(0.3, 2, N)])
    Y = truth[:, :1] * np.exp(-truth[:, 1:2] * T) + 0.02 * rng.standard_normal((N, T.size))
    return np.ones((N, 2)), Y, rng.uniform(0.5, 2, N)


def same_as_batch(res, X0, Y, w, **options):
    ref = levenberg_marquardt_batch(decay, X0, args=(Y, w, T), **options)
    np.testing.assert_array_equal(res.x, ref.x)
    np.testing.assert_array_equal(res.status, ref.status)
    np.testing.assert_array_equal(res.nfev, ref.nfev)
    np.testing.assert_array_equal(res.nit, ref.nit)
    np.testing.assert_array_equal(res.cost, ref.cost)
    np.testing.assert_allclose(res.standard_errors, ref.standard_errors(), rtol=1e-12)
    np.testing.assert_array_equal(res.success, ref.success)


def test_on_a_local_cluster_of_two_processes_equals_the_batch():
    distributed = pytest.importorskip("distributed")
    X0, Y, w = data(600)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        lazy = fit_dask(decay, da.from_array(X0, chunks=100), da.from_array(Y, chunks=(150, -1)),
                        da.from_array(w, chunks=200), T, damping="nielsen")
        assert isinstance(lazy.x, da.Array) and lazy.x.chunks[0] == (100,) * 6  # chunked as x0
        with distributed.get_task_stream(client) as stream:
            res = lazy.compute()
        # the chunks really ran in the cluster's worker processes, not in this one
        assert {t["worker"] for t in stream.data} <= set(cluster.scheduler_info["workers"])
        assert len(stream.data) >= 6
    same_as_batch(res, X0, Y, w, damping="nielsen")


def test_progress_bar_and_numpy_inputs(capsys):
    from dask.diagnostics import ProgressBar

    X0, Y, w = data(300, seed=1)
    with ProgressBar(dt=0.01):
        res = fit_dask(decay, X0, Y, w, T, chunks=64).compute(scheduler="threads")
    assert "100% Completed" in capsys.readouterr().out
    same_as_batch(res, X0, Y, w)


def test_bad_input():
    X0, Y, w = data(10)
    with pytest.raises(ValueError, match="2-D"):
        fit_dask(decay, da.ones(10), Y, w, T)
    with pytest.raises(ValueError, match="one flag per argument"):
        fit_dask(decay, X0, Y, w, T, per_fit=(True,))
    with pytest.raises(ValueError, match="marked per-fit"):
        fit_dask(decay, X0, Y, w, T, per_fit=(True, True, True))
    with pytest.raises(TypeError, match="callable"):
        fit_dask(None, X0, Y, w, T)


def test_lm_imports_and_runs_without_dask():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "import numpy as np, lm\n"
            "r = lm.batch.levenberg_marquardt_batch(lambda X: X - 1.0, np.zeros((3, 2)))\n"
            "assert r.success.all() and np.allclose(r.x, 1)\n"
            "try:\n    lm.batch.fit_dask(lambda X: X, np.zeros((3, 2)))\nexcept ImportError:\n    print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr
