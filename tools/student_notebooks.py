"""Student and solutions notebooks from the book's chapters (``make notebooks``).

A chapter is a MyST Markdown notebook written for the website: its prose holds
``{glue:text}`` numbers, ``{term}``/``{eq}``/``{cite}``/``{ref}``/``{doc}`` roles and
directives (``{math}``, ``{exercise}``, ``{admonition}``, ``{selfcheck}``...) that only
Sphinx renders, and its code holds build-only lines (``glue(...)`` calls and ``assert``
checks). Opened as it is in JupyterLab, a student sees markup instead of numbers.

This module writes, per chapter, two ``.ipynb`` files:

* ``<chapter>.ipynb`` for the student: the prose as the website shows it (glued values
  substituted from the executed notebook in ``_build/jupyter_execute``, equation,
  exercise and section numbers taken from the Sphinx environment of the same build,
  citations as "Author (year)", links to the other chapters' notebooks), without the
  cells tagged ``build-only`` (with ``remove-cell``, which hides them on the site), without ``glue``/``assert`` statements and
  without the exercise solutions;
* ``<chapter>-solutions.ipynb`` for the instructor: the same, with the solutions.

It refuses (ValueError) to drop a build-only statement that binds a name the kept code
still uses, so a student notebook cannot fail with a NameError the chapter does not have.

Usage: ``python tools/student_notebooks.py [--build _build] [--out _build/notebooks]``;
it needs a built book (``make book``) for the glued values and the numbering.
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
BUILD_ONLY_TAGS = {"build-only"}  # with remove-cell: hidden on the site, dropped here
FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


# --- what the build knows: glued values, numbers, titles, references -----------------------

@dataclass
class BookIndex:
    """Numbers and titles of the built book (from the Sphinx environment pickle)."""

    equations: dict = field(default_factory=dict)   # label -> number
    numbered: dict = field(default_factory=dict)    # label -> (kind, number) for exercises, algorithms, figures
    sections: dict = field(default_factory=dict)    # label -> (docname, title)
    titles: dict = field(default_factory=dict)      # docname -> title
    citations: dict = field(default_factory=dict)   # key -> (authors, year)

    @classmethod
    def from_build(cls, build: Path, bibfile: Path | None = None) -> "BookIndex":
        pickled = build / ".doctrees" / "environment.pickle"
        if not pickled.is_file():
            raise FileNotFoundError(f"{pickled} is missing: build the book first (`make book`)")
        with pickled.open("rb") as fh:
            env = pickle.load(fh)
        index = cls()
        for label, (_doc, number) in env.domaindata["math"]["objects"].items():
            index.equations[label] = number
        for doc, kinds in env.toc_fignumbers.items():
            for kind, ids in kinds.items():
                if kind == "displaymath":  # the site numbers equations through the book
                    for ident, number in ids.items():
                        index.equations[ident.removeprefix("equation-")] = ".".join(map(str, number))
                    continue
                for ident, number in ids.items():
                    index.numbered[ident] = (kind, ".".join(map(str, number)))
        for label, (doc, _anchor, title) in env.domaindata["std"]["labels"].items():
            index.sections[label] = (doc, str(title))
        index.titles = {doc: node.astext() for doc, node in env.titles.items()}
        index.citations = read_bib(bibfile or ROOT / "references.bib")
        return index


def read_bib(path: Path) -> dict:
    """key -> (author text as author_year style prints it, year)."""
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    def plain(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    cites = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [plain(" ".join(p.last_names)) for p in people]
        if not last:
            who = plain(entry.fields.get("organization", entry.fields.get("title", key)))
        elif len(last) == 1:
            who = last[0]
        elif len(last) == 2:
            who = f"{last[0]} and {last[1]}"
        else:
            who = f"{last[0]} et al."
        cites[key] = (who, entry.fields.get("year", "n.d."))
    return cites


def glue_values(source: Path, cache_dir: Path) -> dict:
    """key -> text/plain of every value the chapter glued, from its executed notebook.

    MyST-NB drops the ``display=False`` glue outputs from the notebooks it writes to
    ``_build/jupyter_execute``, so they are read from the execution cache (``.jupyter_cache``),
    matched by the chapter's code as MyST-NB matches it.
    """
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(str(cache_dir))
    try:
        record = cache.match_cache_notebook(read_myst_markdown_notebook(source.read_text(encoding="utf-8")))
    except KeyError:
        raise FileNotFoundError(
            f"{source}: no executed version of the current code in {cache_dir}: "
            "build the book first (`make book`)") from None
    nb = cache.get_cache_bundle(record.pk).nb
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            if "name" in meta:
                data = out.get("data", {})
                prefix = meta.get("mime_prefix", "")
                values[meta["name"]] = data.get(prefix + "text/plain", data.get("text/plain", ""))
    return values


# --- prose: roles ---------------------------------------------------------------------------

def _split_titled(body: str) -> tuple[str | None, str]:
    m = TITLED.match(body.strip())
    if m:
        return m.group("text").strip(), m.group("target").strip()
    return None, body.strip()


class Renderer:
    """Turns one chapter's MyST prose into Markdown that JupyterLab renders as the site does."""

    def __init__(self, docname: str, index: BookIndex, glue: dict, section_titles: dict):
        self.docname = docname
        self.index = index
        self.glue = glue
        self.section_titles = section_titles  # label -> title with its $math$, from the sources

    def glue_text(self, body: str) -> str:
        from myst_nb.core.variables import format_plain_text

        key, _, spec = body.partition(":")
        if "::" in body:  # <docpath>::<key>:<spec> (another page)
            raise ValueError(f"{self.docname}: glue from another page is not supported: {body}")
        if key not in self.glue:
            raise ValueError(f"{self.docname}: no glued value {key!r} in the executed notebook")
        return format_plain_text(self.glue[key], spec or "s")

    def doc_link(self, text: str | None, target: str) -> str:
        doc = target.removesuffix(".md")
        if doc.startswith("/"):
            doc = doc.lstrip("/")
        elif "/" not in doc:
            doc = str(Path(self.docname).parent / doc)
        title = text or self.index.titles.get(doc) or doc
        name = Path(doc).name
        if doc.startswith("chapters/") and re.match(r"\d\d-", name):
            return f"[{title}]({name}.ipynb)"
        return f"*{title}*"

    def cite(self, role: str, body: str) -> str:
        keys = [k.strip() for k in body.split(",") if k.strip()]
        missing = [k for k in keys if k not in self.index.citations]
        if missing:
            raise ValueError(f"{self.docname}: unknown citation keys {missing}")
        parts = [self.index.citations[k] for k in keys]
        if role == "cite:t":
            return "; ".join(f"{who} ({year})" for who, year in parts)
        return "(" + "; ".join(f"{who} {year}" for who, year in parts) + ")"

    def role(self, m: re.Match) -> str:
        role, body = m.group("role"), m.group("body")
        if role == "glue:text" or role == "glue":
            return self.glue_text(body)
        if role == "term":
            text, target = _split_titled(body)
            return text or target
        if role == "eq":
            if body not in self.index.equations:
                raise ValueError(f"{self.docname}: unknown equation {body!r}")
            return f"({self.index.equations[body]})"
        if role in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
            return self.cite(role.rstrip("s") if role.endswith("s") and role != "cite" else role, body)
        if role == "doc":
            text, target = _split_titled(body)
            return self.doc_link(text, target)
        if role in ("ref", "numref", "prf:ref"):
            text, label = _split_titled(body)
            if label in self.index.numbered:
                kind, number = self.index.numbered[label]
                if text:
                    return text.replace("{number}", number).replace("%s", number)
                return f"{kind.capitalize()} {number}"
            if text:
                return text
            if label in self.section_titles:
                return self.section_titles[label]
            if label in self.index.sections:
                return self.index.sections[label][1]
            raise ValueError(f"{self.docname}: unknown reference {label!r}")
        if role in ("math",):
            return f"${body}$"
        raise ValueError(f"{self.docname}: no rendering for the role {{{role}}}")

    def inline(self, text: str) -> str:
        # inline code spans are left alone: split on them first
        pieces = re.split(r"((?<!\})``?[^`]+``?)", text)
        out = []
        for piece in pieces:
            if piece.startswith("`"):
                out.append(piece)
            else:
                out.append(ROLE.sub(self.role, piece))
        # a role split by the code-span pass: `{role}` followed by `body` -> retry on the whole
        joined = "".join(out)
        return ROLE.sub(self.role, joined) if ROLE.search(joined) else joined


