"""Autograded assignments from the chapters' exercises, with otter-grader (``make assignments``).

A *graded* exercise is one whose solution (between ``{solution-start}`` and
``{solution-end}``) contains a code cell tagged ``autograde`` (with ``remove-cell`` and
``build-only``, so the website hides it and the student notebooks drop it). That cell holds
the checks of the answer, as ``assert`` statements; its first comment line
``# graded: ...`` tells the student what to define. The book executes it at every build,
right after the reference solution, so the checks are known to pass on it.

For each chapter with graded exercises this module writes an otter-grader *master
notebook* of the chapter's exercises: the chapter's title, the chapter code the exercises
need (the cells binding the names the solutions and tests use, followed back through the
names those cells use), and every exercise as the student notebook shows it
(tools/student_notebooks.py), each graded one turned into an otter question (prompt; the
reference solution's code between ``# BEGIN SOLUTION`` and ``# END SOLUTION``; the
``autograde`` cell as its test), the others left as plain prompts. Then ``otter assign``
turns it into ``<out>/<name>/student/<name>.ipynb`` (solutions replaced by ``...``) and
``<out>/<name>/autograder/<name>-autograder_*.zip`` (the tests). ``grade`` grades a
submission offline with ``otter run`` (no Docker, no network).

Usage: ``python tools/assignments.py [--out _build/assignments] [--only 05-levenberg-marquardt]``
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import student_notebooks as sn  # noqa: E402

ROOT = sn.ROOT
GRADE_TAG = "autograde"
OTTER = Path(sys.executable).with_name("otter")

ASSIGNMENT_CONFIG = """# ASSIGNMENT CONFIG
name: {name}
init_cell: true
check_all_cell: false
export_cell: false
run_tests: true
solutions_pdf: false
template_pdf: false
generate: true
"""


def _graded_labels(segments) -> dict:
    """label of each graded exercise -> its test cells (source), in order."""
    graded, label = {}, None
    for seg in segments:
        if seg.kind == "markdown" and seg.solution:
            m = re.match(r"\*\*Solution to Exercise (\S+)\*\*", seg.text)
            if m:
                label = m.group(1)
        if seg.kind == "build-only" and seg.solution and GRADE_TAG in seg.cell.metadata.get("tags", []):
            graded.setdefault(label, []).append(seg.cell.source)
    return graded


def _instruction(test_source: str) -> str:
    m = re.search(r"(?m)^# graded: (.+)$", test_source)
    return m.group(1).strip() if m else ""


def _slice(code_cells: list[str], needed: set) -> list[str]:
    """The code cells (in order) that bind, directly or through each other, the names in ``needed``."""
    keep = []
    needed = set(needed)
    for code in reversed(code_cells):
        bound, loaded = sn._names(code)
        if bound & needed:
            keep.append(code)
            needed = (needed - bound) | (loaded - bound)
    return list(reversed(keep))


def master_notebook(chapter: sn.Chapter, name: str) -> nbformat.NotebookNode | None:
    """The otter master notebook of one chapter's exercises, or None when none is graded.

    It holds the chapter's title, the code the exercises need (the chapter's code cells that
    bind a name the solutions or tests use, found by following the names back), and every
    exercise: the graded ones as otter questions, the others as plain prompts.
    """
    segs = chapter.segments()
    graded = _graded_labels(segs)
    if not graded:
        return None
    v4 = nbformat.v4
    title = chapter.index.titles.get(chapter.docname, name)
    chapter_code, exercises = [], []      # exercises: [prompt, number or None, solution code]
    in_exercises = False
    current = None
    for seg in segs:
        if seg.kind == "markdown" and not seg.solution:
            if in_exercises and re.search(r"(?m)^## (References|Self-check|Summary)", seg.text):
                in_exercises = False
            if re.search(r"(?m)^## Exercises", seg.text):
                in_exercises = True
                seg_text = seg.text.split("## Exercises", 1)[1]
            else:
                seg_text = seg.text
            if in_exercises:
                for part in re.split(r"(?m)^(?=\*\*Exercise )", seg_text):
                    if part.strip():
                        exercises.append([part.strip(), None, []])
        elif seg.kind == "markdown" and seg.solution:
            m = re.match(r"\*\*Solution to Exercise (\S+)\*\*", seg.text)
            if m:
                current = m.group(1)
                if current in graded and exercises:
                    exercises[-1][1] = current
        elif seg.kind == "code" and not seg.solution:
            code, _ = sn.strip_build_only(seg.text)
            if code.strip():
                chapter_code.append(code)
        elif seg.kind == "code" and seg.solution and current in graded and exercises:
            code, _ = sn.strip_build_only(seg.text)
            if code.strip() and exercises[-1][1] == current:
                exercises[-1][2].append(code)
    needed = set()
    for _, number, solution in exercises:
        if number:
            for code in solution + graded[number]:
                bound, loaded = sn._names(code)
                needed |= loaded - bound
    cells = [v4.new_raw_cell(ASSIGNMENT_CONFIG.format(name=name)),
             v4.new_markdown_cell(f"# Exercises: {title}\n\nRead the chapter first (`{name}.ipynb`); "
                                  "the cells below set up what its exercises use. Each graded exercise "
                                  "has a cell with `...` for your code and a `grader.check` cell that "
                                  "tells you whether your answer passes the public checks.")]
    cells += [v4.new_code_cell(code) for code in _slice(chapter_code, needed)]
    for prompt, number, solution in exercises:
        if not number:
            cells.append(v4.new_markdown_cell(prompt))
            continue
        tests = graded[number]
        what = " ".join(_instruction(t) for t in tests if _instruction(t))
        cells.append(v4.new_raw_cell(f"# BEGIN QUESTION\nname: exercise-{number}\npoints: {len(tests)}"))
        cells.append(v4.new_markdown_cell(prompt + (f"\n\n*Graded:* {what}." if what else "")))
        cells.append(v4.new_raw_cell("# BEGIN SOLUTION"))
        for code in solution:
            cells.append(v4.new_code_cell("# BEGIN SOLUTION\n" + code + "\n# END SOLUTION"))
        cells.append(v4.new_raw_cell("# END SOLUTION"))
        cells.append(v4.new_raw_cell("# BEGIN TESTS"))
        for test in tests:
            body = "\n".join(line for line in test.splitlines() if not line.startswith("# graded:"))
            cells.append(v4.new_code_cell(body.strip()))
        cells.append(v4.new_raw_cell("# END TESTS"))
        cells.append(v4.new_raw_cell("# END QUESTION"))
    missing = [n for n in graded if n not in {e[1] for e in exercises}]
    if missing:
        raise ValueError(f"{chapter.docname}: graded exercises {missing} not found among the exercises")
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write_masters(out: Path, only: list[str] | None = None, build: Path = ROOT / "_build") -> list[Path]:
    index = sn.BookIndex.from_build(build, ROOT / "references.bib")
    masters = []
    for docname, source in sn.chapter_sources():
        name = Path(docname).name
        if only and name not in only:
            continue
        chapter = sn.Chapter(source, docname, index, sn.glue_values(source, ROOT / ".jupyter_cache"))
        nb = master_notebook(chapter, name)
        if nb is None:
            continue
        folder = out / "masters"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        masters.append(path)
    return masters


def assign(master: Path, out: Path, run_tests: bool = True) -> Path:
    """Run ``otter assign``; returns the assignment's folder (student/ and autograder/).

    With ``run_tests`` (the default) otter runs the reference solutions against their tests
    and this function fails if any test fails.
    """
    master, target = master.resolve(), (out / master.stem).resolve()
    if target.exists():
        shutil.rmtree(target)
    cmd = [str(OTTER), "assign", "--no-pdfs", str(master), str(target)]
    if not run_tests:
        cmd.insert(2, "--no-run-tests")
    proc = subprocess.run(cmd, cwd=master.parent, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"otter assign {master.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    if re.search(r"(?i)tests? (case )?failed|❌", proc.stdout + proc.stderr):
        raise RuntimeError(f"the reference solutions of {master.name} fail their tests:\n{proc.stdout[-3000:]}")
    return target


def autograder_zip(folder: Path) -> Path:
    zips = sorted((folder / "autograder").glob("*-autograder_*.zip"))
    if not zips:
        raise FileNotFoundError(f"no autograder zip in {folder / 'autograder'}")
    return zips[-1]


def grade(submission: Path, autograder: Path, workdir: Path) -> dict:
    """Grade one notebook offline with ``otter run``: {question: (score, max)} plus 'total'."""
    submission, autograder, workdir = submission.resolve(), autograder.resolve(), workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([str(OTTER), "run", "-a", str(autograder), "-o", str(workdir), str(submission)],
                          capture_output=True, text=True)
    results = workdir / "results.json"
    if not results.is_file():
        raise RuntimeError(f"otter run wrote no results:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    data = json.loads(results.read_text())
    scores = {t["name"]: (t.get("score", 0.0) or 0.0, t.get("max_score", 0.0) or 0.0)
              for t in data["tests"] if t.get("max_score") is not None and t["name"] != "Public Tests"}
    scores["total"] = (sum(s for s, _ in scores.values()), sum(m for _, m in scores.values()))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "assignments")
    parser.add_argument("--only", nargs="*", help="chapter names, e.g. 05-levenberg-marquardt")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    for master in write_masters(args.out, args.only):
        t = time.perf_counter()
        folder = assign(master, args.out)
        print(f"{master.stem}: {folder / 'student'}, {autograder_zip(folder).name} ({time.perf_counter() - t:.0f} s)")
    print(f"assignments written to {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
