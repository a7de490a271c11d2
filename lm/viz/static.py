"""Kernel-free HTML explorer (work in progress: static_explorer is not written yet)."""


def static_explorer(*args, **kwargs):
    raise NotImplementedError("lm.viz.static_explorer is being written")
