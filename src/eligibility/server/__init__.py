"""The HTTP face: a FastAPI app around one loaded policy, and a way to serve it.

Importing :mod:`eligibility` never imports this package (the web stack is an optional extra).
"""

from .app import app_from_environment, create_app, serve
from .config import ConfigError

__all__ = ["ConfigError", "app_from_environment", "create_app", "serve"]
