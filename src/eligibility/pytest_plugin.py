"""pytest plugin: collects ``*.case.yaml`` case fixtures (being written)."""

from __future__ import annotations
