/* The website's live explorer of Levenberg-Marquardt (needs twin.js, loaded before it).
 *
 * lm.viz.static_explorer writes, per explorer, a <div class="lm-explorer"> holding the
 * pre-rendered contour image and a JSON block (the problem's residuals and Jacobian as
 * formulas, the plot window, the image's axes box, the presets). This file builds the
 * controls and solves in the page with window.lmTwin on every change: a click or drag on
 * the contour sets the start (touch too), the log slider sets lambda0 (for the trust region
 * Delta0 = |D0 x0| / lambda0), the selects the strategy, the scaling and a second strategy to
 * compare; the step scrubber (with previous/next buttons) moves the trust region of the
 * current trial step and the marker on the convergence panel, and highlights its row in
 * the table. A reader's own residuals are parsed by lmTwin.parseModel (no eval), the
 * contours of that model are computed in the page.
 *
 * References: More (1978) (the scaled trust region); Nielsen (1999); Marquardt (1963);
 * Liang & Barsky (1984) (segment clipping); W3C Pointer Events; W3C SVG 2 (viewBox).
 */
(function () {
  "use strict";
  if (window.lmExplorer) { return; }              // the file may be on a page twice
  var SVGNS = "http://www.w3.org/2000/svg";
  var COLORS = { lm: "#d62728", cmp: "#9467bd", gn: "#1f77b4", gd: "#e377c2", F: "#d62728", g: "#2ca02c", lam: "#555" };
  var VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137],
                 [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];

  // Every word this file writes into the page, in English and Simplified Chinese (the book's
  // Chinese edition). An explorer picks its table from the "lang" of its JSON data
  // (lm.viz.static_explorer writes lm.viz.i18n.language() there), else from <html lang>.
  // "{name}" is filled in by fill(); "messages" holds lm's status messages (the English ones
  // come from the data, lm.solver.STATUS_MESSAGES).
  var STRINGS = {
    en: {
      dampingAria: "damping strategy", damping: "damping", scaleAria: "scaling D",
      scaleMarquardt: "Marquardt (D = column norms)", scaleLevenberg: "Levenberg (D = I)", scaling: "scaling",
      lamAria: "initial damping λ₀ (log scale)", startAria: "starting point", clicked: "clicked point", start: "start",
      compareAria: "second strategy to compare", none: "none", compareWith: "compare with",
      gaussNewton: "Gauss–Newton", gradientDescent: "gradient descent",
      strategies: { "trust-region": "trust-region", nielsen: "nielsen", marquardt: "marquardt" },
      overlayAria: "the path of the run; click or drag to set the start",
      convAria: "convergence: F and the gradient per trial step, λ or Δ on the right axis",
      prevStep: "previous trial step", trialStep: "trial step", nextStep: "next trial step",
      copy: "copy the table (tab-separated)", ownModel: "Your own model",
      ownHelp: "Residuals r₁, r₂, … in x1 and x2, separated by commas: numbers, + − * / ^, ( ), " +
               "exp log sqrt sin cos tan atan sinh cosh tanh abs, pi, e. The Jacobian is taken by central differences.",
      modelAria: "residuals in x1, x2", x1From: "x1 from", x2From: "x2 from", to: "to",
      apply: "draw and solve", back: "back to {name}",
      status: "{strategy}, {scale} scaling, λ₀ = {lam0}{delta0}, x₀ = ({x0}, {y0}): F = {F} at ({x}, {y}), " +
              "{nit} iterations, {steps} trial steps, nfev = {nfev}, status {status}: {message}",
      statusDelta0: " (Δ₀ = {value})",
      statusCompare: " — {name} (violet): F = {F}, {steps} trial steps, nfev = {nfev}",
      statusGN: " — Gauss–Newton (blue): F = {F}", statusGD: " — gradient descent (pink): F = {F}",
      step: "Trial step {j} of {N} from the ringed point (iteration k = {k}): λ = {lam}{delta}, ‖Dp‖ = {Dp}, F(x) = {F}, " +
            "ρ = {rho}: {verdict}. The white ellipse is the trust region ‖D(z − x)‖ ≤ ‖Dp‖.",
      stepDelta: ", Δ = {value}", accepted: "accepted", rejected: "rejected",
      afterAll: "After all {N} trial steps: {k} iterations, F = {F}. Step back with ◀ to see each trust region.",
      convX: "trial step", convDelta: "Δ (right)", convLam: "λ (right)", convCompare: "F, {name}",
      colTrial: "trial", colAccepted: "accepted", yes: "yes", no: "no",
      notFinite: "the model is not finite anywhere in the window: nothing to draw",
      badWindow: "the window needs numbers with 'from' < 'to' for x1 and x2",
      cannotRead: "Cannot read the model: ", kept: ". The previous figure is kept.",
      tsvAria: "the table as tab-separated text", selected: "the table is selected below: press Ctrl+C (⌘C) to copy",
      copied: "copied {n} rows", lamDelta: " (Δ₀ = ‖D₀x₀‖/λ₀)",
      tols: "Each run stops at xtol = {xtol}, gtol = {gtol}, ftol = {ftol} (lm.viz.explore uses the same), not at " +
            "lm's defaults: those go on until F changes only at its rounding level, where the last decisions are rounding noise.",
      messages: null
    },
    zh: {
      dampingAria: "阻尼策略", damping: "阻尼", scaleAria: "缩放矩阵 D",
      scaleMarquardt: "Marquardt（D = 列范数）", scaleLevenberg: "Levenberg（D = I）", scaling: "缩放",
      lamAria: "初始阻尼 λ₀（对数刻度）", startAria: "起点", clicked: "点击的点", start: "起点",
      compareAria: "用来比较的第二种策略", none: "无", compareWith: "比较",
      gaussNewton: "高斯-牛顿", gradientDescent: "梯度下降",
      strategies: { "trust-region": "信赖域", nielsen: "Nielsen", marquardt: "Marquardt" },
      overlayAria: "求解的路径；点击或拖动可设置起点",
      convAria: "收敛过程：每个试探步的 F 与梯度，右轴为 λ 或 Δ",
      prevStep: "上一个试探步", trialStep: "试探步", nextStep: "下一个试探步",
      copy: "复制表格（制表符分隔）", ownModel: "你自己的模型",
      ownHelp: "用 x1 和 x2 写出残差 r₁, r₂, …，用逗号隔开。可用：数字，+ − * / ^，( )，" +
               "exp log sqrt sin cos tan atan sinh cosh tanh abs，pi，e。雅可比矩阵用中心差分计算。",
      modelAria: "关于 x1、x2 的残差", x1From: "x1 从", x2From: "x2 从", to: "到",
      apply: "绘图并求解", back: "回到 {name}",
      status: "{strategy}，{scale} 缩放，λ₀ = {lam0}{delta0}，x₀ = ({x0}, {y0})：F = {F}，位于 ({x}, {y})；" +
              "{nit} 次迭代，{steps} 个试探步，nfev = {nfev}，状态 {status}：{message}",
      statusDelta0: "（Δ₀ = {value}）",
      statusCompare: " — {name}（紫色）：F = {F}，{steps} 个试探步，nfev = {nfev}",
      statusGN: " — 高斯-牛顿（蓝色）：F = {F}", statusGD: " — 梯度下降（粉色）：F = {F}",
      step: "从圆圈标出的点出发的第 {j} 个试探步（共 {N} 个，迭代 k = {k}）：λ = {lam}{delta}，‖Dp‖ = {Dp}，F(x) = {F}，" +
            "ρ = {rho}：{verdict}。白色椭圆是信赖域 ‖D(z − x)‖ ≤ ‖Dp‖。",
      stepDelta: "，Δ = {value}", accepted: "接受", rejected: "拒绝",
      afterAll: "全部 {N} 个试探步之后：{k} 次迭代，F = {F}。用 ◀ 往回走，可以看到每一步的信赖域。",
      convX: "试探步", convDelta: "Δ（右轴）", convLam: "λ（右轴）", convCompare: "F，{name}",
      colTrial: "试探步", colAccepted: "接受", yes: "是", no: "否",
      notFinite: "模型在窗口内处处不是有限值：无法绘图",
      badWindow: "窗口需要数字，并且 x1 和 x2 都要满足“从” < “到”",
      cannotRead: "无法读取模型：", kept: "。保留原来的图。",
      tsvAria: "制表符分隔的表格文本", selected: "表格已在下方选中：按 Ctrl+C（⌘C）复制",
      copied: "已复制 {n} 行", lamDelta: "（Δ₀ = ‖D₀x₀‖/λ₀）",
      tols: "每次求解在 xtol = {xtol}、gtol = {gtol}、ftol = {ftol} 时停止（lm.viz.explore 也用这些值），而不用 lm 的默认值：" +
            "默认值会一直算到 F 只在舍入误差水平上变化，那时最后几次判断不过是舍入噪声。",
      messages: {
        "-4": "F 在舍入误差的水平上不再下降，但尚未证明 x 是驻点：一个预测下降量低于 F 舍入误差的步失败了，" +
              "或者连续 5 步对 F 的改变都不超过 10ε·F，而高斯-牛顿步预测还能下降更多（如果 F 应当继续下降，请用 lm.check_jacobian 检查 jac）；" +
              "或者某个判据本会结束运行，而差分雅可比矩阵有一列恰好为零且 r 不为零：差分无法证明 F 不依赖于该参数" +
              "（用中心差分时，许诺只计入步长加长 10 倍的差分能重现的方向；若预算已不够做这项检查，则计入全部方向）；" +
              "或者步长像 −2 那样失败，但 jac 与 x 处的中心差分一致（r 的舍入高于 10ε·F：r 是大数之间的小差），或者预算已不够做这项检查",
        "-3": "x 发散：某个收敛判据已满足，或 F 不再下降，而某个参数已增长到超过其初值 max(|x0_j|, 1) 的 1000 倍，" +
              "且 F 已不再依赖它，或者在 J 数值上秩亏时超过其 1/√ε 倍，或者在参数相互抵消时超过其 100 倍" +
              "（各参数的贡献 J_j·x_j 之和，或已增长的参数的贡献之和，不超过其中最大者的 1e-4，且 J D⁻¹ 的条件数超过 1/√ε）：参数趋向无穷，F 可能在那里趋近其下确界",
        "-2": "jac 与 fun 不匹配：预测会使 F 明显下降（高于其舍入水平）的步，即使步长可以忽略也会失败，" +
              "而模型看到明显的下降斜率（r 与 J 某一列夹角的余弦 > 1e-5），并且 jac 与 x 处的中心差分之差超出了差分本身的误差" +
              "（lm.check_jacobian 的判定，计入在该处测得的 r 的舍入）；请用 lm.check_jacobian 检查 jac",
        "-1": "被回调函数停止",
        "0": "求值预算 max_nfev 已用完：再做一个试探步并求它的雅可比矩阵就会超出预算" +
             "（jac=\"broyden\" 时也可能是：预算内已无法在中心差分上判定一个停止）",
        "1": "梯度检验：r 与 J 的每一列在 gtol 范围内正交（余弦 ≤ gtol）",
        "2": "ftol 检验：一个几乎无阻尼的步，其目标函数的实际与预测相对下降量都 ≤ max(ftol, 10ε)（ε：fun 所用数值类型的机器精度）",
        "3": "xtol 检验：高斯-牛顿步很小，‖D p_GN‖ ≤ xtol·‖Dx‖",
        "4": "无法继续推进：这一步在浮点数中已不再改变 x",
        "5": "F 已无法在其精度内继续下降：线性模型所能给出的最好的步——高斯-牛顿步——预测的下降量不超过 max(ftol, 10ε)·F" +
             "（ε：fun 所用数值类型的机器精度），或者在一个可忽略的或许诺低于 F 舍入误差的失败步之后，不超过舍入在该处造成的 F 变化的 10 倍" +
             "（连续 5 个停滞步之后：取这些变化中最大者的 10 倍），或者该处的 F 低于 F(x0) 的 (10ε)² 倍；" +
             "用中心差分时（jac=None、\"3-point\"、\"broyden\"），若许诺落在步长加长 10 倍的差分不能重现的 J D⁻¹ 奇异值方向上" +
             "（真实 J 秩亏时的差分噪声），则只计入能重现的方向上的许诺"
      }
    }
  };
  function fill(s, f) { return s.replace(/\{(\w+)\}/g, function (m, k) { return f && k in f ? String(f[k]) : m; }); }
  function strings(D) {
    var lang = D && D.lang ? String(D.lang) : String(document.documentElement.lang || "");
    return STRINGS[lang.toLowerCase().indexOf("zh") === 0 ? "zh" : "en"];
  }

  function el(tag, attrs, parent, text) {
    var e = tag.indexOf("svg:") === 0 ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function fmt(v, k) {
    if (v === null || v === undefined || (typeof v === "number" && isNaN(v))) { return "–"; }
    if (v === Infinity) { return "∞"; }
    if (v === -Infinity) { return "−∞"; }
    return v === 0 ? "0" : Number(v).toPrecision(k || 4).replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  }
  function r2(v) { return Math.round(v * 100) / 100; }

  function Explorer(root) {
    var D = JSON.parse(root.querySelector("script.lm-explorer-data").textContent);
    var T = window.lmTwin, self = this, TX = strings(D);
    function sname(k) { return TX.strategies[k] || k; }
    this.root = root;
    var image = root.querySelector("img.lm-explorer-image");
    var builtIn = { problem: T.compileProblem(D.problem), xlim: D.xlim, ylim: D.ylim, box: D.box, names: D.names };
    var view = builtIn;                                   // the problem and geometry shown
    var W = D.size[0], H = D.size[1];
    var state = { x0: D.starts[0].slice(), strategy: D.strategy, scale: "marquardt", logLam: Math.log10(D.lam0),
                  compare: "", gn: false, gd: false, j: 0 };
    var run = null, cmpRun = null, baselines = null;

    // ---------------------------------------------------------------- the controls
    var style = root.querySelector("style");
    root.textContent = "";
    if (style) { root.appendChild(style); }
    var bar = el("div", { "class": "lm-ex-controls" }, root);
    function labelled(text, control) { var l = el("label", null, bar); el("span", null, l, text); l.appendChild(control); return l; }
    var selS = el("select", { "data-lm": "strategy", "aria-label": TX.dampingAria });
    D.strategies.forEach(function (s) { el("option", { value: s }, selS, sname(s)); });
    selS.value = state.strategy;
    labelled(TX.damping, selS);
    var selD = el("select", { "data-lm": "scale", "aria-label": TX.scaleAria });
    el("option", { value: "marquardt" }, selD, TX.scaleMarquardt);
    el("option", { value: "levenberg" }, selD, TX.scaleLevenberg);
    labelled(TX.scaling, selD);
    var lamLabel = el("label", { "class": "lm-ex-wide" }, bar);
    var lamText = el("span", null, lamLabel);
    var inLam = el("input", { type: "range", "data-lm": "lambda", "data-lm-static": "lambda", min: "-6", max: "6", step: "0.01",
                              value: String(state.logLam), "aria-label": TX.lamAria }, lamLabel);
    var selP = el("select", { "data-lm": "start", "aria-label": TX.startAria });
    D.starts.forEach(function (s, i) { el("option", { value: String(i) }, selP, "(" + fmt(s[0]) + ", " + fmt(s[1]) + ")"); });
    el("option", { value: "custom" }, selP, TX.clicked);
    labelled(TX.start, selP);
    var selC = el("select", { "data-lm": "compare", "aria-label": TX.compareAria });
    el("option", { value: "" }, selC, TX.none);
    D.strategies.forEach(function (s) { el("option", { value: s }, selC, sname(s)); });
    labelled(TX.compareWith, selC);
    function check(text, key, color) {
      var l = el("label", { "class": "lm-ex-check" }, bar), c = el("input", { type: "checkbox", "data-lm": key }, l);
      el("span", { style: "color:" + color }, l, text);
      return c;
    }
    var cbGN = check(TX.gaussNewton, "show-gn", COLORS.gn), cbGD = check(TX.gradientDescent, "show-gd", COLORS.gd);

    var panels = el("div", { "class": "lm-ex-panels" }, root);
    var fig = el("div", { "class": "lm-ex-figure" }, panels);
    var img = image || el("img", { width: String(W), height: String(H), alt: "" });
    fig.appendChild(img);
    var canvas = el("canvas", { width: String(W), height: String(H), hidden: "" }, fig);
    var svg = el("svg:svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", role: "img",
                              "aria-label": TX.overlayAria, "data-lm": "overlay" }, fig);
    var clipId = root.id + "-clip";
    var clipRect = el("svg:rect", null, el("svg:clipPath", { id: clipId }, el("svg:defs", null, svg)));
    var g = el("svg:g", { "clip-path": "url(#" + clipId + ")" }, svg);
    var common = { fill: "none", "vector-effect": "non-scaling-stroke" };
    function path(name, attrs) {
      var a = Object.assign({ "data-lm": name, d: "" }, common, attrs);
      return el("svg:path", a, g);
    }
    function shape(tag, name, attrs) { return el("svg:" + tag, Object.assign({ "data-lm": name, visibility: "hidden" }, common, attrs), g); }
    var P = {
      halo: shape("ellipse", "trust-region-halo", { stroke: "black", "stroke-width": "3.2" }),
      region: shape("ellipse", "trust-region", { stroke: "white", "stroke-width": "1.4" }),
      gn: path("gauss-newton", { stroke: COLORS.gn, "stroke-width": "1.8", "stroke-dasharray": "6 3" }),
      gnDots: path("gauss-newton-dots", { stroke: COLORS.gn, "stroke-width": "5", "stroke-linecap": "round" }),
      gd: path("gradient-descent", { stroke: COLORS.gd, "stroke-width": "1.6", "stroke-dasharray": "2 2" }),
      cmp: path("compare", { stroke: COLORS.cmp, "stroke-width": "2", "stroke-dasharray": "5 2" }),
      cmpDots: path("compare-dots", { stroke: COLORS.cmp, "stroke-width": "5", "stroke-linecap": "round" }),
      rejSteps: path("rejected-steps", { stroke: COLORS.lm, "stroke-width": "1", "stroke-dasharray": "4 3" }),
      rej: path("rejected", { stroke: COLORS.lm, "stroke-width": "1.6" }),
      trial: path("trial", { stroke: "white", "stroke-width": "1.2", "stroke-dasharray": "2 2" }),
      acc: path("accepted", { stroke: COLORS.lm, "stroke-width": "2", "stroke-linejoin": "round" }),
      accDots: path("accepted-dots", { stroke: COLORS.lm, "stroke-width": "6", "stroke-linecap": "round" }),
      start: path("start-point", { stroke: "white", "stroke-width": "9", "stroke-linecap": "square" }),
      current: shape("circle", "current", { r: "7", stroke: "white", "stroke-width": "2.5" })
    };
    var conv = el("svg:svg", { viewBox: "0 0 360 240", "class": "lm-ex-convergence", role: "img",
                               "aria-label": TX.convAria, "data-lm": "convergence" }, panels);

    var scrub = el("div", { "class": "lm-ex-controls lm-ex-scrub" }, root);
    var prev = el("button", { type: "button", "data-lm": "prev", "aria-label": TX.prevStep }, scrub, "◀");
    var inIt = el("input", { type: "range", "data-lm": "iteration", "data-lm-static": "iteration", min: "0", max: "0", step: "1", value: "0", "aria-label": TX.trialStep }, scrub);
    var next = el("button", { type: "button", "data-lm": "next", "aria-label": TX.nextStep }, scrub, "▶");
    var itText = el("output", { "data-lm": "iteration-value" }, scrub);
    var status = el("p", { "data-lm": "status", "aria-live": "polite" }, root);
    var stepText = el("p", { "data-lm": "step" }, root);
    var tols = D.tols || {};
    if (D.tols) { el("p", { "data-lm": "tolerances", "class": "lm-ex-note" }, root, fill(TX.tols, { xtol: tols.xtol.toExponential(), gtol: tols.gtol.toExponential(), ftol: tols.ftol.toExponential() })); }
    var tableBox = el("div", { "class": "lm-ex-table" }, root);
    var table = el("table", { "data-lm": "table" }, tableBox);
    var copyBtn = el("button", { type: "button", "data-lm": "copy" }, root, TX.copy);

    var own = el("details", { "class": "lm-ex-own" }, root);
    el("summary", null, own, TX.ownModel);
    el("p", null, own, TX.ownHelp);
    var modelIn = el("textarea", { "data-lm": "model", rows: "2", spellcheck: "false", "aria-label": TX.modelAria }, own);
    modelIn.value = "x1^2 + x2 - 11, x1 + x2^2 - 7";
    var win = el("div", { "class": "lm-ex-controls" }, own);
    function num(label, key, value) {
      var l = el("label", null, win); el("span", null, l, label);
      var i = el("input", { type: "text", inputmode: "decimal", "data-lm": key, size: "6", value: String(value) }, l);
      return i;
    }
    var wx0 = num(TX.x1From, "x1-min", -5), wx1 = num(TX.to, "x1-max", 5), wy0 = num(TX.x2From, "x2-min", -5), wy1 = num(TX.to, "x2-max", 5);
    var buttons = el("div", { "class": "lm-ex-controls" }, own);
    var apply = el("button", { type: "button", "data-lm": "apply-model" }, buttons, TX.apply);
    var back = el("button", { type: "button", "data-lm": "book-model" }, buttons, fill(TX.back, { name: D.name }));
    var message = el("p", { "data-lm": "model-error", role: "alert", "class": "lm-ex-error" }, own);

    // ---------------------------------------------------------------- geometry
    function px(x) { var b = view.box; return b[0] + (x - view.xlim[0]) / (view.xlim[1] - view.xlim[0]) * b[2]; }
    function py(y) { var b = view.box; return b[1] + (view.ylim[1] - y) / (view.ylim[1] - view.ylim[0]) * b[3]; }
    function pt(a) { return a ? [px(a[0]), py(a[1])] : null; }
    function clip(ax, ay, bx, by) {   // Liang-Barsky, to the axes box grown by its size on each side
      var b = view.box, X0 = b[0] - b[2], X1 = b[0] + 2 * b[2], Y0 = b[1] - b[3], Y1 = b[1] + 2 * b[3];
      if (![ax, ay, bx, by].every(isFinite)) { return null; }
      var t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay, p = [-dx, dx, -dy, dy], q = [ax - X0, X1 - ax, ay - Y0, Y1 - ay];
      for (var i = 0; i < 4; i++) {
        if (p[i] === 0) { if (q[i] < 0) { return null; } continue; }
        var t = q[i] / p[i];
        if (p[i] < 0) { if (t > t1) { return null; } if (t > t0) { t0 = t; } } else { if (t < t0) { return null; } if (t < t1) { t1 = t; } }
      }
      return [ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy];
    }
    function polyline(pts) {
      var d = "", pen = null;
      for (var i = 1; i < pts.length; i++) {
        var a = pts[i - 1], b = pts[i];
        if (!a || !b) { pen = null; continue; }
        var c = clip(a[0], a[1], b[0], b[1]);
        if (!c) { pen = null; continue; }
        var m = [r2(c[0]), r2(c[1])], e = [r2(c[2]), r2(c[3])];
        if (!pen || pen[0] !== m[0] || pen[1] !== m[1]) { d += "M" + m[0] + " " + m[1]; }
        d += "L" + e[0] + " " + e[1]; pen = e;
      }
      return d;
    }
    function inside(p) { var b = view.box; return p && p[0] >= b[0] && p[0] <= b[0] + b[2] && p[1] >= b[1] && p[1] <= b[1] + b[3]; }
    function dots(pts) { return pts.filter(inside).map(function (p) { return "M" + r2(p[0]) + " " + r2(p[1]) + "h0"; }).join(""); }
    function crosses(pts, h) {
      return pts.filter(inside).map(function (p) {
        return "M" + r2(p[0] - h) + " " + r2(p[1] - h) + "l" + 2 * h + " " + 2 * h + "M" + r2(p[0] - h) + " " + r2(p[1] + h) + "l" + 2 * h + " " + (-2 * h);
      }).join("");
    }
    function setBox() {
      var b = view.box;
      clipRect.setAttribute("x", b[0]); clipRect.setAttribute("y", b[1]);
      clipRect.setAttribute("width", b[2]); clipRect.setAttribute("height", b[3]);
    }

    // ---------------------------------------------------------------- solving
    function lam0() { return Math.pow(10, state.logLam); }
    function solveAll(startChanged) {
      var opts = { damping: state.strategy, scale: state.scale, lam0: lam0(), maxNfev: D.maxNfev,
                   ftol: tols.ftol, xtol: tols.xtol, gtol: tols.gtol };
      run = T.solve(view.problem, state.x0, opts);
      cmpRun = state.compare ? T.solve(view.problem, state.x0, Object.assign({}, opts, { damping: state.compare })) : null;
      if (startChanged || !baselines) { baselines = null; }
      if ((state.gn || state.gd) && !baselines) {
        baselines = { gn: T.gaussNewton(view.problem, state.x0, 50), gd: T.gradientDescent(view.problem, state.x0, 200) };
      }
    }
    function update(startChanged, keepStep) {
      var t0 = performance.now();
      try { solveAll(startChanged); } catch (e) { showError(e.message || String(e)); return false; }
      var N = run.history.length, t1 = performance.now();
      if (inIt.max !== String(N)) { inIt.max = String(N); }
      state.j = keepStep ? Math.min(state.j, N) : N;
      if (inIt.value !== String(state.j)) { inIt.value = String(state.j); }
      drawPaths();
      var t2 = performance.now();
      drawConvergenceCurves();
      var t3 = performance.now();
      drawTable();
      var t4 = performance.now();
      drawStep();
      self.timings = { solve: t1 - t0, paths: t2 - t1, convergence: t3 - t2, table: t4 - t3, step: performance.now() - t4 };
      return true;
    }

    // ---------------------------------------------------------------- drawing
    function drawPaths() {
      var h = run.history, acc = [pt(run.x0)], rej = [], segs = [];
      h.forEach(function (s) {
        var t = pt(s.x_trial);
        if (s.accepted) { acc.push(t); } else { rej.push(t); segs.push(pt(s.x), t, null); }
      });
      P.acc.setAttribute("d", polyline(acc));
      P.accDots.setAttribute("d", dots(acc));
      P.rejSteps.setAttribute("d", polyline(segs));
      P.rej.setAttribute("d", crosses(rej, 4));
      var s0 = pt(run.x0);
      P.start.setAttribute("d", inside(s0) ? "M" + r2(s0[0]) + " " + r2(s0[1]) + "h0" : "");
      if (cmpRun) {
        var c = [pt(cmpRun.x0)].concat(cmpRun.history.filter(function (s) { return s.accepted; }).map(function (s) { return pt(s.x_trial); }));
        P.cmp.setAttribute("d", polyline(c)); P.cmpDots.setAttribute("d", dots(c));
      } else { P.cmp.setAttribute("d", ""); P.cmpDots.setAttribute("d", ""); }
      var gn = state.gn && baselines ? baselines.gn.points.map(pt) : [], gd = state.gd && baselines ? baselines.gd.points.map(pt) : [];
      P.gn.setAttribute("d", polyline(gn)); P.gnDots.setAttribute("d", dots(gn));
      P.gd.setAttribute("d", polyline(gd));
      var msg = (TX.messages && TX.messages[String(run.status)]) || D.messages[String(run.status)] || "";
      status.textContent = fill(TX.status, {
        strategy: sname(state.strategy), scale: state.scale === "marquardt" ? "Marquardt" : "Levenberg", lam0: fmt(lam0(), 3),
        delta0: state.strategy === "trust-region" && h.length ? fill(TX.statusDelta0, { value: fmt(h[0].Delta, 3) }) : "",
        x0: fmt(run.x0[0]), y0: fmt(run.x0[1]), F: fmt(run.cost, 6), x: fmt(run.x[0], 6), y: fmt(run.x[1], 6),
        nit: run.nit, steps: h.length, nfev: run.nfev, status: run.status, message: msg }) +
        (cmpRun ? fill(TX.statusCompare, { name: sname(state.compare), F: fmt(cmpRun.cost, 6), steps: cmpRun.history.length, nfev: cmpRun.nfev }) : "") +
        (state.gn && baselines ? fill(TX.statusGN, { F: fmt(baselines.gn.cost, 6) }) : "") +
        (state.gd && baselines ? fill(TX.statusGD, { F: fmt(baselines.gd.cost, 6) }) : "");
    }

    function drawStep() {
      var h = run.history, N = h.length, j = state.j;
      var k = 0, cur = run.x0;
      for (var i = 0; i < j; i++) { if (h[i].accepted) { k++; cur = h[i].x_trial; } }
      itText.textContent = j + " / " + N;
      prev.disabled = j <= 0; next.disabled = j >= N;
      var c = pt(cur);
      if (c && isFinite(c[0]) && isFinite(c[1])) {
        P.current.setAttribute("cx", r2(c[0])); P.current.setAttribute("cy", r2(c[1])); P.current.setAttribute("visibility", "visible");
      } else { P.current.setAttribute("visibility", "hidden"); }
      if (j < N) {
        var s = h[j], Dp = Math.sqrt(Math.pow(s.D[0] * s.p[0], 2) + Math.pow(s.D[1] * s.p[1], 2));
        var a = Dp / s.D[0] / (view.xlim[1] - view.xlim[0]) * view.box[2], b = Dp / s.D[1] / (view.ylim[1] - view.ylim[0]) * view.box[3];
        [P.halo, P.region].forEach(function (e) {
          if (c && isFinite(a) && isFinite(b)) {
            e.setAttribute("cx", r2(c[0])); e.setAttribute("cy", r2(c[1]));
            e.setAttribute("rx", r2(Math.min(a, 1e5))); e.setAttribute("ry", r2(Math.min(b, 1e5)));
            e.setAttribute("visibility", "visible");
          } else { e.setAttribute("visibility", "hidden"); }
        });
        P.trial.setAttribute("d", polyline([c, pt(s.x_trial)]));
        stepText.textContent = fill(TX.step, { j: j + 1, N: N, k: k, lam: fmt(s.lam, 3),
          delta: s.Delta !== null ? fill(TX.stepDelta, { value: fmt(s.Delta, 3) }) : "", Dp: fmt(Dp, 3), F: fmt(s.cost, 6),
          rho: fmt(s.rho, 3), verdict: s.accepted ? TX.accepted : TX.rejected });
      } else {
        [P.halo, P.region].forEach(function (e) { e.setAttribute("visibility", "hidden"); });
        P.trial.setAttribute("d", "");
        stepText.textContent = fill(TX.afterAll, { N: N, k: k, F: fmt(run.cost, 6) });
      }
      if (j < N) { showRow(j); } else { renderRows(); }
      convMarker(j);
    }

    // convergence panel: log axes, F and |g|inf on the left, lambda or Delta on the right
    var CX0 = 46, CX1 = 312, CY0 = 26, CY1 = 206, convMark = null, convN = 1;
    function logRange(values) {
      var lo = Infinity, hi = -Infinity;
      values.forEach(function (v) { if (v > 0 && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      if (lo === Infinity) { return [0, 1]; }
      lo = Math.floor(Math.log10(lo)); hi = Math.ceil(Math.log10(hi));
      if (hi <= lo) { hi = lo + 1; }
      return [lo, hi];
    }
    // its frame, series, legend and marker are made once; a move sets the series' paths and
    // rebuilds the tick labels or the legend only when their ranges or names change
    var convParts = null;
    function drawConvergenceCurves() {
      var h = run.history, N = Math.max(h.length, 1), tr = state.strategy === "trust-region";
      convN = N;
      if (!convParts) {
        el("svg:rect", { x: CX0, y: CY0, width: CX1 - CX0, height: CY1 - CY0, fill: "white", stroke: "#888" }, conv);
        convParts = { grid: el("svg:path", { d: "", stroke: "#eee", fill: "none" }, conv), ticks: el("svg:g", { "font-size": "11" }, conv), legend: el("svg:g", { "font-size": "11" }, conv),
                      tickKey: "", legendKey: "" };
        el("svg:text", { x: (CX0 + CX1) / 2, y: 236, "text-anchor": "middle", "font-size": "11" }, conv, TX.convX);
        [["F", COLORS.F, ""], ["g", COLORS.g, ""], ["lam", COLORS.lam, "3 2"], ["compare", COLORS.cmp, "5 2"]].forEach(function (c) {
          convParts[c[0]] = el("svg:path", { d: "", fill: "none", stroke: c[1], "stroke-width": "1.8", "stroke-dasharray": c[2] || "none", "data-lm": "conv-" + c[0] }, conv);
        });
        convMark = el("svg:line", { y1: CY0, y2: CY1, stroke: "black", "stroke-width": "1", "stroke-dasharray": "2 2", "data-lm": "conv-marker" }, conv);
      }
      var F = h.map(function (s) { return s.cost; }), G = h.map(function (s) { return s.grad_norm; });
      var L = h.map(function (s) { return tr ? s.Delta : s.lam; });
      var left = logRange(F.concat(G)), right = logRange(L);
      function X(i) { return CX0 + (N > 1 ? i / (N - 1) : 0.5) * (CX1 - CX0); }
      function Y(v, r) { return CY1 - (Math.log10(v) - r[0]) / (r[1] - r[0]) * (CY1 - CY0); }
      var tickKey = left.join() + "|" + right.join() + "|" + N;
      if (tickKey !== convParts.tickKey) {
        convParts.tickKey = tickKey;
        // the labels' elements are reused (only their text and place change), the grid redrawn
        var labels = [], grid = "";
        var ticks = function (r, x, anchor) {
          var step = Math.max(1, Math.ceil((r[1] - r[0]) / 6));
          for (var e = r[0]; e <= r[1]; e += step) {
            var y = Y(Math.pow(10, e), r);
            labels.push([x, r2(y + 4), anchor, "1e" + e]);
            if (anchor === "end") { grid += "M" + CX0 + " " + r2(y) + "H" + CX1; }
          }
        };
        ticks(left, CX0 - 4, "end"); ticks(right, CX1 + 4, "start");
        var step = Math.max(1, Math.ceil(N / 6));
        for (var i = 0; i < N; i += step) { labels.push([r2(X(i)), CY1 + 14, "middle", String(i + 1)]); }
        convParts.grid.setAttribute("d", grid);
        var pool = convParts.ticks.childNodes;
        labels.forEach(function (l, k) {
          var t = pool[k] || el("svg:text", null, convParts.ticks);
          t.setAttribute("x", l[0]); t.setAttribute("y", l[1]); t.setAttribute("text-anchor", l[2]); setText(t, l[3]);
        });
        while (pool.length > labels.length) { convParts.ticks.removeChild(convParts.ticks.lastChild); }
      }
      function series(values, r) {
        var d = "", pen = false;
        values.forEach(function (v, i) {
          if (v > 0 && isFinite(v)) { d += (pen ? "L" : "M") + r2(X(i)) + " " + r2(Y(v, r)); pen = true; if (N === 1) { d += "h0.1"; } } else { pen = false; }
        });
        return d;
      }
      convParts.F.setAttribute("d", series(F, left));
      convParts.g.setAttribute("d", series(G, left));
      convParts.lam.setAttribute("d", series(L, right));
      convParts.compare.setAttribute("d", cmpRun ? series(cmpRun.history.map(function (s) { return s.cost; }), left) : "");
      var legend = [["F", COLORS.F], ["‖g‖∞", COLORS.g], [tr ? TX.convDelta : TX.convLam, COLORS.lam]];
      if (cmpRun) { legend.push([fill(TX.convCompare, { name: sname(state.compare) }), COLORS.cmp]); }
      var legendKey = legend.map(function (l) { return l[0]; }).join("|");
      if (legendKey !== convParts.legendKey) {
        convParts.legendKey = legendKey; convParts.legend.textContent = "";
        legend.forEach(function (l, i) { el("svg:text", { x: CX0 + 4 + i * 68, y: 16, fill: l[1] }, convParts.legend, l[0]); });
      }
      convMarker.X = X;
    }
    function convMarker(j) {
      if (!convMark) { return; }
      var x = j < run.history.length ? convMarker.X(j) : CX1;
      convMark.setAttribute("x1", r2(x)); convMark.setAttribute("x2", r2(x));
    }

    function tableRows() {
      var tr = state.strategy === "trust-region", n = view.names;
      var head = [TX.colTrial, "k", n[0], n[1], "λ"].concat(tr ? ["Δ"] : []).concat(["ρ", TX.colAccepted, "F(x)", "F(x + p)"]);
      var rows = run.history.map(function (s, i) {
        return [i + 1, s.k, s.x[0], s.x[1], s.lam].concat(tr ? [s.Delta] : []).concat([s.rho, s.accepted ? TX.yes : TX.no, s.cost, s.cost_trial]);
      });
      return { head: head, rows: rows };
    }
    // the table holds every trial step, but only the rows in (and near) its scrolled window
    // are in the document, and those rows are kept: a move rewrites the text of the cells
    // that changed (formatted only for the rows shown), so no row is parsed or created anew
    var ROW = 20, tableData = null, headKey = "", pool = [], spacers = null, current = null;
    function drawTable() {
      var t = tableRows(), key = t.head.join("|");
      if (key !== headKey) {
        headKey = key;
        table.querySelector("thead") || table.appendChild(document.createElement("thead"));
        table.tHead.innerHTML = "<tr>" + t.head.map(function (h) { return "<th>" + h + "</th>"; }).join("") + "</tr>";
      }
      tableData = t.rows;
    }
    function setText(e, text) { if (e.lmText !== text) { e.lmText = text; e.textContent = text; } }
    function renderRows() {
      if (!tableData) { return; }
      // scroll position and height are kept in variables: reading them from the element
      // would force a layout in the middle of an update
      var n = tableData.length, view = Math.ceil(boxHeight / ROW);
      var first = Math.max(0, Math.min(Math.floor(scrollTop / ROW) - 2, n - view - 3)), last = Math.min(n, first + view + 3);
      var body = table.tBodies[0] || table.appendChild(document.createElement("tbody"));
      if (!spacers) {
        spacers = [el("tr", { "class": "lm-ex-spacer" }, body), el("tr", { "class": "lm-ex-spacer" }, body)];
      }
      var top = first * ROW + "px", bottom = (n - last) * ROW + "px";
      if (spacers[0].style.height !== top) { spacers[0].style.height = top; }
      if (spacers[1].style.height !== bottom) { spacers[1].style.height = bottom; }
      spacers[0].hidden = first === 0; spacers[1].hidden = last >= n;
      var cols = tableData.length ? tableData[0].length : 0;
      for (var i = 0; first + i < last; i++) {
        var tr = pool[i];
        if (!tr || tr.cells.length !== cols) {
          var fresh = document.createElement("tr");
          for (var c = 0; c < cols; c++) { fresh.appendChild(document.createElement("td")); }
          if (tr) { body.replaceChild(fresh, tr); } else { body.insertBefore(fresh, spacers[1]); }
          tr = pool[i] = fresh;
        }
        var row = tableData[first + i], at = String(first + i);
        if (tr.lmRow !== at) { tr.lmRow = at; tr.setAttribute("data-row", at); }
        for (c = 0; c < cols; c++) { var v = row[c]; setText(tr.cells[c], typeof v === "number" ? fmt(v, 7) : v); }
      }
      while (pool.length > i) { body.removeChild(pool.pop()); }
      var cur = state.j >= first && state.j < last ? pool[state.j - first] : null;
      if (cur !== current) {
        if (current) { current.classList.remove("lm-ex-current"); }
        if (cur) { cur.classList.add("lm-ex-current"); }
        current = cur;
      }
    }
    var scrollPending = false, scrollTop = 0, boxHeight = 320;
    tableBox.addEventListener("scroll", function () {
      scrollTop = tableBox.scrollTop; boxHeight = tableBox.clientHeight || boxHeight;
      if (!scrollPending) { scrollPending = true; requestAnimationFrame(function () { scrollPending = false; renderRows(); }); }
    });
    function showRow(j) {
      var top = (j + 1) * ROW;                           // the row's top (below the header row)
      if (top - ROW < scrollTop) { scrollTop = Math.max(0, top - 2 * ROW); tableBox.scrollTop = scrollTop; }
      else if (top + ROW > scrollTop + boxHeight) { scrollTop = top + ROW - boxHeight; tableBox.scrollTop = scrollTop; }
      renderRows();
    }
    function tsv() {
      var t = tableRows();
      return [t.head.join("\t")].concat(t.rows.map(function (row) {
        return row.map(function (v) { return typeof v === "number" ? String(v) : v; }).join("\t");
      })).join("\n");
    }

    // ---------------------------------------------------------------- a reader's model
    function showError(text) { message.textContent = text; own.open = true; root.setAttribute("data-lm-error", "1"); }
    function clearError() { message.textContent = ""; root.removeAttribute("data-lm-error"); }
    function drawContours(problem, xlim, ylim, box) {
      var nx = 120, ny = 90, vals = new Float64Array(nx * ny), finite = 0, lo = Infinity, hi = -Infinity;
      for (var iy = 0; iy < ny; iy++) {
        for (var ix = 0; ix < nx; ix++) {
          var x = xlim[0] + (ix + 0.5) / nx * (xlim[1] - xlim[0]), y = ylim[1] - (iy + 0.5) / ny * (ylim[1] - ylim[0]);
          var r = problem.fun([x, y]), F = 0;
          for (var q = 0; q < r.length; q++) { F += r[q] * r[q]; }
          var v = isFinite(F) ? Math.log10(0.5 * F + 1e-300) : NaN;
          vals[iy * nx + ix] = v;
          if (isFinite(v)) { finite++; lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
      }
      if (!finite) { throw new Error(TX.notFinite); }
      lo = Math.max(lo, hi - 12);
      var ctx = canvas.getContext("2d"), small = document.createElement("canvas");
      small.width = nx; small.height = ny;
      var sctx = small.getContext("2d"), im = sctx.createImageData(nx, ny), bands = 24;
      for (var i = 0; i < nx * ny; i++) {
        var t = isFinite(vals[i]) ? Math.min(Math.floor(Math.max(vals[i] - lo, 0) / (hi - lo + 1e-12) * bands), bands - 1) / (bands - 1) : -1;
        var c = t < 0 ? [255, 255, 255] : VIRIDIS[Math.round(t * (VIRIDIS.length - 1))];
        im.data[4 * i] = c[0]; im.data[4 * i + 1] = c[1]; im.data[4 * i + 2] = c[2]; im.data[4 * i + 3] = 255;
      }
      sctx.putImageData(im, 0, 0);
      ctx.fillStyle = "white"; ctx.fillRect(0, 0, W, H);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(small, box[0], box[1], box[2], box[3]);
      ctx.strokeStyle = "black"; ctx.strokeRect(box[0], box[1], box[2], box[3]);
      ctx.fillStyle = "black"; ctx.font = "13px sans-serif"; ctx.textAlign = "center";
      for (var k = 0; k <= 4; k++) {
        var fx = xlim[0] + k / 4 * (xlim[1] - xlim[0]), fy = ylim[0] + k / 4 * (ylim[1] - ylim[0]);
        ctx.fillText(fmt(fx, 3), box[0] + k / 4 * box[2], box[1] + box[3] + 16);
        ctx.textAlign = "right"; ctx.fillText(fmt(fy, 3), box[0] - 4, box[1] + box[3] - k / 4 * box[3] + 4); ctx.textAlign = "center";
      }
      ctx.fillText("x1", box[0] + box[2] / 2, H - 4);
      ctx.save(); ctx.translate(12, box[1] + box[3] / 2); ctx.rotate(-Math.PI / 2); ctx.fillText("x2", 0, 0); ctx.restore();
    }
    function applyModel() {
      var lims = [wx0, wx1, wy0, wy1].map(function (i) { return Number(i.value.trim()); });
      try {
        if (!lims.every(isFinite) || !(lims[0] < lims[1]) || !(lims[2] < lims[3])) {
          throw new Error(TX.badWindow);
        }
        var problem = T.compileProblem({ residuals: [modelIn.value], jacobian: null, params: ["x1", "x2"], data: null });
        var xlim = [lims[0], lims[1]], ylim = [lims[2], lims[3]];
        var box = [56, 10, W - 70, H - 50];
        drawContours(problem, xlim, ylim, box);
      } catch (e) {
        showError((e instanceof T.ParseError ? TX.cannotRead : "") + (e.message || String(e)) + TX.kept);
        return false;
      }
      var old = { view: view, x0: state.x0 };
      view = { problem: problem, xlim: xlim, ylim: ylim, box: box, names: ["x1", "x2"] };
      state.x0 = [xlim[0] + 0.55 * (xlim[1] - xlim[0]), ylim[0] + 0.55 * (ylim[1] - ylim[0])];
      setBox();
      if (!update(true)) {                                  // no run from there: keep the old figure
        view = old.view; state.x0 = old.x0; setBox();
        if (view === builtIn) { canvas.hidden = true; img.hidden = false; }
        return false;
      }
      clearError();
      img.hidden = true; canvas.hidden = false;
      selP.value = "custom";
      root.setAttribute("data-lm-model", "own");
      return true;
    }
    function backToBook() {
      clearError();
      view = builtIn; canvas.hidden = true; img.hidden = false; setBox();
      state.x0 = D.starts[0].slice(); selP.value = "0";
      root.setAttribute("data-lm-model", "book");
      update(true);
    }

    // ---------------------------------------------------------------- events
    function updateLamText() {
      lamText.textContent = (state.strategy === "trust-region" ? "λ₀ = " + fmt(lam0(), 3) + TX.lamDelta : "λ₀ = " + fmt(lam0(), 3));
    }
    function setStart(x) {
      state.x0 = x; if (selP.value !== "custom") { selP.value = "custom"; }
      if (!update(true)) { return; }
      clearError();
    }
    var pending = null, scheduled = false;
    function schedule(fn) {
      pending = fn;
      if (!scheduled) { scheduled = true; requestAnimationFrame(function () { scheduled = false; var f = pending; pending = null; if (f) { f(); } }); }
    }
    function dataPoint(ev) {
      var rect = svg.getBoundingClientRect();
      var vx = (ev.clientX - rect.left) / rect.width * W, vy = (ev.clientY - rect.top) / rect.height * H, b = view.box;
      if (vx < b[0] || vx > b[0] + b[2] || vy < b[1] || vy > b[1] + b[3]) { return null; }
      return [view.xlim[0] + (vx - b[0]) / b[2] * (view.xlim[1] - view.xlim[0]), view.ylim[1] - (vy - b[1]) / b[3] * (view.ylim[1] - view.ylim[0])];
    }
    var dragging = false;
    svg.addEventListener("pointerdown", function (ev) {
      var x = dataPoint(ev);
      if (!x) { return; }
      dragging = true;
      try { svg.setPointerCapture(ev.pointerId); } catch (e) { /* a synthetic event has no capture */ }
      ev.preventDefault();
      setStart(x);
    });
    svg.addEventListener("pointermove", function (ev) {
      if (!dragging) { return; }
      var x = dataPoint(ev);
      if (x) { schedule(function () { setStart(x); }); }
    });
    ["pointerup", "pointercancel"].forEach(function (t) { svg.addEventListener(t, function () { dragging = false; }); });
    inLam.addEventListener("input", function () { state.logLam = +inLam.value; updateLamText(); schedule(function () { update(false); }); });
    selS.addEventListener("change", function () { state.strategy = selS.value; updateLamText(); update(false); });
    selD.addEventListener("change", function () { state.scale = selD.value; update(false); });
    selC.addEventListener("change", function () { state.compare = selC.value; update(false, true); });
    selP.addEventListener("change", function () {
      if (selP.value === "custom") { return; }
      if (view !== builtIn) { backToBook(); }
      state.x0 = D.starts[+selP.value].slice(); update(true); selP.value = String(D.starts.indexOf(D.starts[+selP.value]));
    });
    cbGN.addEventListener("change", function () { state.gn = cbGN.checked; update(false, true); });
    cbGD.addEventListener("change", function () { state.gd = cbGD.checked; update(false, true); });
    inIt.addEventListener("input", function () { state.j = +inIt.value; drawStep(); });
    prev.addEventListener("click", function () { if (state.j > 0) { state.j--; inIt.value = String(state.j); drawStep(); } });
    next.addEventListener("click", function () { if (state.j < run.history.length) { state.j++; inIt.value = String(state.j); drawStep(); } });
    apply.addEventListener("click", applyModel);
    back.addEventListener("click", backToBook);
    copyBtn.addEventListener("click", function () {
      var text = tsv();
      function fallback() {
        var area = root.querySelector("textarea.lm-ex-tsv") || el("textarea", { "class": "lm-ex-tsv", rows: "6", readonly: "", "aria-label": TX.tsvAria });
        copyBtn.parentNode.insertBefore(area, copyBtn.nextSibling);
        area.value = text; area.focus(); area.select();
        copyBtn.textContent = TX.selected;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copyBtn.textContent = fill(TX.copied, { n: run.history.length }); }, fallback);
      } else { fallback(); }
    });

    // for tests and the benchmark: the state, and a way to drive it without a pointer
    this.state = state;
    this.data = D;
    this.run = function () { return run; };
    this.setStart = setStart;
    this.setLogLambda = function (v) { inLam.value = String(v); state.logLam = +inLam.value; updateLamText(); update(false); };
    this.toPixel = function (x) { return pt(x); };
    this.tsv = tsv;
    this.applyModel = applyModel;

    setBox();
    updateLamText();
    update(true);
    boxHeight = tableBox.clientHeight || boxHeight;   // once, at the start
    renderRows();
    root.setAttribute("data-lm-ready", "1");
  }

  function initAll() {
    var roots = document.querySelectorAll("div.lm-explorer:not([data-lm-ready])");
    for (var i = 0; i < roots.length; i++) {
      try { roots[i].lmExplorer = new Explorer(roots[i]); }
      catch (e) { roots[i].setAttribute("data-lm-failed", String(e && e.message)); throw e; }
    }
  }
  window.lmExplorer = { init: initAll, Explorer: Explorer, STRINGS: STRINGS };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", initAll); } else { initAll(); }
})();
