"""Which listing URLs are on a platform: the host, exactly as a browser would reach it."""

from __future__ import annotations

import pytest

from eligibility.judge.facts import on_platform

TAOBAO = ("taobao.com",)


@pytest.mark.parametrize("url", [
    "https://item.taobao.com/item.htm?id=1",
    "http://taobao.com/x",
    "https://ITEM.Taobao.COM/x",
    "https://item.taobao.com:443/item.htm?id=1",
    "https://item.taobao.com./x",
])
def test_on_the_platform(url: str) -> None:
    assert on_platform(url, TAOBAO)


@pytest.mark.parametrize("url", [
    "https://taobao.com.evil.example/x",
    "https://nottaobao.com/x",
    "ftp://item.taobao.com/x",
    "https://evil.example\\@item.taobao.com/",  # a browser goes to evil.example
    "https://user@item.taobao.com/x",
    "https://taobao.com@evil.example/x",
    "https://item.taobao.com%2f.evil.example/x",
    "https://item.taobao .com/x",
    "item.taobao.com/x",
    "https://[::1]/x",
    "",
])
def test_off_the_platform(url: str) -> None:
    assert not on_platform(url, TAOBAO)
