"""`make book` fails, naming the chapter, as long as any chapter's execution failed, also on
a rebuild where Sphinx re-reads nothing (the _ext/execution_guard.py extension)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

CONFIG = f"""title: guard test
only_build_toc_files: true
execute:
  execute_notebooks: cache
  allow_errors: false
sphinx:
  local_extensions:
    execution_guard: {ROOT / "_ext"}
"""
CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# A chapter

```{{code-cell}} ipython3
{code}
```
"""


def build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(JUPYTER_BOOK), "build", "-W", "-n", "--keep-going", str(book)],
                          capture_output=True, text=True, timeout=300)


def test_a_failed_chapter_fails_every_build_until_it_is_fixed(tmp_path):
    (tmp_path / "_config.yml").write_text(CONFIG)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: broken\n")
    (tmp_path / "intro.md").write_text("# Intro\n\nText.\n")
    (tmp_path / "broken.md").write_text(CHAPTER.format(code='raise RuntimeError("deliberate")'))
    for _ in range(2):   # the second build has nothing new to read
        run = build(tmp_path)
        assert run.returncode != 0
        assert "executing these chapters failed" in run.stdout + run.stderr
        assert "broken" in (run.stdout + run.stderr).split("executing these chapters failed", 1)[1]
    (tmp_path / "broken.md").write_text(CHAPTER.format(code="1 + 1"))
    assert build(tmp_path).returncode == 0
