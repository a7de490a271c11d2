"""Local Sphinx extension: quick self-check questions answered in the page.

In a chapter::

    ```{selfcheck} How many evaluations did the trust region need in total?
    :answer-glue: ds_total_trust-region
    :tolerance: 0

    Explanation shown once the question has been answered.
    ```

    ```{selfcheck} Which strategy adapts a radius?
    :choices: Marquardt's rule | Nielsen's rule | the trust region
    :answer: 3

    The trust region ...
    ```

The question is the directive's argument, the body is the feedback shown after an answer.
``:answer:`` is a number (or, with ``:choices:``, the 1-based number of the right choice);
``:answer-glue:`` takes a numeric answer from a value the page glued, so it cannot disagree
with the code; ``:tolerance:`` is relative (default 0: exact for whole numbers, otherwise
1e-3). The page gets ``selfcheck.js``/``selfcheck.css`` from ``lm/web`` (package data),
which turn the block into a small form: nothing is loaded from the network and no kernel
is needed.
"""
from __future__ import annotations

import html
import json
import math
from ast import literal_eval
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

STATIC = Path(__file__).resolve().parents[1] / "lm" / "web"


def parse_choices(text: str) -> list[str]:
    return [c.strip() for c in text.split(" | ") if c.strip()]


def glued_number(document, key: str) -> float:
    from myst_nb.ext.glue.utils import retrieve_glue_data

    data = retrieve_glue_data(document, key).data.get("text/plain", "")
    try:
        value = literal_eval(data)
    except (ValueError, SyntaxError):
        value = data
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"the glued value {key!r} is not a number: {data!r}") from None


class SelfCheck(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "answer": directives.unchanged,
        "answer-glue": directives.unchanged,
        "choices": directives.unchanged,
        "tolerance": directives.unchanged,
    }

    def run(self):
        opts = self.options
        choices = parse_choices(opts["choices"]) if "choices" in opts else []
        where = f"{self.env.docname}:{self.lineno}"
        if ("answer" in opts) == ("answer-glue" in opts):
            raise ExtensionError(f"{where}: a selfcheck needs exactly one of :answer: or :answer-glue:")
        try:
            if "answer-glue" in opts:
                answer = glued_number(self.state.document, opts["answer-glue"].strip())
            else:
                answer = float(opts["answer"])
        except Exception as exc:  # noqa: BLE001 - reported with the place
            raise ExtensionError(f"{where}: selfcheck answer: {exc}") from exc
        if choices and not (answer.is_integer() and 1 <= answer <= len(choices)):
            raise ExtensionError(f"{where}: :answer: must be the number (1-{len(choices)}) of the right choice")
        tol = float(opts.get("tolerance", "0" if answer.is_integer() else "1e-3"))
        if not (math.isfinite(answer) and tol >= 0):
            raise ExtensionError(f"{where}: selfcheck answer {answer} / tolerance {tol} invalid")
        data = {"kind": "choice" if choices else "number", "answer": answer, "tolerance": tol}
        box = nodes.container(classes=["lm-selfcheck"])
        box += nodes.raw("", f'<div class="lm-selfcheck-data" hidden data-check="{html.escape(json.dumps(data))}"></div>',
                         format="html")
        question = nodes.paragraph(classes=["lm-selfcheck-question"])
        text_nodes, messages = self.state.inline_text(self.arguments[0], self.lineno)
        question += text_nodes
        box += question
        box += messages
        if choices:
            items = nodes.enumerated_list(classes=["lm-selfcheck-choices"], enumtype="loweralpha")
            for c in choices:
                item = nodes.list_item()
                para = nodes.paragraph()
                t, m = self.state.inline_text(c, self.lineno)
                para += t
                item += para
                item += m
                items += item
            box += items
        box += nodes.raw("", '<div class="lm-selfcheck-controls"></div>', format="html")
        explain = nodes.container(classes=["lm-selfcheck-explain"])
        self.state.nested_parse(self.content, self.content_offset, explain)
        box += explain
        return [box]


ASSETS = ("selfcheck.js", "selfcheck.css")


def copy_assets(app, exception):
    """Copy the self-check script and style from lm/web into the site's _static."""
    if exception is not None or app.builder.format != "html":
        return
    import shutil

    for name in ASSETS:
        if not (STATIC / name).is_file():
            raise ExtensionError(f"{STATIC / name} is missing (package data of lm.web)")
        shutil.copy2(STATIC / name, Path(app.outdir) / "_static" / name)


def setup(app):
    app.add_directive("selfcheck", SelfCheck)
    app.connect("build-finished", copy_assets)
    app.add_js_file("selfcheck.js", defer="defer")
    app.add_css_file("selfcheck.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
