"""Tests of the benchmark harness: the tantivy backend, the engines, the report."""