# --- prose: block structure -----------------------------------------------------------------

@dataclass
class Segment:
    kind: str            # "markdown" or "code"
    text: str
    solution: bool       # part of an exercise solution
    cell: object = None  # the code cell


def _directive_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the directive opened at ``start`` with ``fence``."""
    char = fence[0]
    for i in range(start + 1, len(lines)):
        s = lines[i].strip()
        if s and set(s) == {char} and len(s) >= len(fence):
            return i
        if char == "`" and FENCE.match(lines[i]) is None and re.match(r"^`{3,}", s) and len(s.rstrip("`")) == 0:
            continue
    raise ValueError(f"unclosed directive {lines[start]!r}")


def _options(body: list[str]) -> tuple[dict, list[str]]:
    opts, i = {}, 0
    while i < len(body) and re.match(r"^:[\w-]+:", body[i]):
        key, _, value = body[i][1:].partition(":")
        opts[key] = value.strip()
        i += 1
    return opts, body[i:]


class Chapter:
    """One chapter read from its MyST source, rendered for students."""

    def __init__(self, source: Path, docname: str, index: BookIndex, glue: dict):
        self.source = source
        self.docname = docname
        self.index = index
        self.nb = jupytext.read(source)
        titles = {}
        text = source.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(text[:-1]):
            m = re.match(r"^\((?P<label>[\w-]+)\)=$", line)
            if m:
                j = i + 1
                while j < len(text) and not text[j].strip():
                    j += 1
                h = re.match(r"^#+\s+(.*)$", text[j]) if j < len(text) else None
                if h:
                    titles[m.group("label")] = h.group(1).strip()
        self.render = Renderer(docname, index, glue, titles)

    # directives ---------------------------------------------------------------------------
    def directive(self, name: str, arg: str, body: list[str]) -> list[str]:
        opts, content = _options(body)
        inner = self.block(content)
        r = self.render
        if name == "math":
            label = opts.get("label")
            tex = "\n".join(content).strip()
            tag = f" \\tag{{{self.index.equations[label]}}}" if label in self.index.equations else ""
            return ["$$", tex + tag, "$$"]
        if name == "exercise":
            label = opts.get("label", "")
            number = self.index.numbered.get(label, ("exercise", "?"))[1]
            title = f"Exercise {number}" + (f" ({r.inline(arg)})" if arg else "")
            return [f"**{title}**", "", *inner]
        if name in ("admonition", "note", "tip", "important", "warning", "hint", "prf:algorithm",
                    "prf:definition", "prf:theorem"):
            title = r.inline(arg) if arg else name.split(":")[-1].capitalize()
            if name.startswith("prf:") and opts.get("label") in self.index.numbered:
                kind, number = self.index.numbered[opts["label"]]
                title = f"{kind.capitalize()} {number}" + (f" ({title})" if arg else "")
            return [f"> **{title}**", ">", *[f"> {line}" if line else ">" for line in inner]]
        if name == "selfcheck":
            return self.selfcheck(arg, opts, inner)
        if name in ("glue", "glue:text", "glue:any", "glue:md"):
            return [r.glue_text(arg)]
        if name in ("figure", "image"):
            return [f"![{' '.join(inner).strip()}]({arg})"]
        raise ValueError(f"{self.docname}: no rendering for the directive {{{name}}}")

    def selfcheck(self, arg: str, opts: dict, inner: list[str]) -> list[str]:
        """A self-check question; the answer and explanation folded in a <details> element."""
        r = self.render
        lines = [f"**Self-check.** {r.inline(arg)}", ""]
        if "answer-glue" in opts:
            answer = r.glue_text(opts["answer-glue"].strip())
        else:
            answer = opts.get("answer", "").strip()
        if "choices" in opts:
            choices = [c.strip() for c in opts["choices"].split(" | ") if c.strip()]
            lines += [f"- ({chr(ord('a') + i)}) {r.inline(c)}" for i, c in enumerate(choices)]
            k = int(float(answer)) - 1
            answer = f"({chr(ord('a') + k)}) {r.inline(choices[k])}"
            lines.append("")
        return lines + ["<details><summary>Answer</summary>", "", f"**{answer}**", "",
                        *inner, "", "</details>"]

    def block(self, lines: list[str]) -> list[str]:
        """Render a list of Markdown lines (no solution markers inside)."""
        out, i = [], 0
        while i < len(lines):
            line = lines[i]
            m = FENCE.match(line)
            if m:
                end = _directive_end(lines, i, m.group("fence"))
                out += self.directive(m.group("name"), m.group("arg").strip(), lines[i + 1:end])
                i = end + 1
                continue
            if re.match(r"^`{3,}", line):  # a plain code fence: copy it verbatim
                fence = re.match(r"^`{3,}", line).group(0)
                j = i + 1
                while j < len(lines) and lines[j].strip() != fence:
                    j += 1
                out += lines[i:j + 1]
                i = j + 1
                continue
            if re.match(r"^\([\w-]+\)=\s*$", line):       # a target label
                out.append(f'<a id="{line.strip()[1:-2]}"></a>')
            elif re.match(r"^%", line):                     # a MyST comment
                pass
            else:
                out.append(self.render.inline(line))
            i += 1
        return out

    # cells --------------------------------------------------------------------------------
    def segments(self) -> list[Segment]:
        """The chapter as Markdown and code segments, each marked solution or not."""
        segs: list[Segment] = []
        in_solution = False
        for cell in self.nb.cells:
            if cell.cell_type == "code":
                if BUILD_ONLY_TAGS & set(cell.metadata.get("tags", [])):
                    segs.append(Segment("build-only", cell.source, in_solution, cell))
                else:
                    segs.append(Segment("code", cell.source, in_solution, cell))
                continue
            if cell.cell_type != "markdown":
                continue
            lines = cell.source.splitlines()
            buf: list[str] = []
            i = 0
            while i < len(lines):
                m = FENCE.match(lines[i])
                if m and m.group("name") in ("solution-start", "solution-end"):
                    end = _directive_end(lines, i, m.group("fence"))
                    if buf:
                        segs.append(Segment("markdown", "\n".join(self.block(buf)), in_solution))
                        buf = []
                    if m.group("name") == "solution-start":
                        label = m.group("arg").strip()
                        number = self.index.numbered.get(label, ("exercise", "?"))[1]
                        in_solution = True
                        segs.append(Segment("markdown", f"**Solution to Exercise {number}**", True))
                    else:
                        in_solution = False
                    i = end + 1
                    continue
                if m and m.group("name") == "solution":  # a solution written as one directive
                    end = _directive_end(lines, i, m.group("fence"))
                    if buf:
                        segs.append(Segment("markdown", "\n".join(self.block(buf)), in_solution))
                        buf = []
                    label = m.group("arg").strip()
                    number = self.index.numbered.get(label, ("exercise", "?"))[1]
                    _, content = _options(lines[i + 1:end])
                    segs.append(Segment("markdown", f"**Solution to Exercise {number}**\n\n"
                                        + "\n".join(self.block(content)), True))
                    i = end + 1
                    continue
                buf.append(lines[i])
                i += 1
            if buf:
                segs.append(Segment("markdown", "\n".join(self.block(buf)), in_solution))
        if in_solution:
            raise ValueError(f"{self.docname}: a solution-start without its solution-end")
        return segs

    def notebooks(self) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
        """(student notebook, solutions notebook)."""
        segs = self.segments()
        return (self._notebook([s for s in segs if not s.solution], "student"),
                self._notebook(segs, "solutions"))

    def _notebook(self, segs: list[Segment], audience: str) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = dict(self.nb.metadata.get("kernelspec", {})) or {
            "name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nb.metadata["lm_course"] = {"chapter": self.docname, "audience": audience}
        kept_code: list[str] = []
        dropped: list[tuple[str, str]] = []  # (what, code)
        cells = []
        for seg in segs:
            if seg.kind == "markdown":
                text = seg.text.strip("\n")
                if not text.strip():
                    continue
                if cells and cells[-1].cell_type == "markdown":
                    cells[-1].source += "\n\n" + text
                else:
                    cells.append(nbformat.v4.new_markdown_cell(text))
            elif seg.kind == "build-only":
                dropped.append(("a cell tagged build-only", seg.text))
            else:
                code, removed = strip_build_only(seg.text)
                dropped += [("a glue/assert statement", r) for r in removed]
                if code.strip():
                    tags = [t for t in seg.cell.metadata.get("tags", []) if t not in BUILD_ONLY_TAGS]
                    cell = nbformat.v4.new_code_cell(code)
                    if tags:
                        cell.metadata["tags"] = tags
                    cells.append(cell)
                    kept_code.append(code)
        check_dropped_names(self.docname, dropped, kept_code)
        nb.cells = cells
        return nb


# --- code: build-only statements --------------------------------------------------------------

def _is_build_only(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        f = node.value.func
        return (isinstance(f, ast.Name) and f.id == "glue") or (
            isinstance(f, ast.Attribute) and f.attr == "glue")
    if isinstance(node, ast.ImportFrom) and node.module == "myst_nb":
        return all(a.name == "glue" for a in node.names)
    return False


def strip_build_only(code: str) -> tuple[str, list[str]]:
    """Remove ``glue(...)`` calls, ``assert`` statements and ``from myst_nb import glue``.

    A block whose body would become empty keeps a ``pass``. Returns the new code and the
    removed statements' source. Code that is not Python (cell magics) is left unchanged.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code, []
    lines = code.splitlines()
    drop: dict[int, str] = {}   # first line (0-based) -> replacement ("" or "pass")
    spans: list[tuple[int, int]] = []
    removed = []

    def visit(body: list[ast.stmt]):
        build = [n for n in body if _is_build_only(n)]
        for n in body:
            for attr in ("body", "orelse", "finalbody"):
                child = getattr(n, attr, None)
                if isinstance(child, list) and child and isinstance(child[0], ast.stmt):
                    visit(child)
            for h in getattr(n, "handlers", []):
                visit(h.body)
        for k, n in enumerate(build):
            spans.append((n.lineno - 1, n.end_lineno - 1))
            removed.append("\n".join(lines[n.lineno - 1:n.end_lineno]))
            drop[n.lineno - 1] = "pass" if (len(build) == len(body) and k == 0) else ""

    visit(tree.body)
    if not spans:
        return code, []
    gone = set()
    for a, b in spans:
        if any(ln.strip() and ";" in ln for ln in lines[a:b + 1]):
            pass  # statements sharing a line with others: handled by the line check below
        gone.update(range(a, b + 1))
    out = []
    for i, line in enumerate(lines):
        if i in drop and drop[i] == "pass":
            out.append(line[:len(line) - len(line.lstrip())] + "pass")
        elif i not in gone:
            out.append(line)
    new = "\n".join(out)
    try:
        ast.parse(new)
    except SyntaxError:  # e.g. a statement on a line shared with others: keep the cell as it is
        return code, []
    new = re.sub(r"\n{3,}", "\n\n", new).strip("\n")
    return new, removed


