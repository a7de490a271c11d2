"""The Chinese edition's live explorer and self-check questions in Chromium.

A static explorer written with LM_LANG=zh (its scripts inline, so no server is needed) shows
Chinese controls, solves, logs no console error, and a typo in the own-model field shows the
Chinese error message; a self-check question on a page with lang="zh-CN" gives Chinese
feedback, on a page with lang="en" the English one. Neither page makes any request.
"""
from __future__ import annotations

import html
import json

import pytest

from .conftest import DESKTOP, ROOT

pytestmark = pytest.mark.browser


def open_html(browser, content: str):
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    problems = []
    context.route("**/*", lambda route: (problems.append(f"request: {route.request.url}"),
                                         route.abort("blockedbyclient")))
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.set_content(content, wait_until="load")
    return page, problems


def test_static_explorer_in_chinese(browser, monkeypatch, tmp_path):
    from lm.problems import rosenbrock
    from lm.viz import static_explorer

    monkeypatch.setenv("LM_LANG", "zh")
    path = static_explorer(rosenbrock(), script="site").save(tmp_path / "zh.html")
    page, problems = open_html(browser, path.read_text(encoding="utf-8"))
    try:
        page.wait_for_selector(".lm-explorer[data-lm-ready]", timeout=20000)
        root = page.locator(".lm-explorer")
        q = lambda name: root.locator(f'[data-lm="{name}"]')  # noqa: E731
        controls = root.locator(".lm-ex-controls").first.inner_text()
        for word in ("阻尼", "缩放", "起点", "比较", "高斯-牛顿", "梯度下降"):
            assert word in controls, (word, controls)
        assert q("strategy").locator("option").first.inner_text() == "信赖域"
        status = q("status").text_content()
        assert "次迭代" in status and "状态" in status, status
        assert "试探步" in q("step").text_content()
        assert "<th>试探步</th>" in q("table").inner_html()
        root.locator("select[data-lm=compare]").select_option("nielsen")
        conv = root.locator("svg[data-lm=convergence]").text_content()
        assert "试探步" in conv and "Δ（右轴）" in conv and "F，Nielsen" in conv, conv
        assert "Nielsen（紫色）" in q("status").text_content()
        root.locator("select[data-lm=strategy]").select_option("nielsen")
        assert "λ（右轴）" in root.locator("svg[data-lm=convergence]").text_content()
        assert "<th>Δ</th>" not in q("table").inner_html()
        assert root.locator("summary").inner_text() == "你自己的模型"
        root.locator("summary").click()
        q("model").fill("x1^2 + x2 - 11, x1 + x2^^2 - 7")
        q("apply-model").click()
        msg = q("model-error").text_content()
        assert msg.startswith("无法读取模型：") and msg.endswith("。保留原来的图。"), msg
        assert root.get_attribute("data-lm-model") != "own"
        assert not problems, problems
    finally:
        page.context.close()


def selfcheck_page(lang: str) -> str:
    script = (ROOT / "lm" / "web" / "selfcheck.js").read_text(encoding="utf-8")
    spec = html.escape(json.dumps({"kind": "number", "answer": 2.5, "tolerance": 1e-3}))
    choice = html.escape(json.dumps({"kind": "choice", "answer": 2, "tolerance": 0}))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head><body>'
            f'<div class="lm-selfcheck" id="n"><div class="lm-selfcheck-data" hidden data-check="{spec}"></div>'
            f'<p>?</p><div class="lm-selfcheck-controls"></div><div class="lm-selfcheck-explain">…</div></div>'
            f'<div class="lm-selfcheck" id="c"><div class="lm-selfcheck-data" hidden data-check="{choice}"></div>'
            f'<ol class="lm-selfcheck-choices"><li>a</li><li>b</li></ol>'
            f'<div class="lm-selfcheck-controls"></div></div>'
            f'<script>{script}</script></body></html>')


@pytest.mark.parametrize("lang, words", [
    ("zh-CN", ("检查", "请先输入一个数。", "这不是一个数", "还不对", "正确。", "请先选择一个答案。")),
    ("en", ("Check", "Type a number first.", "That is not a number", "Not quite", "Correct.", "Choose an answer first.")),
])
def test_selfcheck_feedback_follows_the_page_language(browser, lang, words):
    check, first, nan, wrong, right, choose = words
    page, problems = open_html(browser, selfcheck_page(lang))
    try:
        box = page.locator("#n")
        button, feedback = box.locator("button.lm-selfcheck-button"), box.locator(".lm-selfcheck-feedback")
        assert button.inner_text() == check
        button.click()
        assert feedback.inner_text() == first
        box.locator("input.lm-selfcheck-input").fill("abc")
        button.click()
        assert feedback.inner_text().startswith(nan)
        box.locator("input.lm-selfcheck-input").fill("3")
        button.click()
        assert feedback.inner_text().startswith(wrong)
        box.locator("input.lm-selfcheck-input").fill("2.5")
        button.click()
        assert feedback.inner_text() == right
        page.locator("#c button.lm-selfcheck-button").click()
        assert page.locator("#c .lm-selfcheck-feedback").inner_text() == choose
        assert not problems, problems
    finally:
        page.context.close()


@pytest.mark.parametrize("html_lang, summary", [("zh-CN", "你自己的模型"), ("en", "Your own model")])
def test_explorer_without_a_lang_field_follows_the_page(browser, monkeypatch, tmp_path, html_lang, summary):
    """Data written before the "lang" field existed: the page's <html lang> decides."""
    from lm.problems import rosenbrock
    from lm.viz import static_explorer

    monkeypatch.delenv("LM_LANG", raising=False)
    text = static_explorer(rosenbrock(), script="site").save(tmp_path / "x.html").read_text(encoding="utf-8")
    assert ',"lang":"en"' in text
    text = text.replace(',"lang":"en"', "").replace('<html lang="en">', f'<html lang="{html_lang}">')
    page, problems = open_html(browser, text)
    try:
        page.wait_for_selector(".lm-explorer[data-lm-ready]", timeout=20000)
        assert page.locator(".lm-explorer summary").inner_text() == summary
        assert not problems, problems
    finally:
        page.context.close()
