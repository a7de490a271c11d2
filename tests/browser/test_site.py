"""Real-browser tests of the built book (headless Debian chromium via Playwright).

Over every built page: no console error, no failed request, no non-local request (all
are blocked), math typeset by the local MathJax, sidebar links resolve, and no sideways
scrolling at phone width. Plus: next/prev navigation follows _toc.yml, the search page
finds "Jacobian", one full-page screenshot per chapter, and the sliders of the live
explorers (``input[type=range][data-lm-static]`` from ``lm.viz.static_explorer``) change the
figure (their behaviour in detail: tests/browser/test_explorer.py).

To keep the run short on 2 cores, each page is opened once at desktop width and once at
390 px; everything is measured during those two visits (``visit`` below, cached for the
session) and each test asserts one aspect of the result.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import toc_files

from .conftest import (
    DESKTOP,
    HTML_DIR,
    PHONE,
    ROOT,
    SCREENSHOT_DIR,
    built_pages,
    content_pages,
)

pytestmark = pytest.mark.browser

ALL_PAGES = built_pages() or ["<no _build/html>"]
CONTENT_PAGES = content_pages() or ["<no _build/html>"]
CHAPTER_PAGES = [p for p in CONTENT_PAGES if p.startswith("chapters/")] or ["<no chapters>"]
SLIDER = "input[type=range][data-lm-static]"


def _need_built(rel: str) -> None:
    if rel.startswith("<"):
        pytest.skip("_build/html is missing: build the book first (`make book`; `make test` does it)")


def toc_order() -> list[str]:
    """Pages in reading order according to _toc.yml, as paths relative to _build/html."""
    return [f + ".html" for f in toc_files()]


def url_to_rel(site, url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == site.netloc, f"{url} is not on the local site"
    return parts.path.lstrip("/")


# --- JavaScript run in the pages ------------------------------------------------------

# Visible text of the main content without code, scripts and MathJax's own output.
VISIBLE_TEXT_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
       .forEach(e => e.remove());
  return clone.innerText;
}"""

# Sphinx marks math with the class "math" (span for inline, div for display math).
MATH_JS = """() => ({
  formulas: document.querySelectorAll('main span.math, main div.math').length,
  typeset: document.querySelectorAll('main mjx-container').length,
  errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  scripts: Array.from(document.scripts).map(s => s.src).filter(s => /mathjax/i.test(s)),
})"""

# Inline scripts of the page, and whether sphinx-thebe's global exists.
INLINE_SCRIPTS_JS = """() => ({
  inline: Array.from(document.scripts).filter(s => !s.src && s.type !== 'text/x-thebe-config'
           && s.type !== 'application/json').map(s => s.textContent.trim()).filter(t => t),
  thebeGlobal: (() => { try { return typeof THEBE_JS_URL !== 'undefined'; } catch (e) { return false; } })(),
  thebeConfig: document.querySelectorAll('script[type="text/x-thebe-config"]').length,
})"""

SCROLL_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"

# Elements that stick out to the right and are not inside a scrolling/clipping box: the
# ones that make the page scroll sideways.
WIDEST_ELEMENTS_JS = """() => {
  const w = window.innerWidth, out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.right <= w + 1 || r.width === 0 || getComputedStyle(e).position === 'fixed') continue;
    let a = e.parentElement, clipped = false;
    while (a && a !== document.body) {
      if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
      a = a.parentElement;
    }
    if (!clipped) out.push(e.tagName.toLowerCase()
        + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
        + ' (right=' + Math.round(r.right) + '): ' + e.outerHTML.slice(0, 120));
    if (out.length >= 6) break;
  }
  return out;
}"""

