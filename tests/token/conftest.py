"""The app served on loopback for the agent (the tokens are tests.tokens' `hsm`, a session fixture)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.live import serving


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free loopback port, in a thread; yields its base URL."""
    with serving(app) as url:
        yield url
