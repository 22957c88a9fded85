"""Benchmarks: pytest-benchmark suites, the corpus generator, peer measurements."""
