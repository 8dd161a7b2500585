"""Many callers at once: each answer must be the verdict of that caller's own complaint."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

import eligibility
from eligibility.server import create_app

from .harness import as_json, complaint_variant, running

CALLERS = 200


@pytest.fixture(scope="module")
def url(policy: eligibility.Policy) -> Iterator[str]:
    with running(create_app(policy, access_log=False)) as base:
        yield base


async def _all_at_once(url: str, bodies: list[bytes]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        start = asyncio.Event()

        async def call(i: int, body: bytes) -> httpx.Response:
            await start.wait()
            return await client.post("/v1/evaluate", content=body, headers={
                "Content-Type": "application/json", "X-Request-ID": f"caller-{i}"})

        tasks = [asyncio.create_task(call(i, body)) for i, body in enumerate(bodies)]
        await asyncio.sleep(0)
        start.set()
        return list(await asyncio.gather(*tasks))


def test_concurrent_callers_each_get_their_own_verdict(url: str,
                                                      policy: eligibility.Policy) -> None:
    complaints = [complaint_variant(i) for i in range(CALLERS)]
    expected = [policy.evaluate(c).model_dump_json().encode() for c in complaints]
    assert len(set(expected)) == CALLERS  # every complaint has a verdict of its own
    responses = asyncio.run(_all_at_once(url, [as_json(c) for c in complaints]))
    for i, response in enumerate(responses):
        assert response.status_code == 200, response.text
        assert response.headers["x-request-id"] == f"caller-{i}"
        assert response.content == expected[i], f"caller {i} got another verdict"


def test_concurrent_batches_and_singles_do_not_mix(url: str, policy: eligibility.Policy) -> None:
    batches = [[complaint_variant(10 * b + i) for i in range(10)] for b in range(8)]

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            calls = [client.post("/v1/evaluate/batch", content=as_json(batch),
                                 headers={"Content-Type": "application/json"})
                     for batch in batches]
            calls += [client.post("/v1/evaluate", content=as_json(complaint_variant(500 + i)),
                                  headers={"Content-Type": "application/json"})
                      for i in range(20)]
            return list(await asyncio.gather(*calls))

    responses = asyncio.run(run())
    for batch, response in zip(batches, responses, strict=False):
        verdicts = [entry["day0"] for entry in response.json()]
        assert verdicts == [policy.evaluate(c).day0.isoformat() for c in batch]
    for i, response in enumerate(responses[len(batches):]):
        assert response.content == policy.evaluate(
            complaint_variant(500 + i)).model_dump_json().encode()
