"""The words lm.viz writes into figures and widgets, in English and Simplified Chinese.

The book has two editions whose code cells are identical apart from string literals, so the
labels that :mod:`lm.viz` itself draws (axis labels, legends, annotations, widget labels,
the static explorer's page text) cannot be switched by the chapters' code: they follow the
environment variable ``LM_LANG``. Unset (or ``en``) gives English, exactly the labels of
before; ``LM_LANG=zh`` (also ``zh_CN``, ``zh-CN``) gives Chinese. ``make book`` sets
``LM_LANG=zh`` for the build of the Chinese edition in ``zh/``; in a shell::

    LM_LANG=zh python -c "import lm.viz; ..."

The language is read when a label is drawn, not at import, so a test or notebook can switch
it with ``os.environ["LM_LANG"] = "zh"``. :func:`text` looks a key up in :data:`TEXT` (every
key exists in both languages; tests/test_i18n.py checks it) and fills in ``{fields}`` with
:meth:`str.format`. The explorer's JavaScript (``explorer.js``) has its own table, picked by
the ``lang`` field that :func:`lm.viz.static_explorer` writes into its JSON data.

Chinese glyphs need a CJK font: the Chinese edition sets one in a ``matplotlibrc`` next to
its chapters; this module sets no fonts. Solver status messages
(:data:`lm.solver.STATUS_MESSAGES`) stay English in Python.

References
----------
Python documentation, ``string`` — "Format String Syntax"; matplotlib documentation,
"Customizing Matplotlib with style sheets and rcParams" (the matplotlibrc search path).
"""
from __future__ import annotations

import os

__all__ = ["language", "text", "TEXT", "LANGUAGES"]

LANGUAGES = ("en", "zh")

_ALIASES = {"": "en", "en": "en", "en_us": "en", "en-us": "en", "en_gb": "en", "en-gb": "en",
            "zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "zh_hans": "zh", "zh-hans": "zh"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # plots.py
        "minimum": "minimum",
        "step_note": "trial step {j}/{N} (iteration k = {k})",
        "accepted": "accepted",
        "rejected": "rejected",
        "cost": "cost F(x)",
        "rejected_step": "rejected step",
        "trial_step_j": "trial step j",
        "conv_ylabel": "F(x) and ‖g‖∞ at the step's start",
        "lambda_legend": "λ (right axis)",
        "damping_lambda": "damping λ",
        # explore.py
        "gradient_descent": "gradient descent",
        "gauss_newton": "Gauss–Newton",
        "levenberg_marquardt": "Levenberg–Marquardt",
        "preset": "start {i}: {point}",
        "damping": "damping",
        "start": "start",
        "custom": "custom",
        "trial_step": "trial step",
        "scale_marquardt": "Marquardt (D = column norms)",
        "scale_levenberg": "Levenberg (D = I)",
        "scaling": "scaling",
        "previous_step": "previous trial step",
        "next_step": "next trial step",
        "clicks_note": ("<i>Clicks on the figure need ipympl's interactive canvas: run <code>%matplotlib widget</code> "
                        "before <code>lm.viz.explore</code>. Until then, set the start with the sliders.</i>"),
        "info": ("{damping}, λ₀ = {lam0}{extra}, x₀ = {x0}: final cost {cost} at {x}, {nit} iterations, "
                 "{steps} trial steps, nfev = {nfev}. {message}"),
        "col_trial": "trial",
        "col_accepted": "accepted",
        "yes": "yes",
        "no": "no",
        # static.py
        "alt": ("Filled contours of F = ½‖r‖² for {name} over {p0} from {x0} to {x1} "
                "and {p1} from {y0} to {y1}; darker is lower."),
        "needs_js": "Levenberg–Marquardt on {name}: this explorer needs JavaScript.",
        "page_title": "LM explorer",
        "html_lang": "en",
    },
    "zh": {
        "minimum": "最小值点",
        "step_note": "试探步 {j}/{N}（迭代 k = {k}）",
        "accepted": "接受",
        "rejected": "拒绝",
        "cost": "目标函数 F(x)",
        "rejected_step": "被拒绝的步",
        "trial_step_j": "试探步 j",
        "conv_ylabel": "该步起点处的 F(x) 与 ‖g‖∞",
        "lambda_legend": "λ（右轴）",
        "damping_lambda": "阻尼 λ",
        "gradient_descent": "梯度下降",
        "gauss_newton": "高斯-牛顿",
        "levenberg_marquardt": "Levenberg–Marquardt",
        "preset": "起点 {i}：{point}",
        "damping": "阻尼",
        "start": "起点",
        "custom": "自定义",
        "trial_step": "试探步",
        "scale_marquardt": "Marquardt（D = 列范数）",
        "scale_levenberg": "Levenberg（D = I）",
        "scaling": "缩放",
        "previous_step": "上一个试探步",
        "next_step": "下一个试探步",
        "clicks_note": ("<i>在图上点击需要 ipympl 的交互画布：请先运行 <code>%matplotlib widget</code>，"
                        "再调用 <code>lm.viz.explore</code>。在此之前，请用滑块设置起点。</i>"),
        "info": ("{damping}，λ₀ = {lam0}{extra}，x₀ = {x0}：最终目标函数值 {cost}，位于 {x}；{nit} 次迭代，"
                 "{steps} 个试探步，nfev = {nfev}。{message}"),
        "col_trial": "试探步",
        "col_accepted": "接受",
        "yes": "是",
        "no": "否",
        "alt": ("{name} 的目标函数 F = ½‖r‖² 的填充等高线图：{p0} 从 {x0} 到 {x1}，"
                "{p1} 从 {y0} 到 {y1}；颜色越深，值越小。"),
        "needs_js": "Levenberg–Marquardt 方法求解 {name}：这个探索器需要 JavaScript。",
        "page_title": "LM 探索器",
        "html_lang": "zh-CN",
    },
}


def language() -> str:
    """The language of lm.viz's labels: ``"en"`` (default) or ``"zh"``, from ``LM_LANG``.

    Accepts ``en`` and ``zh``, ``zh_CN``, ``zh-CN`` (any case; an unset or empty variable is
    English). Anything else raises a ValueError: a typo must not silently give English.
    """
    raw = os.environ.get("LM_LANG", "")
    key = raw.strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"LM_LANG={raw!r} is not a language lm.viz speaks; expected unset, "
                         f"'en', or 'zh' (also 'zh_CN', 'zh-CN')")
    return _ALIASES[key]


def text(key: str, **fields) -> str:
    """The text ``key`` of :data:`TEXT` in the current :func:`language`, with ``fields``
    filled in (``text("step_note", j=1, N=9, k=0)``). An unknown key is a KeyError."""
    table = TEXT[language()]
    if key not in table:
        raise KeyError(f"no text {key!r} in lm.viz.i18n.TEXT; known keys: {sorted(table)}")
    s = table[key]
    return s.format(**fields) if fields else s
