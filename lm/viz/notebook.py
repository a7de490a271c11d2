"""Small helpers for the book's notebooks: Markdown tables and telling a live Jupyter front
end from the headless executor that builds the website.

References: Jupyter messaging protocol (execute_request metadata, ``cellId`` sent by
JupyterLab / Notebook 7); MyST-NB documentation on Markdown outputs.
"""
from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["markdown_table", "in_live_frontend"]


def markdown_table(header: Sequence[str], rows: Iterable[Sequence]):
    """A Markdown table as an ``IPython.display.Markdown`` object (rendered by JupyterLab
    and, with ``render_markdown_format: gfm``, by the book)."""
    from IPython.display import Markdown

    header = [str(h) for h in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        row = [str(v) for v in row]
        if len(row) != len(header):
            raise ValueError(f"row {row} has {len(row)} cells, the header {len(header)}")
        lines.append("| " + " | ".join(row) + " |")
    return Markdown("\n".join(lines))


def in_live_frontend() -> bool:
    """True when JupyterLab (or Notebook 7) runs the cell, False while the book is built.

    Jupyter front ends send the id of the cell with every execution request; the headless
    executor of the book build does not. The website gets the static explorer, a live
    front end the widgets (which need a kernel).
    """
    try:
        from IPython import get_ipython

        return "cellId" in get_ipython().kernel.get_parent().get("metadata", {})
    except Exception:  # not in an IPython kernel, or a kernel without parent metadata
        return False
