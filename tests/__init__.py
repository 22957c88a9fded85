"""The test suite (run with `uv run pytest`)."""
