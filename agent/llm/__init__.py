"""The LLM layer: an OpenAI-compatible client from settings and the local llama.cpp server."""
