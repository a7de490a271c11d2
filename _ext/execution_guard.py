"""Local Sphinx extension: the build fails while any chapter's execution failed.

MyST-NB records, per page, whether executing its notebook succeeded (``exec_data`` in the
environment). Sphinx re-reads only pages whose source changed, so on a second ``make book``
a chapter that failed the first time raises no new warning, and the build would report
success with the traceback still on the page. At the end of every build this extension
looks at the recorded execution of *every* page, re-read or not, and fails the build with
the names of the chapters whose execution failed (their logs are in
``_build/html/reports/``).
"""

from __future__ import annotations

from sphinx.errors import SphinxError


class ChapterExecutionFailed(SphinxError):
    category = "Chapter execution failed"


def failed_pages(env) -> list[str]:
    """Docnames whose last recorded notebook execution did not succeed."""
    failed = []
    for docname, data in sorted(getattr(env, "nb_metadata", {}).items()):
        exec_data = data.get("exec_data") or {}
        if exec_data and not exec_data.get("succeeded", True) and docname in env.found_docs:
            failed.append(docname)
    return failed


def check_execution(app, exception) -> None:
    if exception is not None:
        return
    failed = failed_pages(app.env)
    if failed:
        raise ChapterExecutionFailed(
            "executing these chapters failed (see _build/html/reports/): " + ", ".join(failed)
        )


def setup(app):
    app.connect("build-finished", check_execution)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
