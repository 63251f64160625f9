from tests.messaging.conftest import _fast_retries, providers  # noqa: F401 (the fake provider APIs)