# Phone layout (390 px): table cells that break inside a word, display math that overflows
# its box without a scroll cue, and how far each figure image is shrunk.
PHONE_LAYOUT_JS = """async () => {
  await document.fonts.ready;                      // measure the final layout
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const main = document.querySelector('main') || document.body;
  const broken = [];
  const wordChar = /[\\p{L}\\p{N}]/u;
  const han = /[\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef]/u;
  for (const cell of main.querySelectorAll('table td, table th')) {
    // a line break between two letters or digits: the cell broke inside a word
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest('mjx-container') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});  // not MathJax's hidden MathML
    let prev = null, found = null;
    for (let node = walker.nextNode(); node && !found; node = walker.nextNode()) {
      for (let i = 0; i < node.length && !found; i++) {
        const ch = node.data[i];
        if (/\\s/.test(ch)) { prev = null; continue; }
        const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getBoundingClientRect();
        if (!rect.width) continue;
        if (prev && rect.top > prev.top + rect.height / 2 && wordChar.test(prev.ch) && wordChar.test(ch)
            && !han.test(prev.ch) && !han.test(ch))   // Chinese may break between any two characters
          found = prev.ch + '|' + ch;
        prev = {top: rect.top, ch};
      }
    }
    if (found) broken.push((cell.innerText || '').trim().slice(0, 60) + ` (broken at ${found})`);
    if (broken.length >= 5) break;
  }
  const scrollers = [];
  for (const box of main.querySelectorAll('div.math, mjx-container[display="true"], .pst-scrollable-table-container, .cell_output table')) {
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const style = getComputedStyle(box);
    scrollers.push({what: box.tagName.toLowerCase() + '.' + (box.className || ''),
                    overflow: style.overflowX, cue: /gradient/.test(style.backgroundImage),
                    text: (box.textContent || '').trim().slice(0, 50)});
  }
  const figures = [];
  for (const img of main.querySelectorAll('img')) {
    if (img.closest('.lm-static-explorer') || !img.naturalWidth) continue;
    const fig = img.closest('figure');
    figures.push({src: img.getAttribute('src'), alt: img.getAttribute('alt') || '',
                  id: fig ? fig.id : '', caption: fig && fig.querySelector('figcaption') ? fig.querySelector('figcaption').innerText.trim() : '',
                  scale: img.getBoundingClientRect().width / img.naturalWidth});
  }
  return {broken, scrollers, figures};
}"""

FRAME_SIGNATURE_JS = """(slider) => {
  const box = slider.closest('.lm-static-explorer') || slider.parentElement;
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const parts = [];
  box.querySelectorAll('img').forEach(e => { if (visible(e)) parts.push('img:' + e.currentSrc + '|' + e.src); });
  box.querySelectorAll('svg').forEach(e => { if (visible(e)) parts.push('svg:' + e.outerHTML); });
  box.querySelectorAll('canvas').forEach(e => { if (visible(e)) {
      try { parts.push('canvas:' + e.toDataURL()); } catch (err) { parts.push('canvas:tainted'); } } });
  return {inBox: !!slider.closest('.lm-static-explorer'), frames: parts.length, sig: parts.join('\\n')};
}"""

FRAME_ELEMENT_JS = """(slider) => {
  const box = slider.closest('.lm-static-explorer') || slider.parentElement;
  return Array.from(box.querySelectorAll('img, svg, canvas'))
    .find(e => e.getBoundingClientRect().width > 0) || null; }"""

MOVE_SLIDER_JS = """(slider) => {
  const min = Number(slider.min || 0), max = Number(slider.max || 100);
  const now = Number(slider.value);
  const target = now < max ? max : min;
  slider.value = String(target);
  slider.dispatchEvent(new Event('input', {bubbles: true}));
  slider.dispatchEvent(new Event('change', {bubbles: true}));
  return [now, Number(slider.value)];
}"""


# --- One visit per page and viewport, cached -------------------------------------------

_VISITS: dict[tuple[str, str], dict] = {}


def _frame_shot(slider) -> str | None:
    frame = slider.evaluate_handle(FRAME_ELEMENT_JS).as_element()
    if frame is None:
        return None
    return hashlib.sha256(frame.screenshot()).hexdigest()


