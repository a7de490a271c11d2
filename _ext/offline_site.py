"""Local Sphinx extension of the LM course book (``sphinx: local_extensions`` in _config.yml).

It makes the Jupyter Book 1.x site work offline and cleanly in a browser:

1. **No sphinx-thebe on the pages.** Jupyter Book always loads the ``sphinx_thebe``
   extension, even with ``launch_buttons: thebe: false``, and its inline script
   ``const THEBE_JS_URL = "https://unpkg.com/..."`` ends up twice in every page's <head>.
   The second ``const`` is a SyntaxError in the browser ("Identifier 'THEBE_JS_URL' has
   already been declared") and the URL points at a CDN. Because thebe is off in this
   book, we drop every sphinx-thebe asset from each page's context (the inline config
   script, ``sphinx-thebe.js``, ``sphinx-thebe.css``), remove the thebe configuration
   nodes it appends to every document, and drop exact duplicate inline scripts.

3. **The live explorer's scripts.** ``lm/viz/twin.js`` and ``lm/viz/explorer.js`` are
   copied into ``_static/lm-explorer/`` and loaded on the pages that hold an explorer
   of ``lm.viz.static_explorer(..., script="site")`` (never from a CDN).

2. **The .ipynb download.** sphinx-book-theme offers the executed notebook of a MyST
   Markdown page in its download button only when a launch button (Binder, Colab, thebe,
   ...) is configured. This book has none (no network), so we do the same thing the theme
   would do: copy the executed notebook from ``_build/jupyter_execute`` into
   ``_sources`` and set ``ipynb_source`` so the download button lists ``.ipynb``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes

THEBE_MARKERS = ("sphinx-thebe", "THEBE_JS_URL", "thebe@", "thebe_selector")


def _is_thebe_asset(asset) -> bool:
    """True for a sphinx-thebe script or stylesheet (a Sphinx _JavaScript/_CascadingStyleSheet)."""
    filename = getattr(asset, "filename", None) or ""
    if not isinstance(filename, str):
        filename = str(filename)
    body = ""
    attributes = getattr(asset, "attributes", None) or {}
    if isinstance(attributes, dict):
        body = str(attributes.get("body", ""))
    text = f"{filename} {body} {asset if isinstance(asset, str) else ''}"
    return any(marker in text for marker in THEBE_MARKERS)


def _asset_key(asset):
    # Inline scripts come both with filename None (added to the builder directly) and
    # filename '' (re-added from the registry): treat both as "no file".
    filename = getattr(asset, "filename", None) or ""
    attributes = getattr(asset, "attributes", None) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _clean_assets(assets):
    """A new list without thebe assets and without exact duplicates (order kept)."""
    seen = set()
    cleaned = []
    for asset in assets:
        if _is_thebe_asset(asset):
            continue
        key = _asset_key(asset)
        if key in seen:
            continue
        seen.add(key)
        cleaned.append(asset)
    return cleaned


def remove_thebe_nodes(app, doctree, docname):
    """Drop the ``text/x-thebe-config`` and ``kernelName`` raw HTML that sphinx-thebe appends."""
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if "x-thebe-config" in text or "kernelName =" in text:
            node.parent.remove(node)


def _is_md_notebook(app, pagename, context) -> bool:
    if pagename not in app.env.all_docs:
        return False
    metadata = app.env.metadata.get(pagename, {})
    source = str(app.env.doc2path(pagename))
    return "kernelspec" in metadata and source.endswith(".md")


def clean_page_assets(app, pagename, templatename, context, doctree):
    """Drop sphinx-thebe assets and duplicates from the page's scripts and stylesheets.

    Runs last (priority 999): other handlers (e.g. sphinx.ext.mathjax) still add their
    page-specific scripts before. New lists are built, the builder's own are untouched.
    """
    if "script_files" in context:
        context["script_files"] = _clean_assets(context["script_files"])
    if "css_files" in context:
        context["css_files"] = _clean_assets(context["css_files"])


def offer_ipynb_download(app, pagename, templatename, context, doctree):
    """Offer the executed notebook in the download button.

    Runs before the theme's header-button handlers (priority 501).
    """
    if doctree is not None and _is_md_notebook(app, pagename, context):
        executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
        if executed.is_file():
            target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(executed, target)
            context["ipynb_source"] = f"{pagename}.ipynb"


EXPLORER_FILES = ("twin.js", "explorer.js")  # lm/viz: the website's live explorer
EXPLORER_DIR = "lm-explorer"  # under _static
EXPLORER_MARKER = 'class="lm-explorer '


def add_explorer_scripts(app, pagename, templatename, context, doctree):
    """Load the explorer's scripts (lm/viz/twin.js, explorer.js) on the pages that hold an
    explorer written by ``lm.viz.static_explorer(..., script="site")``."""
    if EXPLORER_MARKER in (context.get("body") or ""):
        for name in EXPLORER_FILES:
            app.add_js_file(f"{EXPLORER_DIR}/{name}")


def copy_explorer_scripts(app, exception):
    """Copy the explorer's scripts from the lm package into the built site's _static."""
    if exception is not None or app.builder.format != "html":
        return
    import lm.viz

    source = Path(lm.viz.__file__).resolve().parent
    target = Path(app.outdir) / "_static" / EXPLORER_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in EXPLORER_FILES:
        shutil.copy2(source / name, target / name)


def setup(app):
    # The explorer's scripts: on the pages that need them, copied from the package.
    app.connect("html-page-context", add_explorer_scripts, priority=400)
    app.connect("build-finished", copy_explorer_scripts)
    # After sphinx_thebe's own doctree-resolved handler (priority 500).
    app.connect("doctree-resolved", remove_thebe_nodes, priority=900)
    # Before sphinx-book-theme's header buttons (priority 501).
    app.connect("html-page-context", offer_ipynb_download, priority=450)
    # After every other handler, so page-specific scripts (MathJax) are kept.
    app.connect("html-page-context", clean_page_assets, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
