"""Print the single-page HTML build of the book to one PDF (``make pdf``).

``jupyter-book build --builder singlehtml`` writes the whole book as one page
(``_build/singlehtml/intro.html``; ``index.html`` only redirects to it). This script opens it in Debian's Chromium through
Playwright (never ``playwright install``: ``/usr/bin/chromium``), blocks every request that
is not a local file, waits until MathJax has typeset every formula (``MathJax.startup.promise``
and no ``mjx-merror`` nodes), and prints it with ``page.pdf`` (A4, backgrounds on, the
browser's print stylesheet, which the theme uses to drop the sidebars).

Usage: ``python tools/print_pdf.py _build/print/_build/singlehtml/intro.html _build/pdf/book.pdf``
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

CHROMIUM = os.environ.get("LM_BOOK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# A little print CSS on top of the theme's: no navigation chrome, code wraps instead of being
# cut at the page edge, figures and equations are not split across pages.
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .prev-next-area,
.bd-footer-content, .bd-footer-article, .lm-selfcheck-controls, .search-button-field,
#pst-back-to-top, .headerlink { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
pre, .highlight pre { white-space: pre-wrap !important; word-break: break-word; }
img, figure, .math, mjx-container[display="true"] { break-inside: avoid; }
.cell_output img { max-width: 100% !important; height: auto !important; }
details.dropdown, details { display: block; }
"""


def print_pdf(html: Path, pdf: Path, timeout_s: float = 180) -> dict:
    """Print ``html`` to ``pdf``; returns {'seconds', 'bytes', 'math'} (math = typeset formulas)."""
    from playwright.sync_api import sync_playwright

    html, pdf = Path(html).resolve(), Path(pdf)
    if not html.is_file():
        raise FileNotFoundError(f"{html} is missing: run the singlehtml build first (`make pdf` does it)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 1400})

            def route(r):
                if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            page.goto(html.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            # open every solution dropdown so that the printed book shows them
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=timeout_s * 1000)
            page.evaluate("() => MathJax.startup.promise")
            page.evaluate("() => MathJax.typesetPromise ? MathJax.typesetPromise() : null")
            math = page.evaluate("() => document.querySelectorAll('mjx-container').length")
            errors = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
            if errors:
                raise RuntimeError(f"MathJax could not typeset {errors} formulas")
            page.add_style_tag(content=PRINT_CSS)
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True,
                     outline=True, tagged=True,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
        finally:
            browser.close()
    if blocked:
        raise RuntimeError(f"the book asked for non-local resources (blocked): {sorted(set(blocked))[:5]}")
    return {"seconds": time.perf_counter() - t0, "bytes": pdf.stat().st_size, "math": math}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("pdf", type=Path)
    args = parser.parse_args(argv)
    info = print_pdf(args.html, args.pdf)
    print(f"wrote {args.pdf} ({info['bytes'] / 1e6:.1f} MB, {info['math']} formulas, "
          f"printed in {info['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