def _exercise_sliders(page, rel) -> tuple[int, list[str]]:
    """Move every static slider (input event, then keyboard); return (count, failures)."""
    sliders = page.query_selector_all(SLIDER)
    failures = []
    for i, slider in enumerate(sliders):
        slider.scroll_into_view_if_needed()
        before = slider.evaluate(FRAME_SIGNATURE_JS)
        if not before["inBox"]:
            failures.append(f"slider {i} is not inside a .lm-static-explorer")
        if before["frames"] == 0:
            failures.append(f"slider {i} has no visible img/svg/canvas frame")
            continue
        shot_before = _frame_shot(slider)
        old, new = slider.evaluate(MOVE_SLIDER_JS)
        if old == new:
            failures.append(f"slider {i} could not be moved (value {old})")
            continue
        page.wait_for_timeout(150)
        after = slider.evaluate(FRAME_SIGNATURE_JS)
        shot_after = _frame_shot(slider)
        if before["sig"] == after["sig"] and shot_before == shot_after:
            failures.append(f"moving slider {i} from {old} to {new} did not change the displayed frame")
            continue
        # and back with the keyboard: the frame changes again
        slider.focus()
        page.keyboard.press("Home" if new > old else "End")
        page.wait_for_timeout(150)
        back = slider.evaluate(FRAME_SIGNATURE_JS)
        if back["sig"] == after["sig"] and _frame_shot(slider) == shot_after:
            failures.append(f"moving slider {i} with the keyboard did not change the displayed frame")
    return len(sliders), failures


def visit(site, rel: str, viewport_name: str) -> dict:
    """Open ``rel`` once at 'desktop' or 'phone' width and measure everything."""
    key = (rel, viewport_name)
    if key in _VISITS:
        return _VISITS[key]
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    target = "search.html?q=Jacobian" if rel == "search.html" else rel
    page, log = site.open(target, viewport=viewport)
    result: dict = {"rel": rel}
    try:
        result["problems_on_load"] = log.problems()
        result["scripts"] = page.evaluate(INLINE_SCRIPTS_JS)
        result["math"] = page.evaluate(MATH_JS)
        result["visible_text"] = page.evaluate(VISIBLE_TEXT_JS)
        result["sidebar"] = page.eval_on_selector_all(
            "nav.bd-docs-nav a.reference", "els => els.map(e => e.href)"
        )
        result["scroll"] = page.evaluate(SCROLL_JS)
        result["widest"] = (
            page.evaluate(WIDEST_ELEMENTS_JS) if result["scroll"][0] > result["scroll"][1] + 1 else []
        )
        if viewport_name == "desktop" and rel.startswith("chapters/"):
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOT_DIR / (Path(rel).stem + ".png")
            page.screenshot(path=str(shot), full_page=True)
            result["screenshot"] = shot
        if viewport_name == "phone":
            result["phone_layout"] = page.evaluate(PHONE_LAYOUT_JS)
        result["sliders"], result["slider_failures"] = _exercise_sliders(page, rel)
        if result["sliders"]:
            result["scroll_after_sliders"] = page.evaluate(SCROLL_JS)
        result["problems"] = log.problems()
    finally:
        page.context.close()
    _VISITS[key] = result
    return result


