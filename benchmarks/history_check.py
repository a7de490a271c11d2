"""Does a change to lm's arithmetic leave every decision of every run the same?

Records, for a fixed set of runs, each run's status, nfev, njev, nit, the sequence of
accepted (A) and rejected (R) trial steps and the final x, and compares two such records:

* the MINPACK-1 test set (53 runs, exact Jacobians) with each of the three dampings, and
  with lm's default central differences;
* the 21 shipped NIST StRD files × 2 starts: exact Jacobians, default differences and
  jac="broyden";
* the classic problems (lm.problems.CLASSICS and MGH_PROBLEMS, every documented start):
  exact Jacobians with each damping, and default differences.

Usage (from the repository root):

    .venv/bin/python benchmarks/history_check.py --against REV
        records the runs with the lm package of git revision REV (extracted to a temporary
        folder and run in a subprocess) and with the working tree, and compares them
    .venv/bin/python benchmarks/history_check.py --record FILE   (this tree's lm only)
    .venv/bin/python benchmarks/history_check.py --compare OLD.json NEW.json

A run "differs" if its status, counts or A/R sequence differ, or if some x_j differs by more
than RTOL·max(|x_j|, 1e-300) (rounding-level differences of a reordered computation are
reported separately, with the largest relative difference). Exit status 1 if any run differs.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import warnings
from io import BytesIO
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RTOL = 1e-10


def _runs():
    """(label, fun, jac, x0, options) for every recorded run."""
    from lm.problems import CLASSICS, MGH_PROBLEMS, MINPACK1_RUNS, minpack1_problem, nist, nist_files

    for key, factor in MINPACK1_RUNS:
        P = minpack1_problem(key, factor)
        for damping in ("trust-region", "nielsen", "marquardt"):
            yield f"minpack1/{key}×{factor}/{damping}", P.fun, P.jac, P.x0, dict(damping=damping)
        yield f"minpack1/{key}×{factor}/3-point", P.fun, None, P.x0, {}
    for path in nist_files():
        P = nist(path)
        for k, x0 in enumerate(P.starts, start=1):
            yield f"nist/{P.name}/{k}/analytic", P.fun, P.jac, x0, {}
            yield f"nist/{P.name}/{k}/3-point", P.fun, None, x0, {}
            yield f"nist/{P.name}/{k}/broyden", P.fun, "broyden", x0, {}
    classics = {**{f"classic/{k}": f for k, f in CLASSICS.items()},
                **{f"mgh/{k}": f for k, f in MGH_PROBLEMS.items()}}
    for name, factory in classics.items():
        P = factory()
        for k, x0 in enumerate(P.starts, start=1):
            for damping in ("trust-region", "nielsen", "marquardt"):
                yield f"{name}/{k}/{damping}", P.fun, P.jac, x0, dict(damping=damping)
            yield f"{name}/{k}/3-point", P.fun, None, x0, {}


def record() -> dict:
    """Run everything with the lm found on sys.path; one entry per run label."""
    import lm

    out = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for label, fun, jac, x0, options in _runs():
            res = lm.levenberg_marquardt(fun, x0, jac, **options)
            out[label] = dict(status=res.status, nfev=res.nfev, njev=res.njev, nit=res.nit,
                              steps="".join("A" if s.accepted else "R" for s in res.history),
                              x=[float(v) for v in res.x])
    return out


def compare(old: dict, new: dict) -> int:
    """Print the runs that differ; return their number."""
    differ, rounding, worst = [], 0, 0.0
    for label in sorted(set(old) | set(new)):
        a, b = old.get(label), new.get(label)
        if a is None or b is None:
            differ.append(f"{label}: only in {'new' if a is None else 'old'}")
            continue
        keys = [k for k in ("status", "nfev", "njev", "nit", "steps") if a[k] != b[k]]
        xa, xb = np.array(a["x"]), np.array(b["x"])
        rel = float(np.max(np.abs(xa - xb) / np.maximum(np.abs(xa), 1e-300), initial=0.0))
        if keys or not rel <= RTOL:
            detail = ", ".join(f"{k}: {a[k]} → {b[k]}" for k in keys if k != "steps")
            if "steps" in keys:
                first = next((i for i, (u, v) in enumerate(zip(a["steps"], b["steps"])) if u != v),
                             min(len(a["steps"]), len(b["steps"])))
                detail += f"{', ' if detail else ''}steps part at trial {first}"
            differ.append(f"{label}: {detail or ''} x rel. diff {rel:.2e}")
        elif rel > 0:
            rounding += 1
            worst = max(worst, rel)
    print(f"{len(old)} runs compared: {len(differ)} differ; {rounding} agree in every decision "
          f"with x equal to rounding (largest relative difference {worst:.2e}), "
          f"{len(old) - len(differ) - rounding} bit for bit")
    for line in differ:
        print("  DIFFERS", line)
    return len(differ)


def _record_revision(rev: str) -> dict:
    """Record with the lm package of git revision ``rev``, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "lm"], check=True,
                                 capture_output=True).stdout
        tarfile.open(fileobj=BytesIO(archive)).extractall(tmp, filter="data")
        out = Path(tmp) / "record.json"
        env = dict(os.environ, HISTORY_CHECK_LM=tmp)
        subprocess.run([sys.executable, __file__, "--record", str(out)], check=True, env=env)
        return json.loads(out.read_text())


if __name__ == "__main__":
    sys.path.insert(0, os.environ.get("HISTORY_CHECK_LM", str(ROOT)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--against", metavar="REV")
    group.add_argument("--record", metavar="FILE")
    group.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    a = parser.parse_args()
    if a.record:
        Path(a.record).write_text(json.dumps(record()))
    elif a.compare:
        sys.exit(compare(*(json.loads(Path(f).read_text()) for f in a.compare)) > 0)
    else:
        print(f"lm of {a.against} against the working tree:")
        sys.exit(compare(_record_revision(a.against), record()) > 0)
