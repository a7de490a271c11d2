/* The browser twin of lm's loop for problems with 2 parameters (no DOM in this file).
 *
 * Each function below mirrors one piece of the Python package, with the same names and the
 * same order of operations, so that a change on either side shows in the conformance test
 * (tests/browser/test_twin.py runs both on the same starts and compares every trial step):
 *
 *   subproblem(r, J, D)            lm/subproblem.py  Subproblem (step, lam_for_radius, ...)
 *   makeScaling(kind)              lm/solver.py      _Scaling
 *   makeDamping(kind, options)     lm/damping.py     TrustRegion, Nielsen, Marquardt
 *   stoppingTests(...)             lm/solver.py      _StoppingTests (at_start, after)
 *   solve(problem, x0, options)    lm/solver.py      levenberg_marquardt (the loop)
 *   central(f, x, r, typical)      lm/jacobians.py   central
 *   gaussNewton, gradientDescent   lm/baselines.py
 *   parseModel(text)               a small safe parser for a reader's residuals (no eval)
 *
 * The SVD of the m x 2 matrix J D^-1 is one-sided Jacobi: a plane rotation makes the two
 * columns orthogonal; their norms are the singular values (as accurate as LAPACK's).
 *
 * References: Levenberg (1944); Marquardt (1963); More (1978); Nielsen (1999);
 * Madsen, Nielsen & Tingleff (2004) Alg. 3.16; Nocedal & Wright (2006) ch. 4, 10;
 * Demmel & Veselic (1992) (one-sided Jacobi SVD).
 */
