"""Fixtures shared by the HTTP tests: a client for the service a module starts (each module
defines ``url`` with the app configuration it tests)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as c:
        yield c
