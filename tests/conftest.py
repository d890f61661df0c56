from tests.llm_server import llm_server  # noqa: F401 - session fixture shared by test packages
