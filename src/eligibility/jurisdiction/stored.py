"""The working days ``holidays`` gives each year, kept on disk between processes.

Importing ``holidays`` and the country modules it loads with any one of them costs about 100 ms
of CPU, a third of a one-complaint ``eligibility check`` in a new process, and all it is needed
for there is a few years' working days. Those depend only on the installed ``holidays`` release
and the country code, so once computed they are written to one small JSON file per release and
code, and a later process reads them instead of importing the library. The extra days of a
jurisdiction file are applied on top by the calendar, never stored here.

Where: ``$ELIGIBILITY_CACHE_DIR``, else ``$XDG_CACHE_HOME/eligibility``, else
``~/.cache/eligibility``; ``ELIGIBILITY_CACHE_DIR`` set to an empty value turns the store off.
The store is never a reason to fail: a folder that cannot be written, a file that cannot be read
or does not hold what it should, and the days are computed as if there were no store.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from datetime import date
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 1  # in every file's name: a change of layout starts new files
_CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")
_LOCK = threading.Lock()
# Held across fork, as the calendar's lock is: a child forked while another thread writes a file
# would otherwise inherit the lock taken for good.
os.register_at_fork(before=_LOCK.acquire, after_in_parent=_LOCK.release,
                    after_in_child=_LOCK.release)
# What this process has read or written, by file: {"years": [first, last], "days": {year: [...]}}.
_FILES: dict[Path, dict[str, Any]] = {}


@lru_cache(maxsize=1)
def _release() -> str | None:
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:
        return None


def folder() -> Path | None:
    """The store's folder, or None when it is turned off."""
    chosen = os.environ.get("ELIGIBILITY_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "eligibility"


def _path(code: str) -> Path | None:
    where, release = folder(), _release()
    if where is None or release is None or not _CODE.fullmatch(code):
        return None
    return where / f"holidays-{FORMAT}-{release}-{code}.json"


def _read(path: Path) -> dict[str, Any]:
    known = _FILES.get(path)
    if known is not None:
        return known
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        data = None
    if not (isinstance(data, dict) and isinstance(data.get("days"), dict)):
        data = {"days": {}}
    _FILES[path] = data
    return data


def _valid_years(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(type(v) is int for v in value) and value[0] <= value[1])


def _valid_days(value: Any, year: int) -> bool:
    if not isinstance(value, list) or not 200 <= len(value) <= 366:
        return False
    if not all(type(v) is int for v in value):
        return False
    first, last = _ordinal(year, 1, 1), _ordinal(year, 12, 31)
    return value == sorted(set(value)) and first <= value[0] and value[-1] <= last


def _ordinal(year: int, month: int, day: int) -> int:
    return date(year, month, day).toordinal()


def supported_years(code: str) -> tuple[int, int] | None:
    """The years the library covers for ``code``, as stored; None when not stored."""
    path = _path(code)
    if path is None:
        return None
    with _LOCK:
        years: Any = _read(path).get("years")
    return (years[0], years[1]) if _valid_years(years) else None


def working_days(code: str, year: int) -> tuple[int, ...] | None:
    """The ordinals of the library's working days of ``year``, as stored; None when not."""
    path = _path(code)
    if path is None:
        return None
    with _LOCK:
        days = _read(path)["days"].get(str(year))
    return tuple(days) if _valid_days(days, year) else None


def store(code: str, *, years: tuple[int, int] | None = None, year: int | None = None,
          days: tuple[int, ...] | None = None) -> None:
    """Add what was computed to the code's file (written whole, then renamed into place)."""
    path = _path(code)
    if path is None:
        return
    with _LOCK:
        data = _read(path)
        if years is not None:
            data["years"] = list(years)
        if year is not None and days is not None:
            data["days"][str(year)] = list(days)
        written = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                             prefix=path.name, suffix=".tmp",
                                             delete=False) as out:
                written = out.name
                json.dump(data, out, separators=(",", ":"))
            os.replace(written, path)
        except OSError:
            if written is not None:
                Path(written).unlink(missing_ok=True)


def forget() -> None:
    """Drop what this process has read (the files stay): for tests that change the folder."""
    with _LOCK:
        _FILES.clear()
