"""Start-up: the CLI's imports stay light, and the index folder key is unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from specsearch.engine import default_index_dir


def _reference(roots: list[str], cache: str) -> str:
    """The key as it was first defined: ``json.dumps`` then ``hashlib.sha256``."""
    spelled = list(roots) or ["."]
    key = json.dumps([spelled, [os.path.abspath(r) for r in spelled]], ensure_ascii=False)
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return os.path.join(cache, "specsearch", digest)


@pytest.mark.parametrize(
    "roots",
    [[], ["specs"], ["a b", "é/ü", 'q"u\\o\tte', "\udcff"], ["/abs/path", "rel", "\x01"]],
)
def test_index_dir_key_is_stable(roots: list[str]) -> None:
    assert default_index_dir(roots, {"XDG_CACHE_HOME": "/c"}) == _reference(roots, "/c")


def test_cli_import_and_query_modules() -> None:
    """``import specsearch.cli`` loads neither numpy, hashlib's OpenSSL nor a backend."""
    code = (
        "import sys, specsearch.cli\n"
        "heavy = ['numpy', '_hashlib', 'specsearch._native', 'specsearch.pure.index',"
        " 'tantivy']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
