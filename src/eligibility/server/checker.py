"""The checker page (``GET /``): a form and a paste area for people who do not write code.

The page is three static files shipped with the package (``page/``). It judges nothing itself:
its buttons send the complaint to the service's own evaluation routes and show what comes back,
so there is no second copy of any rule to drift from the policy. What the page needs to know of
the policy is written into the HTML once, when the app is built: the choices its drop-downs offer
and which fields this policy's complaint has (from the complaint schema, already public in
``/openapi.json``), and, per language, the platform names and the interface texts the command
line uses too (decisions, severities, the answer window), so both faces use the same words. The
page is therefore the same bytes for every caller, carries no secret, and can be served without
an API key: a person loads the form first and types the key into it (the key stays in the page's
memory and goes out as a Bearer header).

Every answer carries a Content-Security-Policy that allows nothing but the service's own origin,
so the page works offline and cannot be made to load anything from elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from ..judge.records import Language

# Path served -> (file in page/, media type). The gateway lets GET and HEAD on these through
# without a key.
PAGE_FILES: Mapping[str, tuple[str, str]] = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/page.js": ("page.js", "text/javascript; charset=utf-8"),
    "/page.css": ("page.css", "text/css; charset=utf-8"),
}
PAGE_PATHS = frozenset(PAGE_FILES)
CHOICES_MARK = "{{CHOICES}}"

HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; form-action 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str


def page_assets(complaint_schema: Mapping[str, Any],
                languages: Mapping[str, Language]) -> dict[str, Asset]:
    """The page's files by the path they are served at, the HTML carrying the schema's choices
    and the policy's texts in each of its languages."""
    folder = files("eligibility.server").joinpath("page")
    assets: dict[str, Asset] = {}
    for path, (name, media_type) in PAGE_FILES.items():
        text = folder.joinpath(name).read_text("utf-8")
        if name == "index.html":
            if CHOICES_MARK not in text:
                raise RuntimeError(f"page/{name} lost its {CHOICES_MARK} mark")
            text = text.replace(CHOICES_MARK, page_data_json(complaint_schema, languages))
        assets[path] = Asset(text.encode("utf-8"), media_type)
    return assets


def page_data_json(complaint_schema: Mapping[str, Any], languages: Mapping[str, Language]) -> str:
    """What the page knows of the policy, as JSON that is safe inside an HTML ``<script>``
    element: ``fields`` (see :func:`complaint_fields`), ``languages``, per language code its
    name, platform names and interface texts, and ``language_order``, the codes in the policy's
    order (the source language first), which the page's language switch offers."""
    data = {
        "fields": complaint_fields(complaint_schema),
        "language_order": list(languages),
        "languages": {code: {"name": texts.name, "platforms": dict(texts.platforms),
                             "interface": dict(texts.interface)}
                      for code, texts in languages.items()},
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" never appears in the output, so the text cannot close the script element holding it.
    return text.replace("<", "\\u003c")


def complaint_fields(complaint_schema: Mapping[str, Any]) -> dict[str, list[Any] | None]:
    """The fields of a complaint as ``{dotted path: [allowed values] or None}``. List items are
    written without an index (``complainant.identity_documents.type``)."""
    fields: dict[str, list[Any] | None] = {}
    definitions = complaint_schema.get("$defs", {})

    def resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return resolve(definitions[ref[len("#/$defs/"):]])
        return node

    def walk(node: Mapping[str, Any], path: str, depth: int) -> None:
        node = resolve(node)
        if depth > 8:  # the complaint is shallow; a recursive schema must not hang the start
            return
        alternatives = [resolve(alt) for alt in node.get("anyOf", [])] or [node]
        values: list[Any] = []
        for alt in alternatives:
            # A number spelling a text already offered (the schema's 1688 beside "1688", for
            # YAML's unquoted 1688) is the same choice.
            values.extend(v for v in alt.get("enum", [])
                          if v not in values and str(v) not in values)
            if "items" in alt:
                walk(alt["items"], path, depth + 1)
            for name, child in alt.get("properties", {}).items():
                walk(child, f"{path}.{name}" if path else name, depth + 1)
        if path:
            fields[path] = values or fields.get(path)

    walk(complaint_schema, "", 0)
    return fields