# --- Every page: errors, requests, math, sidebar, width ----------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("rel", ALL_PAGES)
def test_page_loads_cleanly_offline(site, rel, viewport):
    """No console error, no failed request and no non-local request (blocked), anywhere."""
    _need_built(rel)
    problems = visit(site, rel, viewport)["problems"]
    assert not problems, f"{rel} ({viewport}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_math_is_typeset(site, rel):
    """Pages with math load MathJax from the site itself and every formula is rendered."""
    _need_built(rel)
    v = visit(site, rel, "desktop")
    math = v["math"]
    if math["formulas"]:
        assert math["scripts"], f"{rel} has {math['formulas']} formulas but loads no MathJax"
        assert all(site.is_local(s) for s in math["scripts"]), f"MathJax not local: {math['scripts']}"
        assert math["typeset"] >= math["formulas"], (
            f"{rel}: {math['formulas']} formulas but only {math['typeset']} mjx-container"
        )
        assert math["errors"] == 0, f"{rel}: {math['errors']} MathJax errors (bad TeX)"
    for raw in ("$$", "\\(", "\\)", "\\[", "\\]", "\\begin{"):
        assert raw not in v["visible_text"], f"{rel}: raw math {raw!r} left in the visible text"


@pytest.mark.parametrize("rel", ALL_PAGES)
def test_no_duplicate_scripts_and_no_thebe(site, rel):
    """Jupyter Book 1.x puts sphinx-thebe's `const THEBE_JS_URL = ...` twice on every page
    (a SyntaxError: "Identifier 'THEBE_JS_URL' has already been declared"), even with
    thebe off. _ext/offline_site.py removes sphinx-thebe from the pages: prove it here."""
    _need_built(rel)
    v = visit(site, rel, "desktop")
    scripts = v["scripts"]
    assert not scripts["thebeGlobal"], f"{rel}: THEBE_JS_URL is defined"
    assert scripts["thebeConfig"] == 0, f"{rel}: a thebe configuration is on the page"
    inline = [t for t in scripts["inline"] if "thebe" in t.lower()]
    assert not inline, f"{rel}: thebe scripts left: {inline}"
    dupes = sorted({t[:80] for t in scripts["inline"] if scripts["inline"].count(t) > 1})
    assert not dupes, f"{rel}: inline scripts included twice: {dupes}"
    assert not any("THEBE_JS_URL" in p for p in v["problems"]), v["problems"]


def test_mathjax_is_used_somewhere(site):
    """The intro has formulas: guards against the math checks passing vacuously."""
    math = visit(site, "intro.html", "desktop")["math"]
    assert math["formulas"] > 0 and math["typeset"] >= math["formulas"]


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_sidebar_links_resolve(site, rel):
    """Every link of the sidebar table of contents points to a built page, all are there."""
    _need_built(rel)
    hrefs = visit(site, rel, "desktop")["sidebar"]
    assert hrefs, f"{rel}: no sidebar navigation found"
    targets = {url_to_rel(site, h).split("#")[0] for h in hrefs}
    for target in targets:
        assert (HTML_DIR / target).is_file(), f"{rel}: sidebar links to missing page {target}"
    edition = "zh/" if rel.startswith("zh/") else ""          # the Chinese edition's own sidebar
    missing = {edition + page for page in toc_order()} - targets
    assert not missing, f"{rel}: sidebar misses {sorted(missing)}"


@pytest.mark.parametrize("rel", ALL_PAGES)
def test_no_sideways_scroll_on_phone(site, rel):
    """At 390 px the page itself never scrolls sideways (wide content scrolls in its box)."""
    _need_built(rel)
    v = visit(site, rel, "phone")
    width, inner = v["scroll"]
    assert width <= inner + 1, f"{rel}: page is {width}px wide at {inner}px; widest: {v['widest']}"


