"""The autograded assignments (tools/assignments.py, `make assignments`, otter-grader).

Offline and without Docker: the master notebooks are generated from the built chapters;
one assignment (chapter 05, whose graded exercise is the LM loop written by hand and checked
against `lm`) goes through `otter assign`, and `otter run` grades its reference solution
(full marks) and the untouched student notebook (less than full marks). `make assignments`
runs `otter assign` on all of them, which also runs every reference solution against its
tests.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import assignments  # noqa: E402
import student_notebooks as sn  # noqa: E402

CHAPTER = "05-levenberg-marquardt"


def _need_build():
    if not (ROOT / "_build" / ".doctrees" / "environment.pickle").is_file():
        pytest.skip("the book is not built (`make book`; `make test` does it)")
    if not assignments.OTTER.exists():
        pytest.skip("otter-grader is not installed (requirements.txt)")


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    _need_build()
    out = tmp_path_factory.mktemp("assignments")
    try:
        return out, assignments.write_masters(out)
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def test_most_chapters_of_the_method_have_graded_exercises(masters):
    _, paths = masters
    names = {p.stem for p in paths}
    method = [Path(d).name for d, _ in sn.chapter_sources() if "04" <= Path(d).name[:2] <= "10"]
    assert len(names & set(method)) > len(method) / 2, names
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        raw = [c.source for c in nb.cells if c.cell_type == "raw"]
        assert raw[0].startswith("# ASSIGNMENT CONFIG")
        questions = [s for s in raw if s.startswith("# BEGIN QUESTION")]
        assert questions and len(questions) == raw.count("# END QUESTION") == raw.count("# BEGIN TESTS")
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not re.search(r"\{[\w:-]+\}`", text), "raw MyST roles in the assignment"
        assert "Solution to Exercise" not in text


@pytest.fixture(scope="module")
def assigned(masters, tmp_path_factory):
    out, paths = masters
    master = next(p for p in paths if p.stem == CHAPTER)
    folder = assignments.assign(master, out, run_tests=False)  # the next test grades the solution
    return folder, assignments.autograder_zip(folder)


def test_the_reference_solution_gets_full_marks(assigned, tmp_path):
    folder, zip_ = assigned
    scores = assignments.grade(folder / "autograder" / f"{CHAPTER}.ipynb", zip_, tmp_path / "ref")
    score, total = scores["total"]
    assert total > 0 and score == total, scores


def test_the_untouched_student_notebook_gets_less(assigned, tmp_path):
    folder, zip_ = assigned
    student = folder / "student" / f"{CHAPTER}.ipynb"
    nb = nbformat.read(student, as_version=4)
    assert any(c.cell_type == "code" and c.source.strip() == "..." for c in nb.cells)
    assert "my_lm" not in "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    scores = assignments.grade(student, zip_, tmp_path / "student")
    score, total = scores["total"]
    assert total > 0 and score < total, scores
