from tests.knowledge.conftest import demo_kb, kb, section  # noqa: F401  (the multilingual knowledge base)
from tests.messaging.conftest import providers  # noqa: F401  (local fakes of the messaging providers' APIs)