def test_wide_content_scrolls_in_its_own_box(site):
    """Wide tables, code, output and display math keep a page narrow at 390 px.

    Injected into a real page, so _static/custom.css is checked even before any chapter
    has such content.
    """
    page, log = site.open("intro.html", viewport=PHONE)
    try:
        page.evaluate(
            """async () => {
  const article = document.querySelector('main article') || document.querySelector('main');
  const box = document.createElement('section');
  const cells = Array.from({length: 30}, (_, i) => `<td>column_${i}_value_1.234567e-08</td>`).join('');
  box.innerHTML = `
    <table class="table"><tbody><tr>${cells}</tr></tbody></table>
    <div class="highlight-ipython3 notranslate"><div class="highlight"><pre>${'x = np.linspace(0, 1, 1000)  # '.repeat(12)}</pre></div></div>
    <div class="math notranslate nohighlight">\\\\[ J^\\\\top J + \\\\lambda D = ${'\\\\sum_{i=1}^{m} a_i b_i c_i d_i + '.repeat(12)} 0 \\\\]</div>
    <div class="cell_output docutils container"><div class="output text_plain highlight-myst-ansi notranslate"><div class="highlight"><pre><span></span>${'0.123456789 '.repeat(40)}</pre></div></div></div>
    <p>${'https://example.invalid/a/very/long/path/without/any/spaces/'.repeat(4)}</p>
    <p>Call <code class="docutils literal notranslate"><span class="pre">scipy.optimize.least_squares(fun,</span> <span class="pre">x0,</span> <span class="pre">method="trf",x_scale="jac",loss="soft_l1",f_scale=0.1,max_nfev=1000,verbose=2)</span></code> here.</p>`;
  article.appendChild(box);
  if (window.MathJax && MathJax.typesetPromise) { await MathJax.typesetPromise([box]); }
}"""
        )
        assert page.evaluate("() => document.querySelectorAll('main section mjx-container[display]').length") > 0
        width, inner = page.evaluate(SCROLL_JS)
        if width > inner + 1:
            pytest.fail(
                f"injected wide content makes the page {width}px wide at {inner}px: "
                f"{page.evaluate(WIDEST_ELEMENTS_JS)}"
            )
        assert not log.problems(), log.problems()
    finally:
        page.context.close()



# --- Phone layout: tables, display math, figure text --------------------------------------

# Pages whose figures this book keeps readable at 390 px (fonts ≥ lm.viz.plots.MIN_FONT_PT,
# figures ≤ 6 in wide); of chapter 09 only the accuracy figure so far.
PHONE_FIGURE_PAGES = [p for p in CHAPTER_PAGES if re.match(
    r"chapters/(0[1-9]|1[01])-", p)] or ["<no chapters>"]


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_phone_table_cells_do_not_break_words(site, rel):
    """At 390 px a wide table scrolls in its box; no cell is squeezed below its longest word."""
    _need_built(rel)
    broken = visit(site, rel, "phone")["phone_layout"]["broken"]
    assert not broken, f"{rel}: table cells narrower than a word at 390 px: {broken}"


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_phone_wide_equations_and_tables_show_they_scroll(site, rel):
    """A display equation or table wider than the phone scrolls in its box and shows a cue."""
    _need_built(rel)
    for box in visit(site, rel, "phone")["phone_layout"]["scrollers"]:
        assert box["overflow"] in ("auto", "scroll"), f"{rel}: {box} overflows without scrolling"
        assert box["cue"], f"{rel}: {box} scrolls sideways without a visible cue"


def test_scroll_cue_appears_only_when_there_is_more(site):
    """Injected wide and narrow equations at 390 px: the wide one has the shadow cue and
    scrolls; the cue's covers hide it on the narrow one (background-attachment local)."""
    page, log = site.open("intro.html", viewport=PHONE)
    try:
        info = page.evaluate("""() => {
  const article = document.querySelector('main article') || document.querySelector('main');
  const wide = document.createElement('div'); wide.className = 'math notranslate nohighlight';
  wide.innerHTML = '<span style="display:inline-block;width:1200px">wide</span>';
  const narrow = document.createElement('div'); narrow.className = 'math notranslate nohighlight';
  narrow.innerHTML = '<span>narrow</span>';
  article.append(wide, narrow);
  const st = e => getComputedStyle(e);
  return {wideScrolls: wide.scrollWidth > wide.clientWidth, wideOverflow: st(wide).overflowX,
          wideBg: st(wide).backgroundImage, attach: st(wide).backgroundAttachment,
          narrowScrolls: narrow.scrollWidth > narrow.clientWidth};
}""")
        assert info["wideScrolls"] and info["wideOverflow"] == "auto"
        assert info["wideBg"].count("gradient") == 4, info["wideBg"]
        assert "local" in info["attach"] and "scroll" in info["attach"], info["attach"]
        assert not info["narrowScrolls"]
        assert not log.problems(), log.problems()
    finally:
        page.context.close()



