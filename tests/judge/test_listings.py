"""Which listing URLs are on a platform: the host, exactly as a browser would reach it."""

from __future__ import annotations

import pytest

from eligibility.judge.facts import on_platform
from eligibility.load.loader import Loaded

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


# --- listing and short-link domains (POLICY.md v2) ------------------------------------------------

ALIEXPRESS = (("aliexpress.com", "aliexpress.us"), ("s.click.aliexpress.com", "a.aliexpress.com"))


@pytest.mark.parametrize(("url", "where"), [
    ("https://www.aliexpress.com/item/1.html", "listing"),
    ("https://fr.aliexpress.com/item/1.html", "listing"),
    ("https://www.aliexpress.us/item/1.html", "listing"),
    # Under a short-link domain: a short link, although also under aliexpress.com.
    ("https://a.aliexpress.com/_mKx1", "short"),
    ("https://A.AliExpress.com.:443/_mKx1", "short"),
    ("https://x.s.click.aliexpress.com/e/1", "short"),
    ("https://click.aliexpress.com/e/1", "listing"),
    ("https://aliexpress.us.evil.example/x", "off"),
    ("https://a.aliexpress.com@evil.example/x", "off"),
])
def test_short_links_take_precedence_over_listing_domains(url: str, where: str) -> None:
    from eligibility.judge.facts import classify

    off, short = classify([url], *ALIEXPRESS)
    assert {"off": (off, short) == ([url], []), "short": (off, short) == ([], [url]),
            "listing": (off, short) == ([], [])}[where]


def test_classify_keeps_the_order_of_each_list() -> None:
    from eligibility.judge.facts import classify

    urls = ["https://m.tb.cn/2", "https://evil.example/1", "https://item.taobao.com/1",
            "https://tb.cn/1", "ftp://m.tb.cn/3"]
    assert classify(urls, ("taobao.com",), ("m.tb.cn", "tb.cn")) == (
        ["https://evil.example/1", "ftp://m.tb.cn/3"], ["https://m.tb.cn/2", "https://tb.cn/1"])


def test_every_platform_lists_its_domains(loaded: Loaded) -> None:
    platforms = loaded.platforms
    assert platforms["taobao"].listing_domains == ("taobao.com",)
    assert platforms["taobao"].short_link_domains == ("m.tb.cn", "tb.cn")
    assert platforms["taobao"].domains == ("taobao.com", "m.tb.cn", "tb.cn")
    assert platforms["alibaba.com"].short_link_domains == ()
    assert platforms["amazon.de"].channels == ("ipp_account",)
    assert platforms["tmall.hk"].channels == ("ipp_account", "online_form")