def _names(code: str) -> tuple[set, set]:
    """(names bound, names loaded) anywhere in ``code``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(), set()
    bound, loaded = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound, loaded


def check_dropped_names(docname: str, dropped: list, kept: list[str]) -> None:
    """ValueError if dropped code binds a name that the kept code uses but never binds."""
    kept_bound, kept_loaded = set(), set()
    for code in kept:
        b, l_ = _names(code)
        kept_bound |= b
        kept_loaded |= l_
    for what, code in dropped:
        bound, _ = _names(code)
        needed = (bound & kept_loaded) - kept_bound
        if needed:
            raise ValueError(
                f"{docname}: {what} binds {sorted(needed)}, which the student notebook still "
                f"uses; move the definition out of it:\n{code}")


# --- the whole book ----------------------------------------------------------------------------

def chapter_sources(root: Path = ROOT) -> list[tuple[str, Path]]:
    """(docname, path) of the numbered chapters (NN-name.md) in _toc.yml order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = []
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            docs.append(re.sub(r"\.(md|ipynb)$", "", ch["file"]))
            docs += [re.sub(r"\.(md|ipynb)$", "", s["file"]) for s in ch.get("sections", [])]
    return [(d, root / f"{d}.md") for d in docs if re.match(r"\d\d-", Path(d).name)]


def write_all(build: Path, out: Path, root: Path = ROOT, cache: Path | None = None) -> list[Path]:
    """Write the student and solutions notebooks of every chapter into ``out``."""
    cache = cache or root / ".jupyter_cache"
    index = BookIndex.from_build(build, root / "references.bib")
    out.mkdir(parents=True, exist_ok=True)
    (out / "solutions").mkdir(exist_ok=True)
    written = []
    for docname, source in chapter_sources(root):
        chapter = Chapter(source, docname, index, glue_values(source, cache))
        student, solutions = chapter.notebooks()
        name = Path(docname).name
        for nb, path in ((student, out / f"{name}.ipynb"),
                         (solutions, out / "solutions" / f"{name}-solutions.ipynb")):
            nbformat.write(nb, path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "_build")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "notebooks")
    args = parser.parse_args(argv)
    written = write_all(args.build, args.out)
    print(f"wrote {len(written)} notebooks to {args.out} (solutions in {args.out / 'solutions'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
