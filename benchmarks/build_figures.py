"""Measure the book build: clean build, cached rebuilds, and the largest page.

Usage (from the repository root, after ``make venv``)::

    .venv/bin/python benchmarks/build_figures.py            # print a markdown table
    .venv/bin/python benchmarks/build_figures.py --readme   # ... and put it into README.md

So as not to disturb anyone working in the repository, the book is built in a temporary
copy of the work tree (tracked and untracked, not ignored, files; nothing beside it, as on
a teacher's clone: the data ship inside ``lm``). Figures:

1. **clean build**: no ``_build``, no ``.jupyter_cache``: every chapter is executed;
2. **rebuild, no change**: the same command again (Sphinx finds nothing to do);
3. **rebuild of every page from the cache**: ``--all`` re-reads and re-writes every page,
   but the notebooks come from ``.jupyter_cache`` (nothing is executed): what a change of
   configuration or theme costs;
4. **largest page**: for each page, its HTML plus the files it references that are specific
   to it (figures in ``_images``, downloads), *excluding* the shared theme assets under
   ``_static`` (CSS, JS, fonts, MathJax; these are cached by the browser after the first
   page); the shared assets a page references directly are reported separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")
BUILD_ARGS = ["build", "-W", "-n", "--keep-going"]
START, END = "<!-- build-figures:start -->", "<!-- build-figures:end -->"


def work_tree_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def make_copy(tmp: Path) -> Path:
    book = tmp / ROOT.name
    for rel in work_tree_files():
        dest = book / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    return book


def timed_build(book: Path, *extra: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(JB), *BUILD_ARGS, *extra, "."], cwd=book, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"the book build failed (exit {proc.returncode}) in {book}")
    return elapsed


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("img", "script", "source", "video", "audio", "iframe", "embed") and a.get("src"):
            self.refs.append(a["src"])
        elif tag == "link" and a.get("href") and re.search(
            r"stylesheet|icon|preload", a.get("rel") or "", re.I
        ):
            self.refs.append(a["href"])
        elif tag == "object" and a.get("data"):
            self.refs.append(a["data"])
        elif tag == "a" and a.get("href") and "_downloads/" in a["href"]:
            self.refs.append(a["href"])


def page_sizes(html_dir: Path) -> list[dict]:
    rows = []
    for page in sorted(html_dir.rglob("*.html")):
        rel = page.relative_to(html_dir)
        if rel.parts[0].startswith("_") or rel.name in ("search.html", "genindex.html", "index.html"):
            continue
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        own, shared = set(), set()
        for ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc:  # data: URIs are inside the HTML already
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                continue
            inside = target.relative_to(html_dir.resolve())
            (shared if inside.parts[0] == "_static" else own).add(target)
        html_bytes = page.stat().st_size
        own_bytes = sum(p.stat().st_size for p in own)
        rows.append({
            "page": rel.as_posix(),
            "html": html_bytes,
            "own_assets": own_bytes,
            "n_own_assets": len(own),
            "total": html_bytes + own_bytes,
            "shared_static": sum(p.stat().st_size for p in shared),
        })
    return sorted(rows, key=lambda r: r["total"], reverse=True)


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def measure() -> str:
    with tempfile.TemporaryDirectory(prefix="lm-book-bench-") as tmp:
        book = make_copy(Path(tmp))
        clean = timed_build(book)
        again = timed_build(book)
        every = timed_build(book, "--all")
        html = book / "_build" / "html"
        rows = page_sizes(html)
        site = tree_size(html)
        mathjax = tree_size(html / "_static" / "mathjax") if (html / "_static" / "mathjax").is_dir() else 0
        n_chapters = len(list((book / "chapters").glob("*.md")))
    big = rows[0]
    today = dt.date.today().isoformat()
    lines = [
        f"Measured by `benchmarks/build_figures.py` on {today}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, {n_chapters} pages in chapters/.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| clean build (no `_build`, no `.jupyter_cache`: every chapter executed) | {clean:.1f} s |",
        f"| rebuild with no change | {again:.1f} s |",
        f"| rebuild of every page (`--all`), notebooks from the cache | {every:.1f} s |",
        f"| largest page: `{big['page']}`, HTML + its own figures/downloads ({big['n_own_assets']} files), excluding shared `_static` theme assets | {mb(big['total'])} (HTML {mb(big['html'])}) |",
        f"| shared `_static` assets that page references directly (CSS/JS; cached by the browser; MathJax fonts load on demand) | {mb(big['shared_static'])} |",
        f"| whole site `_build/html` (of which local MathJax {mb(mathjax)}) | {mb(site)} |",
        "",
        "Largest pages (HTML + own assets): "
        + ", ".join(f"`{r['page']}` {mb(r['total'])}" for r in rows[:5])
        + ".",
    ]
    return "\n".join(lines)


def write_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        head = "## Build figures"
        if head not in text:
            text = text.rstrip() + f"\n\n{head}\n"
        i = text.index(head) + len(head)
        nxt = text.find("\n## ", i)
        nxt = len(text) if nxt < 0 else nxt
        text = text[:i] + "\n\n" + block + "\n" + text[nxt:]
    readme.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = ap.parse_args()
    if not JB.exists():
        raise SystemExit(f"{JB} not found: run `make venv` first")
    table = measure()
    print(table)
    if args.readme:
        write_readme(table)


if __name__ == "__main__":
    main()
