"""The labels lm.viz writes follow LM_LANG: English by default, Simplified Chinese with zh.

Checks: LM_LANG parsing; every key of every table (Python's lm.viz.i18n.TEXT, the tables of
explorer.js and selfcheck.js, evaluated with node) exists in both languages with the same
{fields}; the zh status messages of explorer.js cover lm.solver.STATUS_MESSAGES; the English
labels are the literal strings of before; with LM_LANG=zh plot_convergence, plot_path,
plot_contour, explore and static_explorer write Chinese, and Chinese labels draw with a CJK
font without a "Glyph missing" warning.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lm import levenberg_marquardt  # noqa: E402
from lm.problems import freudenstein_roth, rosenbrock  # noqa: E402
from lm.solver import STATUS_MESSAGES  # noqa: E402
from lm.viz import i18n  # noqa: E402
from lm.viz.plots import plot_contour, plot_convergence, plot_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CJK = ["WenQuanYi Micro Hei", "DejaVu Sans"]
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("LM_LANG", "zh")


@pytest.fixture(scope="module")
def run():
    p = freudenstein_roth()
    return levenberg_marquardt(p.fun, p.x0, p.jac)


def fields(s: str) -> set:
    return set(re.findall(r"\{(\w+)\}", s))


# ------------------------------------------------------------------ the language setting

@pytest.mark.parametrize("value, lang", [(None, "en"), ("", "en"), ("en", "en"), ("zh", "zh"),
                                         ("zh_CN", "zh"), ("zh-CN", "zh"), ("ZH-cn", "zh")])
def test_language_from_lm_lang(monkeypatch, value, lang):
    if value is None:
        monkeypatch.delenv("LM_LANG", raising=False)
    else:
        monkeypatch.setenv("LM_LANG", value)
    assert i18n.language() == lang


@pytest.mark.parametrize("bad", ["fr", "chinese", "zh_TW"])
def test_unknown_language_is_a_clear_error(monkeypatch, bad):
    monkeypatch.setenv("LM_LANG", bad)
    with pytest.raises(ValueError, match="LM_LANG"):
        i18n.language()
    with pytest.raises(ValueError, match="LM_LANG"):
        i18n.text("minimum")


def test_unknown_key_is_a_key_error(monkeypatch):
    monkeypatch.delenv("LM_LANG", raising=False)
    with pytest.raises(KeyError, match="no_such_key"):
        i18n.text("no_such_key")


# ------------------------------------------------------------------ the tables

def test_python_table_has_every_key_in_both_languages_with_the_same_fields():
    en, zh = i18n.TEXT["en"], i18n.TEXT["zh"]
    assert set(i18n.TEXT) == set(i18n.LANGUAGES)
    assert set(en) == set(zh)
    for k in en:
        assert fields(en[k]) == fields(zh[k]), k
        assert zh[k].strip(), k
    # the Chinese table is Chinese (names such as Levenberg–Marquardt aside)
    assert sum(bool(HAN.search(v)) for v in zh.values()) >= len(zh) - 3


def node_tables():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    script = f"""
    global.window = {{}};
    global.document = {{ readyState: "loading", addEventListener: function () {{}}, documentElement: {{ lang: "" }} }};
    require({json.dumps(str(ROOT / "lm/viz/explorer.js"))});
    const sc = require({json.dumps(str(ROOT / "lm/web/selfcheck.js"))});
    console.log(JSON.stringify({{ explorer: window.lmExplorer.STRINGS, selfcheck: sc.STRINGS }}));
    """
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_js_tables_have_every_key_in_both_languages():
    t = node_tables()
    for name in ("explorer", "selfcheck"):
        en, zh = t[name]["en"], t[name]["zh"]
        assert set(en) == set(zh), (name, set(en) ^ set(zh))
        for k, v in en.items():
            if isinstance(v, str):
                assert isinstance(zh[k], str) and zh[k].strip() and fields(v) == fields(zh[k]), (name, k)
        assert HAN.search(zh.get("wrong", zh.get("step", "")))
    ex = t["explorer"]
    assert set(ex["en"]["strategies"]) == set(ex["zh"]["strategies"]) == {"trust-region", "nielsen", "marquardt"}
    # English status messages come from lm (the JSON data); the Chinese ones cover every status
    assert ex["en"]["messages"] is None
    assert set(ex["zh"]["messages"]) == {str(k) for k in STATUS_MESSAGES}
    assert all(HAN.search(v) for v in ex["zh"]["messages"].values())


# ------------------------------------------------------------------ English as before

def test_english_labels_unchanged(monkeypatch, run):
    monkeypatch.delenv("LM_LANG", raising=False)
    ax = plot_convergence(run)
    twin = next(a for a in ax.figure.axes if a is not ax)
    assert ax.get_xlabel() == "trial step j"
    assert ax.get_ylabel() == "F(x) and ‖g‖∞ at the step's start"
    assert twin.get_ylabel() == "damping λ"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cost F(x)", "‖g‖∞", "rejected step", "λ (right axis)"]
    ax = plot_path(run, iteration=1)
    s = next(t for t in ax.texts if t.get_gid() == "lm-lambda").get_text()
    h = run.history
    assert s.startswith(f"trial step 2/{len(h)} (iteration k = {int(h[0].accepted)})\nλ = {h[1].lam:.3g}")
    assert s.endswith("\naccepted" if h[1].accepted else "\nrejected")
    ax = plot_contour(rosenbrock(), resolution=20)
    assert [l.get_label() for l in ax.lines if l.get_gid() == "lm-minimum"] == ["minimum"]


# ------------------------------------------------------------------ Chinese

def drawn_without_missing_glyphs(fig) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert not missing, missing


def test_plot_convergence_and_plot_path_in_chinese(zh, run):
    with matplotlib.rc_context({"font.family": CJK}):
        ax = plot_convergence(run)
        twin = next(a for a in ax.figure.axes if a is not ax)
        assert ax.get_xlabel() == "试探步 j"
        assert ax.get_ylabel() == i18n.TEXT["zh"]["conv_ylabel"] and HAN.search(ax.get_ylabel())
        assert twin.get_ylabel() == "阻尼 λ"
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [i18n.TEXT["zh"][k] for k in ("cost",)] + ["‖g‖∞"] + [
            i18n.TEXT["zh"][k] for k in ("rejected_step", "lambda_legend")]
        drawn_without_missing_glyphs(ax.figure)

        ax = plot_contour(rosenbrock(), resolution=30)
        plot_path(run, ax, iteration=0)
        s = next(t for t in ax.texts if t.get_gid() == "lm-lambda").get_text()
        assert s.startswith(f"试探步 1/{len(run.history)}（迭代 k = 0）")
        assert s.endswith("接受" if run.history[0].accepted else "拒绝")
        assert [l.get_label() for l in ax.lines if l.get_gid() == "lm-minimum"] == ["最小值点"]
        drawn_without_missing_glyphs(ax.figure)


def test_explore_in_chinese(zh):
    pytest.importorskip("ipywidgets")
    from lm.viz import explore

    with matplotlib.rc_context({"font.family": CJK}):
        ex = explore(rosenbrock(), interactive=False)
        c = ex.controls
        assert c["damping"].description == "阻尼" and c["start"].description == "起点"
        assert c["iteration"].description == "试探步" and c["scale"].description == "缩放"
        assert c["show_gd"].description == "梯度下降" and c["prev"].tooltip == "上一个试探步"
        assert c["start"].options[0][0].startswith("起点 1：")
        assert HAN.search(ex.note.value) and "最终目标函数值" in ex.info.value
        assert "<th>试探步</th>" in ex.table.value and "<td>是</td>" in ex.table.value
        ex.controls["show_gn"].value = True
        assert "高斯-牛顿" in [t.get_text() for t in ex.legend.get_texts()]
        drawn_without_missing_glyphs(ex.fig)


def test_static_explorer_in_chinese(zh, tmp_path):
    from lm.viz import static_explorer

    ex = static_explorer(rosenbrock(), script="site")
    assert ex.data["lang"] == "zh"
    assert "这个探索器需要 JavaScript" in ex.html and "填充等高线图" in ex.html
    page = ex.save(tmp_path / "x.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "<title>LM 探索器</title>" in page


def test_static_explorer_in_english_says_lang_en(monkeypatch):
    monkeypatch.delenv("LM_LANG", raising=False)
    from lm.viz import static_explorer

    ex = static_explorer(rosenbrock(), script="site")
    assert ex.data["lang"] == "en"
    assert "Levenberg–Marquardt on Rosenbrock: this explorer needs JavaScript." in ex.html
    assert "alt=\"Filled contours of F = ½‖r‖² for Rosenbrock over" in ex.html
