"""Pictures of least-squares problems and Levenberg–Marquardt runs.

``plot_contour``, ``plot_path``, ``plot_convergence`` (matplotlib, :mod:`lm.viz.plots`);
``explore`` (an ipywidgets explorer, :mod:`lm.viz.explore`); ``static_explorer`` (a
kernel-free HTML viewer for the website, :mod:`lm.viz.static`). They only read
:class:`lm.LMResult` records: nothing here re-implements the solver.

References: Moré (1978); Madsen, Nielsen & Tingleff (2004) §3; Hunter (2007) (matplotlib);
the Jupyter widgets documentation (ipywidgets 8).
"""
from .plots import plot_contour, plot_convergence, plot_path

__all__ = ["plot_contour", "plot_path", "plot_convergence", "explore", "static_explorer"]


def __getattr__(name):
    # ipywidgets is needed only by explore(); import it on first use
    if name == "explore":
        from .explore import explore

        return explore
    if name == "static_explorer":
        from .static import static_explorer

        return static_explorer
    raise AttributeError(f"module 'lm.viz' has no attribute {name!r}")
