"""Measure the course kit: wall time of `make notebooks`, `make assignments` and `make pdf`,
and the printed book's page count and size.

Run from the repository root after `make book` (so the book itself is not timed):

    .venv/bin/python benchmarks/course_kit.py [--skip notebooks assignments pdf]

Writes the figures to stdout and to benchmarks/course_kit.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "book.pdf"


def timed(target: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(["make", target], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", nargs="*", default=[])
    args = parser.parse_args()
    figures = {"cpus": os.cpu_count(), "python": platform.python_version()}
    for target in ("notebooks", "assignments", "pdf"):
        if target not in args.skip:
            figures[f"make_{target}_s"] = round(timed(target), 1)
            print(f"make {target}: {figures[f'make_{target}_s']} s")
    if PDF.is_file():
        from pypdf import PdfReader

        figures["pdf_pages"] = len(PdfReader(str(PDF)).pages)
        figures["pdf_mb"] = round(PDF.stat().st_size / 1e6, 2)
        print(f"{PDF.relative_to(ROOT)}: {figures['pdf_pages']} pages, {figures['pdf_mb']} MB")
    (ROOT / "benchmarks" / "course_kit.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
