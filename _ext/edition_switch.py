"""Local Sphinx extension: every page links to the same page of the other edition.

The English book is built into ``_build/html/`` and the Chinese edition (``zh/``) into
``_build/html/zh/`` (see the Makefile). Both books have the same page names, so the twin of
``chapters/05-levenberg-marquardt`` is the page of the same name one folder down (English →
中文) or up (中文 → English). The link is put at the top of every article, where a reader on a
phone sees it without opening a menu. ``lm_edition`` (``"en"`` or ``"zh"``) in the Sphinx
configuration says which edition is being built.
"""

from __future__ import annotations

import re
from html import escape

from docutils import nodes

LABELS = {"en": ("中文", "zh-CN", "阅读本页的中文版"), "zh": ("English", "en", "Read this page in English")}


def twin_url(pagename: str, edition: str) -> str:
    """The relative URL of the other edition's page of the same name."""
    if edition not in LABELS:
        raise ValueError(f"lm_edition must be 'en' or 'zh', not {edition!r}")
    up = "../" * pagename.count("/")
    return f"{up}zh/{pagename}.html" if edition == "en" else f"{up}../{pagename}.html"


def add_switch(app, pagename, templatename, context, doctree):
    if doctree is None or "body" not in context:
        return
    edition = app.config.lm_edition
    label, lang, title = LABELS[edition]
    link = (f'<p class="lm-edition-switch"><a href="{escape(twin_url(pagename, edition))}" '
            f'hreflang="{lang}" lang="{lang}" title="{escape(title)}">{label}</a></p>\n')
    context["body"] = link + context["body"]


# A line break in the source between two Chinese characters (or after Chinese punctuation)
# must not become a space on the page: HTML shows every newline as a space, which is right
# between English words and wrong in Chinese text (the sources keep one sentence per line).
CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])|(?<=[。，、；：！？）」』])[ \t]*\n[ \t]*")


def join_chinese_lines(text: str) -> str:
    """Remove the line breaks that would show as spaces inside Chinese text."""
    return CJK_BREAK.sub("", text)


def remove_cjk_line_breaks(app, doctree, docname):
    if app.config.lm_edition != "zh":
        return
    for node in list(doctree.findall(nodes.Text)):
        if isinstance(node.parent, (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw)):
            continue
        joined = join_chinese_lines(node.astext())
        if joined != node.astext():
            node.parent.replace(node, nodes.Text(joined))


def setup(app):
    app.add_config_value("lm_edition", "en", "html", types=[str])
    app.connect("doctree-resolved", remove_cjk_line_breaks)
    app.connect("html-page-context", add_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
