"""durable_rules' C extension, imported here first so that a build that cannot load says why.

durable-rules 2.0.28 calls ``PyEval_CallObject``, which Python 3.13 removed from its headers:
built without the flag below, its C extension compiles but fails to load with an undefined
symbol, and pip caches that broken build. The package imports this module on ``import
eligibility`` (it costs a fraction of a millisecond), so such an install fails there, with the
command that repairs it, rather than at the first complaint. Only :mod:`.engine` drives the core.
"""

from __future__ import annotations

BUILD_FLAG = "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"
REINSTALL = (f"{BUILD_FLAG} pip install --no-cache-dir --force-reinstall "
             "durable-rules==2.0.28")


def explain(error: ImportError) -> ImportError:
    """The import error of a durable-rules build that cannot load, said so a user can fix it."""
    if "PyEval_CallObject" not in str(error):
        return error
    return ImportError(
        "the durable-rules C extension was built without the flag Python 3.13 and later need "
        f"(it calls PyEval_CallObject, which Python 3.13 removed), so it cannot load: {error}. "
        f"Rebuild it with:\n  {REINSTALL}")


try:
    import durable_rules_engine as durable_rules_engine
except ImportError as _error:  # pragma: no cover - depends on how it was built
    raise explain(_error) from _error
