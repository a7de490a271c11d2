"""The Chinese edition in a real browser: the language switch leads to the same page of the
other edition (both ways, by a click), Chinese search finds Chinese words, and the theme
speaks Chinese. The checks every page gets (no console error, no external request, math
typeset, no sideways scroll at 390 px, live explorers) run over the zh/ pages too, in
test_site.py, because the Chinese edition is built into _build/html/zh/."""
from __future__ import annotations

import pytest

from conftest import toc_files

from .conftest import HTML_DIR

PAGES = [f + ".html" for f in toc_files()]


def _need_zh():
    if not (HTML_DIR / "zh" / "intro.html").is_file():
        pytest.skip("the Chinese edition is not built (`make book`)")


def _path(site, page) -> str:
    return page.url.split(site.netloc, 1)[1].split("#")[0].lstrip("/")


@pytest.mark.parametrize("rel", [PAGES[0], "chapters/05-levenberg-marquardt.html", PAGES[-1]])
def test_the_language_switch_goes_to_the_same_page_both_ways(site, rel):
    _need_zh()
    page, log = site.open(rel, settle=False)
    try:
        page.click("p.lm-edition-switch a")
        page.wait_for_load_state("load")
        assert _path(site, page) == f"zh/{rel}"
        assert page.evaluate("document.documentElement.lang").startswith("zh")
        page.click("p.lm-edition-switch a")
        page.wait_for_load_state("load")
        assert _path(site, page) == rel
        page.wait_for_load_state("networkidle")
        assert not log.problems(), log.problems()
    finally:
        page.context.close()


def test_chinese_search_finds_chinese_words(site):
    _need_zh()
    page, log = site.open("zh/search.html?q=雅可比矩阵", settle=False)
    try:
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=30_000)
        assert results.count() > 0
        href = results.first.locator("a").first.get_attribute("href")
        assert (HTML_DIR / "zh" / href.split("#")[0].split("?")[0]).is_file(), href
        assert "搜索" in page.inner_text("body")       # the theme's own strings are Chinese
        page.wait_for_load_state("networkidle")
        assert not log.problems(), log.problems()
    finally:
        page.context.close()
