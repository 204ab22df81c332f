"""The browser fixture of tests/browser, for the one browser test of this folder."""

from tests.browser.conftest import started  # noqa: F401
