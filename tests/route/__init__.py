"""Tests of ``route``: request analysis, the API and CLI, parity and relevance."""
