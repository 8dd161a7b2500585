"""The ``eligibility`` script and ``python -m eligibility``: the command line, in its own process.

The process is ours, and every command but ``serve`` is short, so the process is set up for a
short life (``serve`` loses nothing by it: what is frozen lives as long as it runs anyway).
Importing the package makes tens of thousands of objects that live until the end, none of them
garbage: the cyclic collector would scan them over and over while they are made, so it rests
during the import, and then they are frozen (``gc.freeze``), so that neither the collections a
command still runs nor the interpreter's shutdown go over them again. Freezing again at the end
spares the shutdown what the command itself made (the loaded policy, above all). Together this is
about a sixth of the wall time of ``eligibility check one.yaml`` (benchmarks/bench_startup.py).

Nothing here changes what a command does: its output goes to the standard streams, which the
interpreter flushes at exit whatever the collector does, and nothing it opens outlives the
command that opened it. The library itself never touches the collector like this: a program that
imports it keeps its own settings.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command and end; the exit status is the command's."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .cli import main as command_line
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    try:
        command_line(argv)
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
