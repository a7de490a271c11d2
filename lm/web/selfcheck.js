// Self-check questions of the LM course book (the {selfcheck} directive, _ext/selfcheck.py).
// Each .lm-selfcheck block holds its answer as JSON in .lm-selfcheck-data[data-check]:
// {"kind": "number"|"choice", "answer": <number>, "tolerance": <relative>}.
// This script adds the inputs and a "Check" button and shows the feedback (and the
// explanation) in the page: no kernel, no network, no dependencies.
(function () {
  "use strict";

  // The words this script writes, in English and Simplified Chinese; a page of the Chinese
  // edition has <html lang="zh-CN"> (Sphinx's language: zh_CN).
  var STRINGS = {
    en: { check: "Check", inputAria: "your answer (a number)", chooseFirst: "Choose an answer first.",
          typeFirst: "Type a number first.", notNumber: "That is not a number (e.g. 42, 0.5 or 1e-3).",
          right: "Correct.", wrong: "Not quite. The explanation below shows the way; try again." },
    zh: { check: "检查", inputAria: "你的答案（一个数）", chooseFirst: "请先选择一个答案。",
          typeFirst: "请先输入一个数。", notNumber: "这不是一个数（例如 42、0.5 或 1e-3）。",
          right: "正确。", wrong: "还不对。下面的解释给出了思路，再试一次。" }
  };
  function strings() {
    var lang = typeof document !== "undefined" ? String(document.documentElement.lang || "") : "";
    return STRINGS[lang.toLowerCase().indexOf("zh") === 0 ? "zh" : "en"];
  }

  // True when `given` is within the relative tolerance of `answer` (exact for tol 0).
  function numberIsRight(given, answer, tol) {
    if (!isFinite(given)) return false;
    if (tol === 0) return given === answer;
    return Math.abs(given - answer) <= tol * Math.max(Math.abs(answer), 1e-300);
  }

  // Parse what a reader types: "1e-3", "0,5", " 42 ", "−2" (Unicode minus).
  function parseNumber(text) {
    var t = String(text).trim().replace(/\u2212/g, "-").replace(/,/g, ".").replace(/\s+/g, "");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return NaN;
    return Number(t);
  }

  function setup(box, n) {
    var dataEl = box.querySelector(".lm-selfcheck-data");
    var controls = box.querySelector(".lm-selfcheck-controls");
    if (!dataEl || !controls || box.dataset.ready) return;
    var spec = JSON.parse(dataEl.getAttribute("data-check"));
    box.dataset.ready = "1";
    var L = strings();
    var feedback = document.createElement("p");
    feedback.className = "lm-selfcheck-feedback";
    feedback.setAttribute("aria-live", "polite");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "lm-selfcheck-button";
    button.textContent = L.check;
    var read;
    if (spec.kind === "choice") {
      var items = box.querySelectorAll(".lm-selfcheck-choices > li");
      items.forEach(function (li, i) {
        var input = document.createElement("input");
        input.type = "radio";
        input.name = "lm-selfcheck-" + n;
        input.value = String(i + 1);
        input.id = "lm-selfcheck-" + n + "-" + (i + 1);
        var label = document.createElement("label");
        label.htmlFor = input.id;
        while (li.firstChild) label.appendChild(li.firstChild);
        li.appendChild(input);
        li.appendChild(label);
      });
      read = function () {
        var chosen = box.querySelector("input[type=radio]:checked");
        return chosen ? Number(chosen.value) : null;
      };
    } else {
      var input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      input.className = "lm-selfcheck-input";
      input.setAttribute("aria-label", L.inputAria);
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); button.click(); }
      });
      controls.appendChild(input);
      read = function () { return input.value.trim() === "" ? null : parseNumber(input.value); };
    }
    controls.appendChild(button);
    controls.appendChild(feedback);
    button.addEventListener("click", function () {
      var given = read();
      box.classList.remove("lm-right", "lm-wrong");
      if (given === null) {
        feedback.textContent = spec.kind === "choice" ? L.chooseFirst : L.typeFirst;
        return;
      }
      if (spec.kind === "number" && isNaN(given)) {
        feedback.textContent = L.notNumber;
        box.classList.add("lm-wrong");
        return;
      }
      var right = spec.kind === "choice" ? given === spec.answer
                                         : numberIsRight(given, spec.answer, spec.tolerance);
      box.classList.add(right ? "lm-right" : "lm-wrong");
      feedback.textContent = right ? L.right : L.wrong;
      box.classList.add("lm-answered");
    });
  }

  function init() {
    document.querySelectorAll(".lm-selfcheck").forEach(function (box, i) { setup(box, i); });
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { numberIsRight: numberIsRight, parseNumber: parseNumber, STRINGS: STRINGS };
  }
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }
})();
