"""The decision log: one JSON line per judged complaint, for audits.

"Why did the service accept that complaint last Tuesday?" needs the decision, the rules that
failed and the exact policy that made it, tied to the request id of the access log. The log
holds a fingerprint of the complaint (``complaint_sha256``) rather than the complaint, because
complaints name people and carry identity documents; the complaint itself is written only when
the operator asks for it (``include_input``).

The fingerprint is the SHA-256 (hex) of the complaint's *canonical JSON*: the parsed input as the
service received it (before any validation or defaulting), written by ``json.dumps`` with sorted
keys, no whitespace (``separators=(",", ":")``) and ``ensure_ascii=False``, encoded as UTF-8. A
caller holding the complaint can compute the same digest and find its line.

Writing costs one ``write`` system call per line on a file opened with ``O_APPEND``, made where the
verdict is ready (no queue, no thread): the line is short, so the call returns in microseconds,
lines from several workers never interleave, and a line is on disk (in the page cache) once the
answer leaves. It survives rotation: the file is reopened on ``SIGHUP`` and when the path
points at another file (checked at most once a second). A write that fails (a full disk, a file
made read-only, a path that vanished) loses that line and never the request; lost lines are
counted (``eligibility_decision_log_lost_lines_total``) and the first failure of a run of them is
reported on the error log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..models import Verdict

STDOUT = "-"
CHECK_INTERVAL = 1.0  # seconds between checks that the path still names the open file

error_logger = logging.getLogger("eligibility.server")


def canonical_json(data: Any) -> bytes:
    """The canonical JSON of a parsed complaint (see the module docstring)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


class DecisionLog:
    """Appends decision lines to a file (or standard output, ``"-"``)."""

    def __init__(self, target: str | Path, *, version: str, digest: str,
                 include_input: bool = False,
                 on_lost: Callable[[], None] | None = None) -> None:
        self.target = str(target)
        self.include_input = include_input
        self._policy = json.dumps({"version": version, "digest": digest},
                                  separators=(",", ":"))
        self._on_lost = on_lost
        self._platforms: dict[str, str] = {}
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._next_check = 0.0
        self._reopen = False
        self._failing = False
        self._open()

    # -- writing --

    def complaint_fields(self, data: Any) -> str:
        """A line's complaint part: its digest, and the complaint itself when the log keeps
        input. Made once per complaint, however many verdicts it gets (judged everywhere)."""
        canonical = canonical_json(data)
        fields = f'"complaint_sha256":"{hashlib.sha256(canonical).hexdigest()}"'
        if self.include_input:
            fields += ',"complaint":' + canonical.decode("utf-8")
        return fields

    def record(self, request_id: str, verdict: Verdict, data: Any,
               index: int | None = None, complaint: str | None = None) -> None:
        """Write the line of one judged complaint; ``index`` is its place in a batch, and
        ``complaint`` its :meth:`complaint_fields` when already made."""
        # Written by hand, like the access line: the request id was checked at the door (or
        # made here), rule ids are checked when the policy loads, and platform ids are quoted
        # once each. Only the complaint needs a JSON encoder.
        platform = self._platforms.get(verdict.platform)
        if platform is None:
            platform = self._platforms[verdict.platform] = json.dumps(verdict.platform,
                                                                      ensure_ascii=False)
        rules = ",".join(f'"{r.rule}"' for r in verdict.reasons)
        if complaint is None:
            complaint = self.complaint_fields(data)
        line = (f'{{"time":"{datetime.now(timezone.utc).isoformat(timespec="milliseconds")}",'
                f'"request_id":"{request_id}",'
                + (f'"index":{index},' if index is not None else "")
                + f'"policy":{self._policy},"platform":{platform},'
                f'"decision":"{verdict.decision.value}","rules":[{rules}],{complaint}}}\n')
        self.write(line.encode("utf-8"))

    def write(self, line: bytes) -> None:
        with self._lock:
            if self._reopen or time.monotonic() >= self._next_check:
                self._check()
            fd = self._fd
            try:
                if fd is None:
                    raise OSError("the decision log is not open")
                written = os.write(fd, line)
                if written != len(line):
                    raise OSError(f"only {written} of {len(line)} bytes written")
            except OSError as exc:
                self._lost(exc)
                return
            self._failing = False

    def request_reopen(self) -> None:
        """Reopen before the next line (what ``SIGHUP`` asks for); safe in a signal handler."""
        self._reopen = True

    def close(self) -> None:
        with self._lock:
            if self._fd is not None and self.target != STDOUT:
                os.close(self._fd)
            self._fd = None

    # -- the file --

    def _open(self) -> None:
        self._next_check = time.monotonic() + CHECK_INTERVAL
        self._reopen = False
        if self.target == STDOUT:
            self._fd = 1
            return
        try:
            fd = os.open(self.target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                         0o640)
        except OSError as exc:
            self._fd = self._identity = None
            self._report(f"decision log {self.target} cannot be opened ({exc.strerror or exc}); "
                         "decision lines are lost until it can")
            return
        stat = os.fstat(fd)
        self._fd, self._identity = fd, (stat.st_dev, stat.st_ino)

    def _check(self) -> None:
        """Reopen when asked to, when the file could not be opened, or when the path now names
        another file (rotated away, or deleted)."""
        if self.target == STDOUT:
            self._reopen = False
            self._next_check = time.monotonic() + CHECK_INTERVAL
            return
        stale = self._reopen or self._fd is None
        if not stale:
            try:
                stat = os.stat(self.target)
                stale = (stat.st_dev, stat.st_ino) != self._identity
            except OSError:
                stale = True
        if stale:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._open()
        else:
            self._next_check = time.monotonic() + CHECK_INTERVAL

    def _lost(self, exc: OSError) -> None:
        if self._on_lost is not None:
            self._on_lost()
        self._report(f"decision log {self.target}: a line was lost "
                    f"({exc.strerror or exc}); lines are counted as lost until a write succeeds")

    def _report(self, message: str) -> None:
        if not self._failing:
            error_logger.error(message)
        self._failing = True