def test_word_break_detector_finds_a_cell_broken_letter_by_letter(site):
    """The table check of PHONE_LAYOUT_JS flags a squeezed cell and passes a normal one."""
    page, log = site.open("intro.html", viewport=PHONE)
    try:
        page.evaluate("""() => {
  const article = document.querySelector('main article') || document.querySelector('main');
  const box = document.createElement('section');
  box.innerHTML = '<table><tr><td style="overflow-wrap:anywhere;width:2em;max-width:2em">NISTanalytic</td>'
                + '<td>two words</td></tr></table>';
  article.appendChild(box);
}""")
        broken = page.evaluate(PHONE_LAYOUT_JS)["broken"]
        assert len(broken) == 1 and broken[0].startswith("NISTanalytic"), broken
    finally:
        page.context.close()

@pytest.mark.parametrize("rel", PHONE_FIGURE_PAGES)
def test_phone_figure_text_at_least_9px(site, rel):
    """The book's figures use fonts of at least MIN_FONT_PT points at 96 dpi; at 390 px an
    image is shrunk by `scale`, so its smallest text is scale·MIN_FONT_PT·96/72 px ≥ 9 px."""
    _need_built(rel)
    from lm.viz.plots import MIN_FONT_PT

    figures = visit(site, rel, "phone")["phone_layout"]["figures"]
    assert figures, f"{rel}: no figures found on the page"
    small = [(f["src"], round(f["scale"] * MIN_FONT_PT * 96 / 72, 1)) for f in figures
             if f["scale"] * MIN_FONT_PT * 96 / 72 < 9]
    assert not small, f"{rel}: figure text below 9 px at 390 px (src, px): {small}"

# --- Navigation, search, screenshots ----------------------------------------------------


def test_next_and_prev_follow_the_toc(site):
    """Clicking "next" from the intro visits every page in _toc.yml order, and on each page
    "previous" leads to the page before (its link is read on the way and clicked once at the
    end: one walk instead of two, each page loaded once)."""
    order = toc_order()
    for rel in order:
        if not (HTML_DIR / rel).is_file():
            pytest.skip(f"_build/html lacks {rel}: build the book first")
    page, log = site.open(order[0], settle=False)

    def link(selector):  # the page a link leads to (its href, resolved by the browser)
        return url_to_rel(site, page.eval_on_selector(selector, "a => a.href"))

    try:
        assert page.locator("a.left-prev").count() == 0, "the first page should have no previous link"
        for before, expected in zip(order, order[1:]):
            with page.expect_navigation(wait_until="domcontentloaded"):
                page.click("a.right-next", no_wait_after=True)
            assert url_to_rel(site, page.url) == expected, f"next led to {page.url}, expected {expected}"
            assert link("a.left-prev") == before, f"previous on {expected} leads to {link('a.left-prev')}, expected {before}"
        assert page.locator("a.right-next").count() == 0, "the last page should have no next link"
        page.click("a.left-prev")
        page.wait_for_load_state("domcontentloaded")
        assert url_to_rel(site, page.url) == order[-2], f"prev led to {page.url}, expected {order[-2]}"
        page.wait_for_load_state("networkidle")
        assert not log.problems(), log.problems()
    finally:
        page.context.close()


