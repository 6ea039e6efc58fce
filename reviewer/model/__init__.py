"""The model: its files, its backends (in-process llama.cpp, an
OpenAI-compatible server) and what the scorer's explainer asks them."""
