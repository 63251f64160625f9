from tests.knowledge.conftest import kb, section  # noqa: F401  (the multilingual knowledge base)
