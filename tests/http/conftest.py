"""Fixtures of the HTTP client tests (the servers themselves are in httptest.py)."""

from httptest import make_client, raw_server, site

__all__ = ["make_client", "raw_server", "site"]
