"""Which language an HTTP answer is worded in: ``?lang=`` first, then ``Accept-Language``.

An explicit ``?lang=`` that the policy does not have is a mistake the caller should hear about
(400, naming the languages there are). ``Accept-Language`` is a preference, not an order: the
best-weighted language the policy has wins, a language matches a tag by its primary subtag too
(``zh`` and ``zh-Hans-CN`` both find ``zh-CN``), and with no match the policy's first language is
used, as HTTP content negotiation expects.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.types import Scope

from ..errors import shown
from .body import header
from .problems import HTTPProblem

MAX_HEADER_TAGS = 32  # a longer Accept-Language is read only this far


def query_value(scope: Scope, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[-1] if values else None


def negotiate(scope: Scope, languages: tuple[str, ...]) -> str:
    """The language code to answer in."""
    asked = query_value(scope, "lang")
    if asked is not None:
        for code in languages:
            if code.lower() == asked.strip().lower():
                return code
        raise HTTPProblem("bad-request", f"lang: unknown language {shown(asked)}; this service "
                                         f"has {', '.join(languages)}")
    accept = header(scope, b"accept-language")
    return best_match(accept, languages) if accept else languages[0]


def best_match(accept: str, languages: tuple[str, ...]) -> str:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")[:MAX_HEADER_TAGS]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            weighted.append((-weight, position, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        if tag == "*":
            return languages[0]
        for code in languages:
            lowered = code.lower()
            if tag == lowered or tag.split("-")[0] == lowered.split("-")[0]:
                return code
    return languages[0]
