"""`specsearch mcp`: hostile arguments and trees give answers or tool errors, never a crash.

The SDK's JSON carries any string, lone surrogates and NUL included; each
answer must encode as UTF-8, which is what goes back to the client.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import pytest

from specsearch.mcp_server import SpecService, ToolInputError
from tests.robustness.helpers import spec

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def sent(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` as the client gets it: JSON in UTF-8 (fails on a lone surrogate)."""
    loaded: dict[str, Any] = json.loads(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    return loaded


@pytest.fixture
def odd_root(tmp_path: Path) -> Path:
    """Two specs, one in a folder whose name is not UTF-8."""
    root = tmp_path / "specs"
    spec(root / "plain.md", "plain-agent", body="word tokio plain")
    folder = os.fsencode(root) + b"/caf\xe9"
    os.mkdir(folder)
    with open(folder + b"/odd.md", "wb") as file:
        file.write(b"---\nname: odd-agent\ndescription: d\n---\nword tokio unusual\n")
    return root


@pytest.fixture
def service(odd_root: Path, backend: str, tmp_path: Path) -> Iterator[SpecService]:
    svc = SpecService([str(odd_root)], backend=backend, index_dir=str(tmp_path / "index"))
    yield svc
    svc.close()


@pytest.mark.parametrize("text", ["\udcff tokio", "tokio \ud800", "tokio\x00word"])
def test_lone_surrogates_and_nul_in_a_request_or_query(service: SpecService, text: str) -> None:
    routed = sent(service.route(text, 5))["results"]
    assert {r["name"] for r in routed} == {"plain-agent", "odd-agent"}
    found = sent(service.search(text, 5))["results"]
    assert {r["name"] for r in found} == {"plain-agent", "odd-agent"}


@pytest.mark.parametrize("wanted", ["plain.md\x00", "/etc/passwd\x00.md", "odd\x00agent"])
def test_a_nul_byte_in_show_is_an_unknown_spec(service: SpecService, wanted: str) -> None:
    with pytest.raises(ToolInputError, match="no spec named"):
        service.show(wanted)


def test_show_a_spec_in_a_folder_whose_name_is_not_utf8(service: SpecService) -> None:
    shown = sent(service.show("odd-agent"))
    assert "word tokio unusual" in shown["body"]
    assert shown["path"].endswith("/caf\ufffd/odd.md")
    assert sent(service.show(shown["path"]))["body"] == shown["body"]
