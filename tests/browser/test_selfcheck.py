"""The self-check questions at the end of every chapter, answered in a real browser.

Every ``.lm-selfcheck`` block of every chapter page is answered once wrongly and once
rightly (the right answer is the one the page carries, which ``_ext/selfcheck.py`` took from
the directive or from the chapter's glued value): the feedback must say so each time, the
explanation must appear, and the page must log no console error and make no non-local
request. Also: each chapter has 3-5 questions, and the script's number parsing (node).
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import ROOT, content_pages

pytestmark = pytest.mark.browser

CHAPTERS = [p for p in content_pages() if p.startswith("chapters/") and p.split("/")[-1][:2].isdigit()]


@pytest.mark.parametrize("rel", CHAPTERS or ["<no _build/html>"])
def test_selfchecks_give_the_right_feedback(site, rel):
    if rel.startswith("<"):
        pytest.skip("_build/html is missing: build the book first (`make book`)")
    page, log = site.open(rel)
    try:
        boxes = page.query_selector_all(".lm-selfcheck")
        assert 3 <= len(boxes) <= 5, f"{rel}: {len(boxes)} self-check questions (3-5 expected)"
        for i, box in enumerate(boxes):
            spec = json.loads(box.eval_on_selector(".lm-selfcheck-data", "e => e.dataset.check"))
            button = box.query_selector("button.lm-selfcheck-button")
            feedback = box.query_selector(".lm-selfcheck-feedback")
            explain = box.query_selector(".lm-selfcheck-explain")
            assert button and feedback and explain, f"{rel} #{i}: the script did not set up the question"
            assert not explain.is_visible()
            button.click()
            assert "first" in feedback.inner_text()              # nothing chosen yet
            if spec["kind"] == "choice":
                radios = box.query_selector_all("input[type=radio]")
                assert len(radios) >= 2
                wrong = next(r for r in radios if int(r.get_attribute("value")) != spec["answer"])
                wrong.check()
                button.click()
                assert "Not quite" in feedback.inner_text(), f"{rel} #{i}"
                assert "lm-wrong" in box.get_attribute("class")
                radios[int(spec["answer"]) - 1].check()
            else:
                field = box.query_selector("input.lm-selfcheck-input")
                answer = spec["answer"]
                wrong = answer * (1 + 10 * spec["tolerance"]) + 1 + abs(answer)
                field.fill(repr(wrong))
                button.click()
                assert "Not quite" in feedback.inner_text(), f"{rel} #{i}: {wrong} accepted for {answer}"
                field.fill("one")
                button.click()
                assert "not a number" in feedback.inner_text()
                field.fill(f"{answer:.12g}")
            button.click()
            assert feedback.inner_text().startswith("Correct"), f"{rel} #{i}: the right answer was refused"
            assert "lm-right" in box.get_attribute("class")
            assert explain.is_visible()
        assert not log.problems(), log.problems()
    finally:
        page.context.close()


def test_number_parsing_of_the_script():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (ROOT / "lm" / "web" / "selfcheck.js").as_posix()
    js = f"""
const s = require({json.dumps(script)});
const out = {{
  parse: ["42", " 0,5 ", "1e-3", "\\u22122", "abc", "1.2.3", ""].map(s.parseNumber),
  right: [s.numberIsRight(42, 42, 0), s.numberIsRight(42.0001, 42, 0), s.numberIsRight(1.0005, 1, 1e-3),
          s.numberIsRight(1.01, 1, 1e-3), s.numberIsRight(NaN, 1, 1)],
}};
console.log(JSON.stringify(out));
"""
    result = json.loads(subprocess.run([node, "-e", js], capture_output=True, text=True, check=True).stdout)
    assert result["parse"][:4] == [42, 0.5, 0.001, -2]
    assert all(v is None for v in result["parse"][4:])  # NaN -> null in JSON
    assert result["right"] == [True, False, True, False, False]
