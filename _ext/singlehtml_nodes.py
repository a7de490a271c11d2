"""Local Sphinx extension: the single-page HTML build (``make pdf``) renders every node.

Extensions register how their nodes are written per builder *name*, and most of them only
for ``html`` (MyST-NB's ``HideCodeCellNode`` of ``hide-input`` cells, for one). The
``singlehtml`` builder writes with the same HTML translator, so at its start every handler
registered for ``html`` that ``singlehtml`` lacks is registered for it too.
"""
from __future__ import annotations


def share_html_handlers(app) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, pair in handlers.get("html", {}).items():
        single.setdefault(node_name, pair)


def setup(app):
    app.connect("builder-inited", share_html_handlers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
