"""Pictures of least-squares problems and Levenberg–Marquardt runs.

``plot_contour``, ``plot_path``, ``plot_convergence`` (matplotlib, :mod:`lm.viz.plots`);
``explore`` (an ipywidgets explorer, clickable with ipympl, :mod:`lm.viz.explore`);
``static_explorer`` (the website's live explorer, :mod:`lm.viz.static`); ``markdown_table``
and ``in_live_frontend`` for the chapters (:mod:`lm.viz.notebook`). The Python parts only
read :class:`lm.LMResult` records. The website cannot run Python, so ``twin.js`` (this
package) is a JavaScript twin of the solver's loop for 2 parameters, fed with the formulas of
:mod:`lm.viz.twin` and checked against ``lm`` by tests/browser/test_twin.py; ``explorer.js``
draws it.

References: Moré (1978); Madsen, Nielsen & Tingleff (2004) §3; Hunter (2007) (matplotlib);
the Jupyter widgets documentation (ipywidgets 8).
"""
# ipywidgets is imported only when explore() is called; the submodules `explore` and
# `static` are shadowed here by the functions of the same names (import their classes
# with `from lm.viz.explore import Explorer`).
from .plots import plot_contour, plot_convergence, plot_path
from .explore import explore
from .static import static_explorer
from .notebook import in_live_frontend, markdown_table

__all__ = ["plot_contour", "plot_path", "plot_convergence", "explore", "static_explorer",
           "markdown_table", "in_live_frontend"]