(function (root) {
  "use strict";
  var EPS = 2.220446049250313e-16;          // np.finfo(float).eps
  var CBRT_EPS = 6.055454452393343e-06;      // EPS ** (1/3) as Python computes it
  var SQRT_EPS = 1.4901161193847656e-08;     // np.sqrt(EPS)
  var CONSISTENT_COSINE = 1e-5;              // lm.solver.CONSISTENT_COSINE

  function dot(a, b) { var s = 0; for (var i = 0; i < a.length; i++) { s += a[i] * b[i]; } return s; }
  function sq(v) { return dot(v, v); }
  function col(J, j) { return J.map(function (row) { return row[j]; }); }
  function matvec(J, p) { return J.map(function (row) { return row[0] * p[0] + row[1] * p[1]; }); }
  function gradient(J, r) { return [dot(col(J, 0), r), dot(col(J, 1), r)]; }   // g = J^T r
  function normInf(v) { return Math.max(Math.abs(v[0]), Math.abs(v[1])); }
  function allFinite(v) { for (var i = 0; i < v.length; i++) { if (!isFinite(v[i])) { return false; } } return true; }
  function matFinite(J) { return J.every(allFinite); }
  function colNorm(J, j) {                                                    // column_norms
    var v = col(J, j), n = Math.sqrt(sq(v));
    // (J_j'J_j overflows beyond 1e154, or underflows below 1e-150: Math.hypot scales first)
    return isFinite(n) && n > 1e-150 ? n : Math.hypot.apply(null, v);
  }
  function usable(J) { return matFinite(J) && isFinite(colNorm(J, 0)) && isFinite(colNorm(J, 1)); }  // _usable
  function cost(r) { var c = 0.5 * sq(r); return isFinite(c) ? c : Infinity; }   // _cost

  // ---------------------------------------------------------------- the subproblem (SVD)

  function svd2(A) {
    // A = U S V^T for an m x 2 matrix A: returns s (descending), V (columns), and the
    // columns A v_j = s_j u_j (so U^T r = (A v_j . r) / s_j without forming U)
    var a = col(A, 0), b = col(A, 1), c = 1, s = 0, V = [[1, 0], [0, 1]];
    for (var sweep = 0; sweep < 4; sweep++) {
      var alpha = sq(a), beta = sq(b), gamma = dot(a, b);
      if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) { break; }
      var zeta = (beta - alpha) / (2 * gamma);
      var t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      c = 1 / Math.sqrt(1 + t * t); s = c * t;
      var na = a.map(function (ai, i) { return c * ai - s * b[i]; });
      var nb = a.map(function (ai, i) { return s * ai + c * b[i]; });
      a = na; b = nb;
      V = [[c * V[0][0] - s * V[0][1], s * V[0][0] + c * V[0][1]],
           [c * V[1][0] - s * V[1][1], s * V[1][0] + c * V[1][1]]];
    }
    var cols = [a, b], sv = [Math.sqrt(sq(a)), Math.sqrt(sq(b))];
    var vcols = [[V[0][0], V[1][0]], [V[0][1], V[1][1]]];
    var order = sv[1] > sv[0] ? [1, 0] : [0, 1];
    var k = Math.min(A.length, 2);            // numpy's thin SVD has min(m, n) values
    if (k === 1) {                            // m = 1: one singular value, v = A^T / |A|
      var nrm = Math.sqrt(A[0][0] * A[0][0] + A[0][1] * A[0][1]);
      var v = nrm > 0 ? [A[0][0] / nrm, A[0][1] / nrm] : [1, 0];
      return { s: [nrm], V: [v], AV: [[nrm]] };
    }
    return { s: order.map(function (i) { return sv[i]; }), V: order.map(function (i) { return vcols[i]; }),
             AV: order.map(function (i) { return cols[i]; }) };
  }

  function subproblem(r, J, D) {
    // mirrors lm.subproblem.Subproblem: p(lam) = argmin |r + Jp|^2 + lam |Dp|^2
    var m = J.length;
    var A = J.map(function (row) { return [row[0] / D[0], row[1] / D[1]]; });   // J D^-1
    var dec = svd2(A), sv = dec.s, V = dec.V;
    var c = sv.map(function (si, j) {                                           // U^T r
      if (si > 0) { return dot(dec.AV[j], r) / si; }
      // a zero singular value: numpy's U column is some unit vector orthogonal to the others;
      // its product with r is (almost surely) the part of r outside the range of J
      var rest = r.slice();
      sv.forEach(function (sk, k) {
        if (sk > 0) { var u = dec.AV[k].map(function (v) { return v / sk; }), cu = dot(u, r);
          rest = rest.map(function (x, i) { return x - cu * u[i]; }); } });
      return m > sv.length - 1 ? Math.sqrt(sq(rest)) : 0;
    });
    var cutoff = EPS * Math.max(m, 2) * (sv.length ? sv[0] : 0);
    // parameters whose column of J is exactly zero: the step leaves them (as Subproblem.frozen)
    var frozen = [0, 1].map(function (k) { return J.every(function (row) { return row[k] === 0; }); });
    var gn = null;
    var sub = { r: r, J: J, D: D, s: sv, V: V, c: c, cutoff: cutoff };
    sub.filter = function (lam) {                                             // _filter
      return sv.map(function (si) { return lam > 0 ? si / (si * si + lam) : (si > cutoff ? 1 / si : 0); });
    };
    sub.step = function (lam) {                                               // step
      if (!(lam >= 0)) { throw new Error("damping lambda must be >= 0, got " + lam); }
      var f = sub.filter(lam), p = [0, 0];
      for (var j = 0; j < sv.length; j++) { var w = f[j] * c[j]; p[0] += V[j][0] * w; p[1] += V[j][1] * w; }
      return [0, 1].map(function (k) { return frozen[k] ? 0 : -p[k] / D[k]; });
    };
    sub.scaledNorm = function (lam) {                                         // scaled_norm
      var f = sub.filter(lam), q = 0;
      for (var j = 0; j < sv.length; j++) { q += (f[j] * c[j]) * (f[j] * c[j]); }
      return Math.sqrt(q);
    };
    sub.gaussNewtonNorm = function () {                                       // gauss_newton_norm
      if (gn === null) {
        var q = 0, inf = false;
        for (var j = 0; j < sv.length; j++) {
          if (sv[j] > 0) { var t = c[j] / sv[j]; q += t * t; } else if (c[j] !== 0) { inf = true; }
        }
        gn = inf ? Infinity : Math.sqrt(q);
      }
      return gn;
    };
    sub.gaussNewtonReduction = function () {                                  // gauss_newton_reduction
      var q = 0;                               // 1/2 |U_k^T r|^2 over the values above the cutoff
      for (var j = 0; j < sv.length; j++) { if (sv[j] > cutoff) { q += c[j] * c[j]; } }
      return 0.5 * q;
    };
    sub.lamForRadius = function (Delta, rtol, trace) {                        // lam_for_radius
      rtol = rtol === undefined ? 0.1 : rtol;
      if (!(Delta > 0)) { throw new Error("trust-region radius must be > 0, got " + Delta); }
      var gnn = sub.gaussNewtonNorm();
      if (trace) { trace(Math.abs(gnn - Delta) / Delta); }
      if (gnn <= Delta) { return 0; }
      var s2 = sv.map(function (x) { return x * x; });
      var sc2 = sv.map(function (x, j) { return (x * c[j]) * (x * c[j]); });
      var lo = 0, hi = Math.sqrt(sc2.reduce(function (a, b) { return a + b; }, 0)) / Delta;
      if (hi === 0) { return 0; }
      var lam = (s2.length === 2 && sv[sv.length - 1] > cutoff) ? 0 : hi;
      for (var it = 0; it < 100; it++) {
        var w = s2.map(function (x, j) { return sc2[j] / ((x + lam) * (x + lam)); });
        var q = w.reduce(function (a, b) { return a + b; }, 0);
        var norm = Math.sqrt(q);
        if (trace) { trace(Math.abs(Math.abs(norm - Delta) - rtol * Delta) / Delta); }
        if (Math.abs(norm - Delta) <= rtol * Delta) { return lam; }
        if (norm > Delta) { lo = lam; } else { hi = lam; }
        var dq = -2 * w.reduce(function (a, wj, j) { return a + wj / (s2[j] + lam); }, 0);
        var lamNewton = dq < 0 ? lam - (2 * q / dq) * (norm - Delta) / Delta : lam;
        lam = (lo < lamNewton && lamNewton < hi) ? lamNewton : 0.5 * (lo + hi);
      }
      return lam;
    };
    return sub;
  }

  // ---------------------------------------------------------------- scaling D (_Scaling)

  function makeScaling(kind) {
    var D = [0, 0];
    if (kind !== "marquardt" && kind !== "levenberg") { throw new Error("unknown scale " + kind); }
    return {
      kind: kind,
      stale: function (J, epsF) {                                              // _Scaling.stale
        if (kind !== "marquardt") { return false; }
        return [0, 1].some(function (j) {
          var c = colNorm(J, j);
          return c > 0 && c < Math.sqrt(epsF) * D[j];
        });
      },
      restart: function () { D = [0, 0]; },                                   // _Scaling.restart
      update: function (J) {
        if (kind === "levenberg") { return [1, 1]; }
        // the largest column norm seen so far (More 1978, eq. 6.3); 1 for a zero column
        D = [Math.max(D[0], colNorm(J, 0)), Math.max(D[1], colNorm(J, 1))];
        return [D[0] > 0 ? D[0] : 1, D[1] > 0 ? D[1] : 1];
      }
    };
  }

  // ---------------------------------------------------------------- damping (lm/damping.py)

  function initialLam(sub, tau) {                                             // _initial_lam
    var col2 = [0, 1].map(function (j) { return sq(col(sub.J, j)) / (sub.D[j] * sub.D[j]); });
    var lam0 = tau * Math.max(col2[0], col2[1]);
    return lam0 > 0 ? lam0 : tau;
  }

  function lambdaStrategy(options, update) {                                  // _LambdaStrategy
    var st = { Delta: null, lam: NaN, tau: options.tau || 1e-3, lam0: options.lam0 == null ? null : options.lam0 };
    st.start = function (sub, x0) {
      st.nu = 2;
      if (st.lam0 !== null) { st.lam = st.lam0; return; }
      var lam = initialLam(sub, st.tau);
      var Dx0 = Math.sqrt(sq([sub.D[0] * x0[0], sub.D[1] * x0[1]]));
      st.lam = Dx0 > 0 ? Math.max(lam, sub.lamForRadius(Dx0)) : lam;
    };
    st.propose = function (sub) { return [sub.step(st.lam), st.lam]; };
    st.update = function (rho, p, sub) { update(st, rho, p, sub); };
    return st;
  }

  function marquardtUpdate(factor) {                                          // Marquardt.update
    return function (st, rho) {
      if (rho > 0) { st.lam = st.lam / factor; } else { st.lam = Math.max(st.lam, 1e-300) * factor; }
    };
  }

  function nielsenUpdate(st, rho) {                                           // Nielsen.update
    if (rho > 0) {
      st.lam = st.lam * Math.max(1 / 3, 1 - Math.pow(2 * rho - 1, 3));
      st.nu = 2;
    } else {
      st.lam = Math.max(st.lam, 1e-300) * st.nu;
      st.nu = 2 * st.nu;
    }
  }

  function shrinkFactor(st, rho, p, sub) {                                    // _shrink_factor
    // gamma in [0.1, 0.5]: the minimizer of the quadratic through F(x), g^T p and F(x + p)
    var Jp = sub.J.map(function (row) { return row[0] * p[0] + row[1] * p[1]; });
    var DpDp = sq([sub.D[0] * p[0], sub.D[1] * p[1]]), JpJp = sq(Jp);
    var slope = -(JpJp + st.lam * DpDp), predicted = 0.5 * JpJp + st.lam * DpDp;
    var actual = rho * predicted;
    if (actual >= 0) { return 0.5; }
    if (!(actual > -99 * 0.5 * sq(sub.r))) { return 0.1; }
    var gamma = 0.5 * slope / (slope + actual);
    return gamma >= 0.1 ? gamma : 0.1;
  }

  function trustRegion(options) {                                             // TrustRegion
    var st = { Delta: null, lam: NaN, factor: options.factor === undefined ? 1 : options.factor };
    st.start = function (sub, x0) {
      var Dx0 = Math.sqrt(sq([sub.D[0] * x0[0], sub.D[1] * x0[1]]));
      st.Delta = Dx0 > 0 ? st.factor * Dx0 : st.factor;
    };
    st.propose = function (sub, trace) {
      st.lam = sub.lamForRadius(st.Delta, 0.1, trace);
      return [sub.step(st.lam), st.lam];
    };
    st.update = function (rho, p, sub) {                                      // MINPACK's lmder
      var Dp = Math.sqrt(sq([sub.D[0] * p[0], sub.D[1] * p[1]]));
      if (rho <= 0.25) { st.Delta = shrinkFactor(st, rho, p, sub) * Math.min(st.Delta, 10 * Dp); }
      else if (rho >= 0.75 || st.lam === 0) { st.Delta = 2 * Dp; }
      st.Delta = Math.max(st.Delta, 1e-300);
    };
    return st;
  }

  function makeDamping(kind, lam0) {
    // as lm.viz.explore.make_strategy: lambda strategies start from lam0, the trust region
    // from Delta0 = |D0 x0| / lam0; lam0 == null gives the solver's own defaults
    if (kind === "nielsen") { return lambdaStrategy({ lam0: lam0 }, nielsenUpdate); }
    if (kind === "marquardt") { return lambdaStrategy({ lam0: lam0 }, marquardtUpdate(10)); }
    if (kind === "trust-region") { return trustRegion({ factor: lam0 == null ? 1 : 1 / lam0 }); }
    throw new Error("unknown damping strategy " + kind);
  }

  // ---------------------------------------------------------------- stopping tests

  function cosine(g, J, r) {                                                  // _cosine
    var rn = Math.sqrt(sq(r)), best = 0, j, i;
    for (j = 0; j < 2; j++) {
      var cn = colNorm(J, j), n = cn * rn;
      if (cn > 0 && rn > 0 && n < 1e-280) {                  // (g_j underflows: unit vectors)
        var rs = Math.hypot.apply(null, r), s = 0;
        for (i = 0; i < r.length; i++) { s += (J[i][j] / cn) * (r[i] / rs); }
        best = Math.max(best, Math.abs(s));
      } else if (n > 0) { best = Math.max(best, Math.abs(g[j]) / n); }
    }
    return best;
  }

  function gradientTest(g, J, r, gtol) { return cosine(g, J, r) <= gtol ? 1 : null; }

  var NOISE_SAMPLES = 10;                    // lm.solver.NOISE_SAMPLES
  var RESOLVING_STEP = 10;                   // lm.solver.RESOLVING_STEP
  var STALL_STEPS = 5;                       // lm.solver.STALL_STEPS

  function stoppingTests(ftol, xtol, gtol, maxNfev, cost0, x0Size, epsF, note, differenced) {   // _StoppingTests
    // epsF: the machine epsilon of the type fun computes in (always double here)
    note = note || function () {};
    function rel(a, t) { return Math.abs(a - t) / Math.max(Math.abs(t), 1e-300); }
    var tests = { stalled: 0, noise: 0, allowance: null };
    function diverged(x, sub, far) {                                            // _diverged
      var big = 1 / Math.sqrt(epsF), out = false;
      var rankDeficient = !(sub.s.length === 2 && sub.s[1] > sub.cutoff);
      var fullRank = far === false || !rankDeficient;
      for (var j = 0; j < 2; j++) {
        var grown = Math.abs(x[j]) / x0Size[j];
        var norm = colNorm(sub.J, j), level = Math.sqrt(epsF * sq(sub.r));
        var faded = norm <= Math.sqrt(epsF) * sub.D[j] && norm * Math.abs(x[j]) <= level;
        note(rel(grown, big), "grown_big"); if (grown > 1e3) { note(rel(grown, 1e3), "grown_1e3"); }
        if (grown > 1e3 && norm > 0) { note(rel(norm * Math.abs(x[j]), level), "faded"); }
        if ((grown > big && !fullRank) || (grown > 1e3 && faded)) { out = true; }
      }
      // or the parameters cancel (lm.solver: CANCELLED, CANCEL_GROWTH): their contributions J_j x_j
      // nearly sum to zero on an ill-conditioned J, after some parameter has grown 100-fold
      if (far !== false) {
        var ill = rankDeficient || sub.s[1] <= Math.sqrt(epsF) * sub.s[0];
        var grownMax = Math.max(Math.abs(x[0]) / x0Size[0], Math.abs(x[1]) / x0Size[1]);
        if (ill && grownMax > 100) {
          // (all parameters, or the grown ones if two or more: with n = 2 both, the same sum)
          var sum = Math.sqrt(sq(sub.J.map(function (row) { return row[0] * x[0] + row[1] * x[1]; })));
          var largest = Math.max(colNorm(sub.J, 0) * Math.abs(x[0]), colNorm(sub.J, 1) * Math.abs(x[1]));
          note(rel(sum, 1e-4 * largest), "cancelled");
          if (sum <= 1e-4 * largest) { out = true; }
        }
      }
      return out;
    }
    function atFloor(F) {                                                       // _at_floor
      return F <= (NOISE_SAMPLES * epsF) * (NOISE_SAMPLES * epsF) * cost0;
    }
    function unseen(J, r) {                                                     // _unseen
      var zeroColumn = [0, 1].some(function (j) { return J.every(function (row) { return row[j] === 0; }); });
      return !!differenced && zeroColumn && r.some(function (v) { return v !== 0; });
    }
    function whyNoDecrease(step, r, g, x, sub, nothingLeft, allowance) {       // _why_no_decrease
      tests.allowance = null;
      if (diverged(x, sub)) { return -3; }
      if (nothingLeft) { return unseen(sub.J, sub.r) ? -4 : 5; }
      var cs = cosine(g, sub.J, r);
      note(rel(step.predicted, NOISE_SAMPLES * epsF * step.cost), "why_pred_eps"); note(rel(cs, CONSISTENT_COSINE), "why_cos");
      if (step.predicted <= NOISE_SAMPLES * epsF * step.cost || cs <= CONSISTENT_COSINE) {
        // on a difference J: the noise it was judged by, at least the promise test's level
        if (differenced && !unseen(sub.J, sub.r)) { tests.allowance = Math.max(allowance, Math.max(ftol, NOISE_SAMPLES * epsF) * 0.5 * sq(r)); }
        return -4;
      }
      return -2;
    }
    tests.atStart = function (g, J, r, nfevNext) {
      if (gradientTest(g, J, r, gtol) && !unseen(J, r)) { return 1; }
      return nfevNext > maxNfev ? 0 : null;
    };
    tests.atPoint = function (x, g, D, sub, F) {                                // at_point
      var level = Math.max(ftol, NOISE_SAMPLES * epsF);
      // no success while x runs off (but a residual at its rounding floor is a minimizer)
      var far = !atFloor(F);
      var Dx = Math.sqrt(sq([D[0] * x[0], D[1] * x[1]]));
      var gnn = sub.gaussNewtonNorm();
      note(rel(gnn, xtol * Dx), "xtol");
      var hold = unseen(sub.J, sub.r) ? -4 : null;                            // (a zero difference column)
      if (gnn <= xtol * Dx) { return diverged(x, sub, far) ? -3 : (hold || 3); }
      var cs = cosine(g, sub.J, sub.r);
      note(Math.abs(cs - gtol), "gtol");                                  // (an absolute cosine margin)
      if (cs <= gtol) { return diverged(x, sub, far) ? -3 : (hold || 1); }
      var promised = sub.gaussNewtonReduction();
      note(rel(promised, level * F), "promised5");
      if (promised <= level * F) { return diverged(x, sub, far) ? -3 : (hold || 5); }
      return null;
    };
    tests.after = function (step, x, r, g, D, sub, nearGn, nfevNext) {
      tests.allowance = null;
      // MINPACK's order: the tests on the step (ftol, xtol) before the gradient test
      // ftol only for a nearly undamped step, and never below F's rounding
      var level = Math.max(ftol, NOISE_SAMPLES * epsF), tiny = level * step.cost;
      note(Math.abs(step.predicted - tiny) / Math.max(step.cost, 1e-300), "ftol_pred");
      note(Math.abs(Math.abs(step.actual) - tiny) / Math.max(step.cost, 1e-300), "ftol_act");
      if (nearGn && step.predicted <= tiny && Math.abs(step.actual) <= tiny && step.rho <= 2) { return 2; }
      var Dx = Math.sqrt(sq([D[0] * x[0], D[1] * x[1]]));
      var F = step.accepted ? step.cost_trial : step.cost;                       // F at x
      var promised = sub.gaussNewtonReduction();                                 // the most any step gains
      var atX = tests.atPoint(x, g, D, sub, F);
      if (atX !== null) { return atX; }
      // F changed only at its rounding level: STALL_STEPS such trials in a row end the loop
      note(rel(Math.abs(step.actual), NOISE_SAMPLES * epsF * step.cost), "stall_act");
      tests.stalled = Math.abs(step.actual) <= NOISE_SAMPLES * epsF * step.cost ? tests.stalled + 1 : 0;
      // the largest change of F over the stalled steps: a sample of F's rounding noise
      tests.noise = tests.stalled > 1 ? Math.max(tests.noise, Math.abs(step.actual)) : Math.abs(step.actual);
      if (tests.stalled >= STALL_STEPS) {
        note(rel(promised, NOISE_SAMPLES * tests.noise), "stall_nothing");
        return whyNoDecrease(step, r, g, x, sub, promised <= NOISE_SAMPLES * tests.noise, NOISE_SAMPLES * tests.noise);
      }
      if (!step.accepted) {
        var Dp = Math.sqrt(sq([D[0] * step.p[0], D[1] * step.p[1]]));
        note(rel(step.predicted, epsF * F), "rej_rounding"); note(rel(Dp, Math.max(xtol, epsF) * Dx), "rej_negligible");
        // a step that moves a parameter by more than its own size is no rounding-level trial
        var small = [0, 1].every(function (j) {
          var size = Math.max(Math.abs(x[j]), xtol * x0Size[j]);
          note(rel(Math.abs(step.p[j]), size), "rej_small");
          return Math.abs(step.p[j]) <= size; });
        var rounding = small && step.predicted <= epsF * F;                      // less than F's rounding
        var negligible = small && Dp <= Math.max(xtol, epsF) * Dx;               // more damping cannot help
        if (rounding || negligible) {
          var noise = Math.abs(step.actual) <= Math.sqrt(epsF) * F ? NOISE_SAMPLES * Math.abs(step.actual) : 0;   // (beyond √ε·F: none)
          note(rel(promised, noise), "rej_nothing");
          var nothingLeft = promised <= noise || atFloor(F);
          return whyNoDecrease(step, r, g, x, sub, nothingLeft, noise);
        }
        if (step.x[0] + step.p[0] === step.x[0] && step.x[1] + step.p[1] === step.x[1]) { return 4; }
      }
      return nfevNext > maxNfev ? 0 : null;
    };
    return tests;
  }

  // ---------------------------------------------------------------- Jacobians by differences

  function steps(x, rel, typical) {                                           // _steps
    return x.map(function (xj, j) {
      var size = typical ? Math.max(Math.abs(xj), typical[j]) : Math.abs(xj);
      var h = rel * (size >= 2.2250738585072014e-308 ? size : 1);   // a subnormal size: as zero
      return (xj + h) - xj;
    });
  }

  function central(fun, x, r, typical, scale) {                               // jacobians.central
    var h = steps(x, (scale || 1) * CBRT_EPS, typical), J = r.map(function () { return [0, 0]; });
    for (var j = 0; j < 2; j++) {
      var xp = x.slice(), xm = x.slice();
      xp[j] += h[j]; xm[j] -= h[j];
      var rp = fun(xp), rm = fun(xm), i;
      if (allFinite(rp) && allFinite(rm)) { for (i = 0; i < r.length; i++) { J[i][j] = (rp[i] - rm[i]) / (xp[j] - xm[j]); } }
      else if (allFinite(rp)) { for (i = 0; i < r.length; i++) { J[i][j] = (rp[i] - r[i]) / (xp[j] - x[j]); } }
      else { for (i = 0; i < r.length; i++) { J[i][j] = (r[i] - rm[i]) / (x[j] - xm[j]); } }
    }
    return J;
  }

  function blameJac(fun, x, r, J, budget) {                                  // solver._blame_jac
    // -2 only if J does not match central differences (lm.check_jacobian's verdict), with the
    // rounding noise of r measured by a second difference (jacobians.rounding_of_r); else -4
    if (!budget) { return -4; }
    var h = steps(x, CBRT_EPS, null), i, j;
    var rp = fun([x[0] + h[0], x[1] + h[1]]), rm = fun([x[0] - h[0], x[1] - h[1]]), noise = 0;
    for (i = 0; i < r.length; i++) { noise = Math.max(noise, 0.5 * Math.abs(rp[i] + rm[i] - 2 * r[i])); }
    if (!allFinite(rp) || !allFinite(rm)) { noise = Infinity; }
    var Jfd = central(fun, x, r, null), rMax = 0, fdMax = 0;
    for (i = 0; i < r.length; i++) { rMax = Math.max(rMax, Math.abs(r[i])); fdMax = Math.max(fdMax, Math.abs(Jfd[i][0]), Math.abs(Jfd[i][1])); }
    for (j = 0; j < 2; j++) {                                   // jacobians.compare_with_differences
      var level = Math.max(EPS * rMax, noise) / h[j], colMax = 0, err = 0;
      for (i = 0; i < r.length; i++) { colMax = Math.max(colMax, Math.abs(Jfd[i][j])); err = Math.max(err, Math.abs(J[i][j] - Jfd[i][j])); }
      var scale = Math.max(Math.max(colMax, level), 1e-12 * Math.max(fdMax, 1e-300));
      if (!(err / scale <= 1e-6 + 10 * level / scale)) { return -2; }
    }
    return -4;
  }

  function resolvedVerdict(Jcoarse, sub, allowance, note) {                  // solver._resolved_verdict
    // 5 or -4: only the directions whose singular values central differences with
    // RESOLVING_STEP times longer steps reproduce (within a factor 2) count in the promise
    var A = Jcoarse.map(function (row) { return [row[0] / sub.D[0], row[1] / sub.D[1]]; });
    var s2 = svd2(A).s, promised = 0;
    for (var k = 0; k < sub.s.length; k++) {
      var sk = sub.s[k];
      if (sk > sub.cutoff) {
        note(Math.min(Math.abs(s2[k] - 0.5 * sk), Math.abs(s2[k] - 2 * sk)) / sk, "resolved_ratio");
        if (s2[k] >= 0.5 * sk && s2[k] <= 2 * sk) { promised += sub.c[k] * sub.c[k]; }
      }
    }
    note(Math.abs(0.5 * promised - allowance) / Math.max(allowance, 1e-300), "resolved_promise");
    return 0.5 * promised <= allowance ? 5 : -4;
  }

  // ---------------------------------------------------------------- the loop

  function solve(problem, x0, options) {
    // mirrors lm.levenberg_marquardt(fun, x0, jac, damping=..., scale=..., max_nfev=...)
    // problem: {fun(x) -> r, jac(x) -> J or null (central differences)}
    options = options || {};
    var ftol = options.ftol === undefined ? 1e-15 : options.ftol;
    var xtol = options.xtol === undefined ? 1e-10 : options.xtol;
    var gtol = options.gtol === undefined ? 1e-15 : options.gtol;
    // options.margins (for the conformance test): per trial step, the smallest distance of any
    // of its decisions to the decision's threshold (relative to the quantity's scale: F for a
    // reduction, |r(x0)| for a residual, the threshold for a norm), in margins, and which
    // decision it was (the label given to note), in whys
    var margins = options.margins ? [] : null, margin = Infinity, whys = [], marginWhy = "";
    function note(v, why) { if (margins && v < margin) { margin = v; marginWhy = why || "radius"; } }
    var nfev = 0;
    function f(z) { nfev += 1; return problem.fun(z); }
    var x = [+x0[0], +x0[1]];
    if (!allFinite(x)) { throw new Error("the start must be two finite numbers"); }
    var r = f(x);
    if (!r.length) { throw new Error("the model has no residuals"); }
    if (!allFinite(r)) { throw new Error("the residuals are not finite at the start (" + x.join(", ") + ")"); }
    var evalsPerJac = problem.jac ? 0 : 4;
    var typical = [x[0] !== 0 ? 1e-3 * Math.abs(x[0]) : 1, x[1] !== 0 ? 1e-3 * Math.abs(x[1]) : 1];
    function jacobian(z, rz) { return problem.jac ? problem.jac(z) : central(f, z, rz, typical); }
    var maxNfev = options.maxNfev || 500 * 3 * (1 + evalsPerJac);
    var J = jacobian(x, r);
    if (!matFinite(J)) { throw new Error("the Jacobian is not finite at the start"); }
    if (!usable(J)) { throw new Error("the column norms of the Jacobian overflow at the start"); }
    // options.strategy: a strategy object of one's own (start/propose/update, as in lm.damping)
    var strategy = options.strategy || makeDamping(options.damping || "trust-region", options.lam0);
    var scaling = makeScaling(options.scale || "marquardt");
    var F = cost(r), cost0 = F;
    var D = scaling.update(J);
    var g = gradient(J, r);
    var sub = subproblem(r, J, D);
    strategy.start(sub, x);
    var history = [], nit = 0;
    var x0Size = [Math.max(Math.abs(x[0]), 1), Math.max(Math.abs(x[1]), 1)];
    var tests = stoppingTests(ftol, xtol, gtol, maxNfev, F, x0Size, EPS, note, evalsPerJac > 0);
    var status = tests.atStart(g, J, r, nfev + 1 + evalsPerJac);
    while (status === null) {
      margin = Infinity;
      var proposal = strategy.propose(sub, note);                 // 1. damped step
      var p = proposal[0], lam = proposal[1], Delta = strategy.Delta;
      var xNew = [x[0] + p[0], x[1] + p[1]];                      // 2. trial point
      var rNew = f(xNew);
      var costNew = cost(rNew);                                   //    F(x + p)
      var Jp = matvec(J, p), Dp = [D[0] * p[0], D[1] * p[1]];
      var predicted = 0.5 * sq(Jp) + lam * sq(Dp);                 // 3. L(0) - L(p)
      var actual = F - costNew;                                   // 4. F(x) - F(x + p)
      var rho = predicted > 0 ? actual / predicted : -Infinity;    // 5. gain ratio
      note(isFinite(actual) ? Math.abs(actual) / F : Infinity, "actual_sign");
      // a residual reduced to rounding noise may be exactly 0 on one side only, which decides
      // the gradient test (r = 0: status 1): its margin is |r(x + p)| / |r(x0)|
      note(isFinite(costNew) ? Math.sqrt(costNew / cost0) : Infinity, "r_zero");
      var JNew = null;
      if (rho > 0) {                                              // 6. accept a decrease ...
        JNew = jacobian(xNew, rNew);
        if (!usable(JNew)) { rho = -Infinity; }                   //    ... where J is finite
      }
      if (Delta !== null && isFinite(rho)) {
        note(Math.min(Math.abs(rho - 0.25), Math.abs(rho - 0.75)) * predicted / F, "rho_quarter");
      }
      strategy.update(rho, p, sub);                               // 7. adapt lambda (or Delta)
      var gnn = sub.gaussNewtonNorm();
      note(Math.abs(Math.sqrt(sq(Dp)) - 0.99 * gnn) / gnn, "near_gn");
      var nearGn = Math.sqrt(sq(Dp)) >= 0.99 * gnn;
      var step = { k: nit, x: x, cost: F, lam: lam, Delta: Delta, p: p, x_trial: xNew, cost_trial: costNew,
                   predicted: predicted, actual: actual, rho: rho, accepted: rho > 0,
                   grad_norm: normInf(g), nfev: nfev, D: D,
                   cond: sub.s.length === 2 ? sub.s[0] / sub.s[1] : Infinity };  // of J D^-1 (for the tests)
      history.push(step);
      if (step.accepted) {                                        // 8. move to x + p
        x = xNew; r = rNew; F = costNew; J = JNew;
        nit += 1;
        D = scaling.update(J);
        g = gradient(J, r);
        sub = subproblem(r, J, D);
      }
      status = tests.after(step, x, r, g, D, sub, nearGn, nfev + 1 + evalsPerJac);   // 9. stop?
      if (status === -2 && problem.jac) { status = blameJac(f, x, r, J, nfev + 2 * 2 + 2 <= maxNfev); }  // (checked)
      if (status === -4 && tests.allowance !== null && !problem.jac && nfev + evalsPerJac <= maxNfev) {   // (noise?)
        status = resolvedVerdict(central(f, x, r, typical, RESOLVING_STEP), sub, tests.allowance, note);
      }
      if ((status === 3 || status === 5) && scaling.stale(J, EPS)) {            // (decided on D = |J_j| at x,
        scaling.restart(); D = scaling.update(J); sub = subproblem(r, J, D);     //  not on a D left behind)
        status = tests.atPoint(x, g, D, sub, F);
        if (status === null && nfev + 1 + evalsPerJac > maxNfev) { status = 0; }   // (within the budget)
      }
      if (margins) { margins.push(margin); whys.push(marginWhy); }
    }
    return { x: x, cost: F, fun: r, jac: J, grad: g, nfev: nfev, nit: nit, status: status,
             success: status > 0, history: history, margins: margins, whys: whys, x0: [+x0[0], +x0[1]],
             damping: options.damping || "trust-region", scale: options.scale || "marquardt" };
  }

  // ---------------------------------------------------------------- baselines (lm/baselines.py)

  function gaussNewton(problem, x0, maxIter, xtol) {
    maxIter = maxIter === undefined ? 50 : maxIter; xtol = xtol === undefined ? 1e-12 : xtol;
    var x = [+x0[0], +x0[1]], r = problem.fun(x), jac = jacobianOf(problem, x, r);
    var J = jac(x, r), points = [x], status = 0;
    for (var k = 0; k < maxIter; k++) {
      var p = subproblem(r, J, [1, 1]).step(0);                   // p = -J+ r (minimum norm)
      var rNew = problem.fun([x[0] + p[0], x[1] + p[1]]);
      if (!allFinite(rNew)) { break; }                            // Gauss-Newton diverged
      x = [x[0] + p[0], x[1] + p[1]]; r = rNew;
      points.push(x);
      J = jac(x, r);
      if (Math.sqrt(sq(p)) <= xtol * (xtol + Math.sqrt(sq(x)))) { status = 3; break; }
    }
    return { points: points, x: x, cost: cost(r), status: status };
  }

  function gradientDescent(problem, x0, maxIter, alpha0, gtol) {
    maxIter = maxIter === undefined ? 200 : maxIter; alpha0 = alpha0 === undefined ? 1 : alpha0;
    gtol = gtol === undefined ? 1e-10 : gtol;
    var x = [+x0[0], +x0[1]], r = problem.fun(x), jac = jacobianOf(problem, x, r);
    var J = jac(x, r), alpha = alpha0, points = [x], status = 0;
    for (var k = 0; k < maxIter; k++) {
      var g = gradient(J, r), F = 0.5 * sq(r);
      if (normInf(g) <= gtol * Math.max(1, Math.sqrt(sq(r)))) { status = 1; break; }
      alpha *= 2;
      var p, rNew;
      for (;;) {
        p = [-alpha * g[0], -alpha * g[1]];
        rNew = problem.fun([x[0] + p[0], x[1] + p[1]]);
        if (0.5 * sq(rNew) <= F - 1e-4 * alpha * sq(g) || alpha < 1e-300) { break; }
        alpha *= 0.5;
      }
      x = [x[0] + p[0], x[1] + p[1]]; r = rNew;
      points.push(x);
      J = jac(x, r);
    }
    return { points: points, x: x, cost: cost(r), status: status };
  }

  function jacobianOf(problem, x0, r0) {
    if (problem.jac) { return function (z) { return problem.jac(z); }; }
    var typical = [1e-3 * (x0[0] !== 0 ? Math.abs(x0[0]) : 1), 1e-3 * (x0[1] !== 0 ? Math.abs(x0[1]) : 1)];
    return function (z, rz) { return central(problem.fun, z, rz, typical); };
  }

  // ---------------------------------------------------------------- a safe model parser

  var FUNCTIONS = {
    exp: Math.exp, log: Math.log, ln: Math.log, sqrt: Math.sqrt, sin: Math.sin, cos: Math.cos,
    tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan, sinh: Math.sinh,
    cosh: Math.cosh, tanh: Math.tanh, abs: Math.abs, Abs: Math.abs, log10: Math.log10
  };
  var CONSTANTS = { pi: Math.PI, E: Math.E, e: Math.E };

  function ParseError(message, position) { this.message = message; this.position = position; }

  function tokenize(text) {
    var tokens = [], i = 0, m;
    var re = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*\/^(),;\n]))/y;
    while (i < text.length) {
      if (/^\s*$/.test(text.slice(i))) { break; }
      re.lastIndex = i;
      m = re.exec(text);
      if (!m) {
        var at = i + text.slice(i).search(/\S/);
        throw new ParseError("unexpected character '" + text.charAt(at) + "' at position " + (at + 1), at);
      }
      var pos = re.lastIndex - m[0].replace(/^\s*/, "").length;
      if (m[1] !== undefined) { tokens.push({ t: "num", v: parseFloat(m[1]), pos: pos }); }
      else if (m[2] !== undefined) { tokens.push({ t: "name", v: m[2], pos: pos }); }
      else { tokens.push({ t: m[3] === "\n" || m[3] === ";" ? "," : m[3], pos: pos }); }
      i = re.lastIndex;
    }
    tokens.push({ t: "end", pos: text.length });
    return tokens;
  }

  function binary(op, a, b) {           // one closure per node (never a shared loop variable)
    if (op === "+") { return function (e) { return a(e) + b(e); }; }
    if (op === "-") { return function (e) { return a(e) - b(e); }; }
    if (op === "*") { return function (e) { return a(e) * b(e); }; }
    return function (e) { return a(e) / b(e); };
  }

  function parseModel(text, variables) {
    // residuals separated by commas, semicolons or new lines, in the variables (default
    // x1, x2); numbers, + - * / ^ (or **), parentheses, the functions of FUNCTIONS and the
    // constants pi, e. Returns {exprs: [closure(env)], names}; throws ParseError.
    variables = variables || ["x1", "x2"];
    var tokens = tokenize(String(text)), k = 0;
    function peek() { return tokens[k]; }
    function next() { return tokens[k++]; }
    function expect(t, what) {
      var tok = next();
      if (tok.t !== t) { throw new ParseError("expected " + what + " at position " + (tok.pos + 1) + describe(tok), tok.pos); }
      return tok;
    }
    function describe(tok) {
      return tok.t === "end" ? " (the text ended)" : tok.t === "num" ? " (found the number " + tok.v + ")" :
        tok.t === "name" ? " (found '" + tok.v + "')" : " (found '" + tok.t + "')";
    }
    function expr() {
      var node = term();
      while (peek().t === "+" || peek().t === "-") { node = binary(next().t, node, term()); }
      return node;
    }
    function term() {
      var node = unary();
      while (peek().t === "*" || peek().t === "/") { node = binary(next().t, node, unary()); }
      if (peek().t === "num" || peek().t === "name" || peek().t === "(") {
        var tok = peek();
        throw new ParseError("missing operator before position " + (tok.pos + 1) + describe(tok) + ": write 2*x1, not 2x1", tok.pos);
      }
      return node;
    }
    function unary() {
      if (peek().t === "-") { next(); var a = unary(); return function (e) { return -a(e); }; }
      if (peek().t === "+") { next(); return unary(); }
      return power();
    }
    function power() {
      var base = atom();
      if (peek().t === "^" || peek().t === "**") {
        next();
        var ex = unary();                                    // right associative: 2^3^2 = 2^9
        return function (e) { return Math.pow(base(e), ex(e)); };
      }
      return base;
    }
    function atom() {
      var tok = next();
      if (tok.t === "num") { var v = tok.v; return function () { return v; }; }
      if (tok.t === "(") { var inner = expr(); expect(")", "')'"); return inner; }
      if (tok.t === "name") {
        var name = tok.v;
        if (peek().t === "(") {
          if (!FUNCTIONS.hasOwnProperty(name)) {
            throw new ParseError("unknown function '" + name + "' at position " + (tok.pos + 1) +
              "; known: " + Object.keys(FUNCTIONS).join(", "), tok.pos);
          }
          next();
          var fn = FUNCTIONS[name], arg = expr();
          expect(")", "')' closing " + name + "(");
          return function (e) { return fn(arg(e)); };
        }
        var index = variables.indexOf(name);
        if (index >= 0) { return function (e) { return e[index]; }; }
        if (CONSTANTS.hasOwnProperty(name)) { var cst = CONSTANTS[name]; return function () { return cst; }; }
        throw new ParseError("unknown name '" + name + "' at position " + (tok.pos + 1) +
          "; use the parameters " + variables.join(", ") + " (and pi, e)", tok.pos);
      }
      throw new ParseError("expected a number, a name or '(' at position " + (tok.pos + 1) + describe(tok), tok.pos);
    }
    var exprs = [];
    while (peek().t !== "end") {
      if (peek().t === ",") { next(); continue; }
      exprs.push(expr());
      if (peek().t !== "," && peek().t !== "end") {
        var tok = peek();
        throw new ParseError("unexpected " + describe(tok).replace(/^ \(found |\)$/g, "") + " at position " + (tok.pos + 1), tok.pos);
      }
    }
    if (!exprs.length) { throw new ParseError("type at least one residual, e.g. x1^2 + x2 - 11, x1 + x2^2 - 7", 0); }
    return { exprs: exprs, variables: variables };
  }

  function compileProblem(spec) {
    // spec: {residuals: [text], jacobian: [[text, text]] or null, params: [names],
    //        data: {name: [values]} or null}; each residual is evaluated on every data row
    var params = spec.params || ["x1", "x2"];
    var dataNames = spec.data ? Object.keys(spec.data) : [];
    var vars = params.concat(dataNames);
    var rows = dataNames.length ? spec.data[dataNames[0]].length : 1;
    var env = new Float64Array(vars.length);
    function parseList(list) { return parseModel(list.join(", "), vars).exprs; }
    var res = parseList(spec.residuals);
    var jac = spec.jacobian ? spec.jacobian.map(function (row) { return parseList(row); }) : null;
    function load(x, i) {
      env[0] = x[0]; env[1] = x[1];
      for (var d = 0; d < dataNames.length; d++) { env[2 + d] = spec.data[dataNames[d]][i]; }
    }
    var problem = {
      m: res.length * rows,
      fun: function (x) {
        var r = new Array(res.length * rows), n = 0;
        for (var e = 0; e < res.length; e++) { for (var i = 0; i < rows; i++) { load(x, i); r[n++] = res[e](env); } }
        return r;
      },
      jac: jac && function (x) {
        var J = new Array(res.length * rows), n = 0;
        for (var e = 0; e < res.length; e++) {
          for (var i = 0; i < rows; i++) { load(x, i); J[n++] = [jac[e][0](env), jac[e][1](env)]; }
        }
        return J;
      }
    };
    return problem;
  }

  var api = {
    EPS: EPS, CBRT_EPS: CBRT_EPS, SQRT_EPS: SQRT_EPS, subproblem: subproblem, svd2: svd2,
    makeScaling: makeScaling, makeDamping: makeDamping, stoppingTests: stoppingTests,
    cosine: cosine, central: central, blameJac: blameJac, solve: solve, gaussNewton: gaussNewton,
    gradientDescent: gradientDescent, parseModel: parseModel, compileProblem: compileProblem,
    ParseError: ParseError
  };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  if (root) { root.lmTwin = api; }
})(typeof window !== "undefined" ? window : this);
