"""Static files of the book's website that ship with ``lm`` (served from the built site).

``selfcheck.js`` and ``selfcheck.css``: the quick questions at the end of each chapter
(written with the ``{selfcheck}`` directive of ``_ext/selfcheck.py``), answered in the page
without a kernel and without network.
"""
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent

__all__ = ["STATIC_DIR"]
