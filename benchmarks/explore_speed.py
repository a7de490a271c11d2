"""How long one update of the explorers takes, per 2-parameter problem, and the page weight.

**The website** (``lm.viz.static_explorer``: twin.js + explorer.js in headless Chromium): the
median time of one λ₀ slider move and of one pointer move (a new start), each the solve in
the page plus the redraw of the path overlay, the convergence panel and the table, with the
browser's style and layout forced (``offsetHeight``) inside the timed span; goal ≤ 16 ms
(one frame at 60 Hz). Each explorer is scrolled to the top of the window first, in a
1280×900 window (the table's lower rows below the fold, which the browser lays out only
when they scroll into view: ``content-visibility: auto``) and in a 1280×2000 one (all of
the explorer on screen, the table's layout in every move). The five explorers of chapter 5 are timed on the built page, two more
problems on saved pages. Also the weight of every built page with everything it loads
(the HTML with its images, data URIs included; and with every script, style and font
the theme and MathJax load, shared by all pages), largest first; goal ≤ 1.6 MB for the page
with its images. Needs ``make book``
and /usr/bin/chromium (skipped with a note otherwise).

**JupyterLab** (``lm.viz.explore``, below):

An update is what a move of the λ₀ slider costs: the solver run plus the redraw of the
figure (Agg backend, no display): restore the cached contour background, ``set_data`` on
the path artists, redraw the convergence axes. Also measured: a move of the trial-step
slider (only the trust-region ellipse, the ring, the λ label and one tick line are
redrawn), the PNG encoding a notebook adds on top of either (the inline backend shows the
figure as a PNG in an ``ipywidgets.Output``), and for comparison a full ``canvas.draw()``
(what every update would cost without the cached background).

Median over ``--repeats`` (default 20) updates. Prints a Markdown table and writes it to
``benchmarks/explore_speed.md``. Target: ≤ 100 ms per update.

Run: ``.venv/bin/python benchmarks/explore_speed.py``
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from lm.problems import (  # noqa: E402
    beale, exponential_decay, freudenstein_roth, jennrich_sampson, nist, powell_badly_scaled,
    rosenbrock,
)
from lm.viz import explore  # noqa: E402
from lm.viz.explore import run  # noqa: E402

HERE = Path(__file__).resolve().parent
NIST_DIR = Path(__file__).resolve().parents[1] / "lm/problems/data/nist-strd"
TARGET_MS = 100.0


def problems():
    out = [rosenbrock(), beale(), powell_badly_scaled(), freudenstein_roth(), jennrich_sampson(),
           exponential_decay()]
    misra = NIST_DIR / "Misra1a.dat"
    if misra.is_file():
        out.append(nist(misra))
    else:
        print(f"(skipping Misra1a: {misra} not found)")
    return out


def median_ms(times) -> float:
    return float(np.median(times)) * 1e3


def measure(problem, repeats: int) -> dict:
    ex = explore(problem, damping="nielsen", lam0=1e-2)
    c = ex.controls
    # distinct values on the slider's grid (step 1/8 decade), so every set fires an update
    exps = np.arange(-12, 13) * 0.25
    values = [10.0 ** e for e in exps if not np.isclose(10.0 ** e, c["lam0"].value)][:repeats]
    upd, nit = [], []
    for v in values:
        t = time.perf_counter()
        c["lam0"].value = v  # observer → solver run + blitted redraw
        upd.append(time.perf_counter() - t)
        nit.append(len(ex.result.history))
    solver = []
    for v in values:
        t = time.perf_counter()
        run(problem, "nielsen", v, ex.start, ex.max_nfev)
        solver.append(time.perf_counter() - t)
    c["lam0"].value = 1e-2
    N = len(ex.result.history)
    scrub = []
    for k in range(repeats):
        t = time.perf_counter()
        c["iteration"].value = (k * 7 + 1) % max(N, 1)
        scrub.append(time.perf_counter() - t)
    png = []
    for _ in range(max(5, repeats // 2)):
        t = time.perf_counter()
        ex.png()
        png.append(time.perf_counter() - t)
    full = []
    for _ in range(5):
        t = time.perf_counter()
        ex.fig.canvas.draw()
        full.append(time.perf_counter() - t)
    ex._bg = None  # a full draw replaced the canvas pixels; recapture on the next update
    return {
        "problem": problem.name, "trial steps": f"{min(nit)}–{max(nit)}",
        "update": median_ms(upd), "solver": median_ms(solver), "scrub": median_ms(scrub),
        "png": median_ms(png), "full": median_ms(full),
    }


def table(rows) -> str:
    head = ("| problem | trial steps | λ₀ update (solver + redraw) | of which solver | "
            "trial-step scrub | + PNG for the notebook | full `canvas.draw()` |\n"
            "|---|---|---:|---:|---:|---:|---:|\n")
    body = "".join(
        f"| {r['problem']} | {r['trial steps']} | {r['update']:.1f} ms | {r['solver']:.1f} ms | "
        f"{r['scrub']:.1f} ms | {r['png']:.1f} ms | {r['full']:.1f} ms |\n" for r in rows)
    return head + body


ROOT = HERE.parent
SITE = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SITE_TARGET_MS, WEIGHT_TARGET = 16.0, 1.6e6

TIME_JS = """async (args) => {
  const [repeats, seed, align] = args, out = [];
  let s = seed; const rnd = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const med = a => { const b = a.slice().sort((p, q) => p - q); return b[Math.floor(b.length / 2)]; };
  for (const root of document.querySelectorAll('.lm-explorer[data-lm-ready]')) {
    // as a reader sees it: the explorer scrolled to the top of the window (what is off screen,
    // e.g. the table's rows below a short window, the browser lays out when it comes into view)
    root.scrollIntoView({block: align}); await frame(); await frame();
    const ex = root.lmExplorer, D = ex.data;
    const slider = [], pointer = [], steps = [], solve = [];
    for (let i = 0; i < repeats; i++) {
      const v = -4 + 8 * rnd();
      let t = performance.now(); ex.setLogLambda(v); void root.offsetHeight; slider.push(performance.now() - t);
      solve.push(ex.timings.solve);
      const x = [D.xlim[0] + rnd() * (D.xlim[1] - D.xlim[0]), D.ylim[0] + rnd() * (D.ylim[1] - D.ylim[0])];
      t = performance.now(); ex.setStart(x); void root.offsetHeight; pointer.push(performance.now() - t);
      solve.push(ex.timings.solve);
      steps.push(ex.run().history.length);
    }
    // the median of the quietest third of the moves (in time order): on a machine shared with
    // other jobs, a run of moves may lose the CPU for whole time slices
    const third = a => Math.min(...[0, 1, 2].map(k => med(a.slice(k * a.length / 3, (k + 1) * a.length / 3))));
    out.push({problem: root.getAttribute('data-lm-problem'), slider: med(slider), pointer: med(pointer),
              sliderQ: third(slider), pointerQ: third(pointer),
              solve: med(solve), steps: [Math.min(...steps), Math.max(...steps)]});
  }
  return out;
}"""

#: the two windows: a laptop's (the table's lower rows below the fold when the figure is in
#: view) and one tall enough to show the whole explorer, table included
VIEWPORTS = {"1280×900": {"width": 1280, "height": 900}, "1280×2000": {"width": 1280, "height": 2000}}


def _serve(directory: Path):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure_site(repeats: int):
    """Per-problem medians in Chromium, and the weight of every built page (bytes)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from lm.viz import static_explorer

    extra = tempfile.mkdtemp()
    for i, problem in enumerate([freudenstein_roth(), exponential_decay()]):
        static_explorer(problem).save(Path(extra) / f"extra{i}.html")
    site, other = _serve(SITE), _serve(Path(extra))
    rows, weights = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            base = f"http://127.0.0.1:{site.server_address[1]}/"
            urls = [base + "chapters/05-levenberg-marquardt.html"] + [
                f"http://127.0.0.1:{other.server_address[1]}/extra{i}.html" for i in range(2)]
            for label, viewport in VIEWPORTS.items():
                for url in urls:
                    page = browser.new_page(viewport=viewport)
                    page.goto(url, wait_until="load")
                    page.wait_for_function("document.querySelectorAll('.lm-explorer[data-lm-ready]').length > 0")
                    rows += [dict(r, window=label) for r in page.evaluate(TIME_JS, [repeats, 12345, "start"])]
                    page.close()
            for path in sorted(SITE.rglob("*.html")):
                rel = path.relative_to(SITE).as_posix()
                if rel.split("/")[0].startswith("_") or rel in ("index.html", "genindex.html", "search.html"):
                    continue
                page = browser.new_page()
                sizes = {}

                def on_response(response, sizes=sizes):
                    try:
                        sizes[response.url] = (len(response.body()), response.request.resource_type)
                    except Exception:  # a redirect has no body
                        pass

                page.on("response", on_response)
                page.goto(base + rel, wait_until="networkidle")
                own = sum(n for n, kind in sizes.values() if kind in ("document", "image"))
                weights.append((rel, own, sum(n for n, _ in sizes.values()), len(sizes)))
                page.close()
            browser.close()
    finally:
        site.shutdown()
        other.shutdown()
    weights.sort(key=lambda w: -w[1])
    return rows, weights