def test_search_finds_jacobian(site):
    page, log = site.open("search.html?q=Jacobian", settle=False)
    try:
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=30_000)
        assert results.count() > 0
        assert "jacobian" in " ".join(results.all_inner_texts()).lower()
        # a result link leads to a built page
        href = results.first.locator("a").first.get_attribute("href")
        assert (HTML_DIR / href.split("#")[0].split("?")[0]).is_file(), href
        page.wait_for_load_state("networkidle")
        assert not log.problems(), log.problems()
    finally:
        page.context.close()


def test_index_redirects_to_intro(site):
    page, log = site.open("index.html", settle=False)
    try:
        page.wait_for_url(re.compile(r".*/intro\.html$"), timeout=10_000)
        assert not log.problems(), log.problems()
    finally:
        page.context.close()


@pytest.mark.parametrize("rel", CHAPTER_PAGES)
def test_chapter_screenshot(site, rel):
    """One full-page screenshot per chapter in _build/screenshots/<page>.png (desktop)."""
    _need_built(rel)
    shot = visit(site, rel, "desktop")["screenshot"]
    assert shot.is_file() and shot.stat().st_size > 1000


# --- Static damping sliders (lm.viz.static_explorer) ------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_static_sliders_change_frame(site, rel, viewport):
    """Moving each static slider (input event, then keyboard) changes the displayed frame."""
    _need_built(rel)
    v = visit(site, rel, viewport)
    if not v["sliders"]:
        pytest.skip(f"{rel}: no static explorers found")
    assert not v["slider_failures"], f"{rel} ({viewport}): " + "; ".join(v["slider_failures"])
    if viewport == "phone":
        width, inner = v["scroll_after_sliders"]
        assert width <= inner + 1, f"{rel}: explorer makes the page {width}px wide at {inner}px"


def test_static_explorers_exist_once_chapter_5_uses_them(site):
    """Guard: once chapter 5 calls static_explorer(, the built site must contain sliders.

    Otherwise every per-page slider test above would be skipped and pass silently.
    """
    chapter5 = ROOT / "chapters" / "05-levenberg-marquardt.md"
    uses_explorer = chapter5.is_file() and "static_explorer(" in chapter5.read_text(encoding="utf-8")
    per_page = {}
    for rel in content_pages():
        n = visit(site, rel, "desktop")["sliders"]
        if n:
            per_page[rel] = n
    if not uses_explorer and not per_page:
        pytest.skip("no static explorers found anywhere (chapter 5 does not call static_explorer( yet)")
    if uses_explorer:
        assert per_page, (
            "chapters/05-levenberg-marquardt.md calls static_explorer( but no page of the built "
            f"site has a slider matching {SLIDER!r}"
        )
        assert "chapters/05-levenberg-marquardt.html" in per_page, (
            f"chapter 5 calls static_explorer( but its page has no slider; sliders found on {per_page}"
        )


def test_slider_harness_tells_working_from_broken_explorers(site):
    """Self-test of the slider check: an explorer whose slider swaps the image passes, one
    whose slider does nothing fails (so a real explorer cannot pass by accident)."""
    page, log = site.open("intro.html", viewport=DESKTOP)
    try:
        page.evaluate(
            """() => {
  const svg = c => 'data:image/svg+xml,' + encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="${c}"/></svg>`);
  const frames = [svg('red'), svg('green'), svg('blue')];
  const make = (working) => {
    const box = document.createElement('div');
    box.className = 'lm-static-explorer';
    box.innerHTML = `<input type="range" data-lm-static min="0" max="2" step="1" value="0"><img alt="frame">`;
    const [slider, img] = [box.querySelector('input'), box.querySelector('img')];
    img.src = frames[0];
    if (working) slider.addEventListener('input', () => { img.src = frames[Number(slider.value)]; });
    (document.querySelector('main article') || document.body).appendChild(box);
  };
  make(true); make(false);
}"""
        )
        count, failures = _exercise_sliders(page, "intro.html")
        assert count == 2
        assert len(failures) == 1 and "slider 1" in failures[0], failures
        assert not log.problems(), log.problems()
    finally:
        page.context.close()
