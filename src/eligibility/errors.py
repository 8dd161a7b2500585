"""The two ways the library refuses to answer.

Bad input and a bad policy are different failures for different people (the filer fixes the
first, the policy author the second), so each has its own exception, and each carries every
problem found rather than the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a complaint: where (a dotted path) and what.

    ``code`` names the kind of problem and ``params`` the values its message quotes, so that
    the message can be worded in any language of the policy (rules/lang/*.yaml, ``problems:``);
    ``message`` is the English wording.
    """

    path: str
    message: str
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.path or '(complaint)'}: {self.message}"

    def within(self, prefix: str) -> Problem:
        """The same problem seen from a container: ``0`` + ``platform`` -> ``0.platform``."""
        return replace(self, path=f"{prefix}.{self.path}" if self.path else prefix)


class InvalidComplaint(ValueError):
    """The complaint could not be read; no verdict is given for it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid complaint ({len(self.problems)} problem(s)):\n{lines}")

    def within(self, prefix: str) -> InvalidComplaint:
        """The same problems, their paths under ``prefix`` (e.g. a complaint's batch position)."""
        return InvalidComplaint([p.within(prefix) for p in self.problems])

    def reworded(self, word: Callable[[Problem], str]) -> InvalidComplaint:
        """The same problems with their messages worded by ``word`` (another language)."""
        return InvalidComplaint([replace(p, message=word(p)) for p in self.problems])

    def errors(self) -> list[dict[str, str]]:
        """The problems as JSON-ready objects (`path`, `message`)."""
        return [{"path": p.path, "message": p.message} for p in self.problems]


class PolicyError(Exception):
    """A rule, platform or jurisdiction file is unusable; raised at load, never at evaluation."""

    def __init__(self, file: str, problem: str, rule: str | None = None) -> None:
        self.file = file
        self.rule = rule
        self.problem = problem
        where = f"{file}: rule {rule}" if rule else file
        super().__init__(f"{where}: {problem}")


SHOWN_LENGTH = 80


def shown(value: object, limit: int = SHOWN_LENGTH) -> str:
    """A submitted value quoted in an error text, cut to ``limit`` characters with an ellipsis.

    Error texts are logged and sent back: a megabyte of hostile input must not come back
    with them, however it was submitted.
    """
    return cut(repr(value), limit)


def cut(text: str, limit: int = SHOWN_LENGTH) -> str:
    """``text`` itself when short enough, else its first ``limit`` - 1 characters and "…"."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def listed(names: Sequence[str], most: int = 5) -> str:
    """Names in a message: the first ``most``, then how many more, so that a long list stays
    one readable line."""
    shown_names = ", ".join(names[:most])
    return shown_names + (f" and {len(names) - most} more" if len(names) > most else "")