def site_section(repeats: int) -> str:
    if not (SITE / "intro.html").is_file() or not Path(CHROMIUM).exists():
        return "## The website\n\n(not measured: needs `make book` and /usr/bin/chromium)\n\n"
    load0 = os.getloadavg()
    rows, weights = measure_site(repeats)
    load1 = os.getloadavg()
    worst = max(max(r["slider"], r["pointer"]) for r in rows)
    worst_q = max(max(r["sliderQ"], r["pointerQ"]) for r in rows)
    head = ("| problem | window | trial steps | λ₀ slider move | pointer move (new start) | of which the solve | "
            "slider, quietest third | pointer, quietest third |\n|---|---|---|---:|---:|---:|---:|---:|\n")
    body = "".join(f"| {r['problem']} | {r['window']} | {r['steps'][0]}–{r['steps'][1]} | {r['slider']:.2f} ms | "
                   f"{r['pointer']:.2f} ms | {r['solve']:.2f} ms | {r['sliderQ']:.2f} ms | {r['pointerQ']:.2f} ms |\n"
                   for r in rows)
    wt = ("| page | the page with its images | with everything it loads (theme, MathJax, fonts, scripts) | requests |\n"
          "|---|---:|---:|---:|\n") + "".join(
        f"| {w[0]} | {w[1] / 1e6:.2f} MB | {w[2] / 1e6:.2f} MB | {w[3]} |\n" for w in weights[:5])
    return (
        "## The website: one move in Chromium (solve in the page + redraw of overlay, panel, table)\n\n"
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
        f"{load0[0]:.1f} before and {load1[0]:.1f} after (1 min; {os.cpu_count()} CPUs, shared with other jobs). "
        f"Median of {repeats} moves per explorer, random λ₀ in [10⁻⁴, 10⁴] and random starts in the window, "
        "headless Chromium, the explorer scrolled to the top of the window; each move is timed from the "
        "event's handler to the end of the style and layout it causes (forced with `offsetHeight`). "
        "The last two columns: the lowest of the medians of the first, second and last third of the "
        "moves, a run of moves that lost the CPU to other jobs less often.\n\n"
        + head + body
        + f"\nGoal ≤ {SITE_TARGET_MS:.0f} ms: " + ("met" if worst <= SITE_TARGET_MS else "NOT met")
        + f" (slowest median {worst:.2f} ms; of the quietest thirds {worst_q:.2f} ms).\n\n"
        "### Page weight (the five heaviest built pages)\n\n" + wt
        + f"\nGoal ≤ {WEIGHT_TARGET / 1e6:.1f} MB for the largest page: "
        + ("met" if weights[0][1] <= WEIGHT_TARGET else "NOT met") + f" ({weights[0][0]}: {weights[0][1] / 1e6:.2f} MB).\n\n"
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--out", type=Path, default=HERE / "explore_speed.md")
    ap.add_argument("--site-only", action="store_true", help="skip the JupyterLab (matplotlib) part")
    args = ap.parse_args(argv)
    site = site_section(max(args.repeats, 30))
    if args.site_only:
        md = "# Explorer update times\n\n" + site
        print(md)
        args.out.write_text(md, encoding="utf-8")
        return
    rows = [measure(p, args.repeats) for p in problems()]
    worst = max(r["update"] for r in rows)
    md = (
        "# Explorer update times\n\n" + site + "## JupyterLab: `lm.viz.explore` (matplotlib)\n\n"
        f"Measured {datetime.date.today().isoformat()} by `benchmarks/explore_speed.py` "
        f"(median of {args.repeats} updates, Agg backend, Nielsen damping, λ₀ from 10⁻³ to 10³; "
        f"{platform.python_implementation()} {platform.python_version()}, matplotlib "
        f"{matplotlib.__version__}, {os.cpu_count()} CPUs shared with other jobs, so expect noise).\n\n"
        + table(rows)
        + f"\nTarget ≤ {TARGET_MS:.0f} ms per update: "
        + ("met" if worst <= TARGET_MS else "NOT met") + f" (slowest median {worst:.1f} ms).\n\n"
        "How: the contour is drawn once and kept as pixels (`copy_from_bbox`); an update moves the "
        "existing path artists with `set_data`, restores the pixels and draws only the paths and the "
        "convergence axes (log axes with decade ticks only and plain-Unicode labels: mathtext tick "
        "labels and minor ticks were most of their cost); a trial-step move redraws four small artists "
        "over a second cached layer. The last column is what each update would cost without the "
        "cache.\n"
    )
    print(md)
    args.out.write_text(md, encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
