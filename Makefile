# Developer entry points. `.ci/run` runs the same checks on a clean clone.
.PHONY: install build fmt lint typecheck test test-rust bench ci

install:            ## the environment, with the extension built (release)
	uv sync

build: install

fmt:                ## format Rust and Python
	cargo fmt --all
	uv run ruff format .

lint:               ## clippy, rustfmt and ruff, as CI runs them
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	uv run ruff check .
	uv run ruff format --check .

typecheck:          ## mypy --strict and stubtest for the extension
	uv run mypy
	uv run python -m mypy.stubtest specsearch._native

test-rust:
	cargo test --workspace --locked

test: test-rust     ## every test
	uv run pytest

bench:              ## native vs python over ../shared/corpora (or $SPECSEARCH_BENCH_CORPUS)
	uv run pytest benches --benchmark-only --benchmark-json=target/bench.json
	uv run python benches/report.py target/bench.json

ci:
	bash .ci/run
