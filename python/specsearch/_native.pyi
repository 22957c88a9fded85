"""Type stubs for the Rust extension (checked against it with stubtest)."""

import mmap
import os
from collections.abc import Callable
from typing import Any, final

import numpy as np
from numpy.typing import NDArray

from specsearch.errors import QueryError

__all__ = [
    "ANALYZER",
    "DEFAULT_WEIGHTS",
    "FIELDS",
    "K1",
    "B",
    "BatchTopDocs",
    "DocMatrix",
    "Embeddings",
    "Encoder",
    "Index",
    "IndexBuffers",
    "OpenJob",
    "TopDocs",
    "__version__",
    "document_texts",
    "fingerprint_files",
    "fuse",
    "parse_query",
    "route_scores",
]

__version__: str
ANALYZER: str
FIELDS: tuple[str, ...]
DEFAULT_WEIGHTS: tuple[float, ...]
K1: float
B: float

def parse_query(text: str, strict: bool = False) -> str | None: ...
def fingerprint_files(
    paths: list[str], max_file_bytes: int = ...
) -> list[list[int | None] | None]: ...

@final
class TopDocs:
    def __len__(self) -> int: ...
    def ids_array(self) -> NDArray[np.uint32]: ...
    def scores_array(self) -> NDArray[np.float32]: ...
    def ids_list(self) -> list[int]: ...
    def scores_list(self) -> list[float]: ...

@final
class BatchTopDocs:
    def __len__(self) -> int: ...
    def ids_array(self) -> NDArray[np.int64]: ...
    def scores_array(self) -> NDArray[np.float32]: ...
    def counts_list(self) -> list[int]: ...
    @property
    def errors(self) -> dict[int, QueryError]: ...

@final
class OpenJob:
    def finish(
        self, progress: Callable[[int, int], None] | None = None
    ) -> tuple[Index, list[tuple[str, int | None, str]], dict[str, int], str | None]: ...

@final
class IndexBuffers:
    """The ``base`` of the arrays ``Index.doc_lengths`` returns."""

@final
class Index:
    @staticmethod
    def build(
        roots: list[str],
        *,
        max_file_bytes: int = ...,
        threads: int = 0,
        hidden: bool = False,
        no_ignore: bool = False,
    ) -> tuple[Index, list[tuple[str, int | None, str]]]: ...
    @staticmethod
    def open(
        index_dir: str,
        roots: list[str],
        *,
        max_file_bytes: int = ...,
        threads: int = 0,
        memory_budget: int = ...,
        merge_threshold: int = ...,
        progress: Callable[[int, int], None] | None = None,
        hidden: bool = False,
        no_ignore: bool = False,
        verify: bool = False,
        rebuild: bool = False,
    ) -> tuple[Index, list[tuple[str, int | None, str]], dict[str, int], str | None]: ...
    @staticmethod
    def start_open(
        index_dir: str,
        roots: list[str],
        *,
        max_file_bytes: int = ...,
        threads: int = 0,
        memory_budget: int = ...,
        merge_threshold: int = ...,
        hidden: bool = False,
        no_ignore: bool = False,
        verify: bool = False,
        rebuild: bool = False,
    ) -> OpenJob: ...
    @staticmethod
    def open_existing(index_dir: str) -> tuple[Index, list[tuple[str, int | None, str]]]: ...
    def stats(self) -> dict[str, int | str]: ...
    def doc_lengths(self, field: str) -> list[NDArray[np.uint32]]: ...
    @property
    def num_docs(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def search(
        self,
        query: str,
        k: int,
        *,
        weights: tuple[float, float, float, float, float, float] | None = None,
        strict: bool = False,
    ) -> TopDocs: ...
    def search_many(
        self,
        queries: list[str],
        k: int,
        *,
        weights: tuple[float, float, float, float, float, float] | None = None,
        strict: bool = False,
    ) -> BatchTopDocs: ...
    def route(self, request: str, k: int) -> TopDocs: ...
    def route_many(self, requests: list[str], k: int) -> BatchTopDocs: ...
    def route_explain(
        self, request: str, ids: list[int]
    ) -> tuple[list[str], list[str], list[str], list[list[tuple[str, str, float]]]]: ...
    def docs(self, ids: list[int]) -> list[tuple[str, str, str]]: ...
    def fs_paths(self, ids: list[int]) -> list[str | os.PathLike[str] | None]: ...
    def snippets(
        self, ids: list[int], query: str, *, strict: bool = False
    ) -> list[tuple[int, str, list[tuple[int, int]]] | None]: ...
    def stored_vectors(
        self, model: str, dim: int
    ) -> tuple[bytes | None, tuple[str, int] | None, list[int]] | None: ...
    def reuse_vectors(self, model: str, dim: int, keys: list[bytes]) -> list[bytes | None]: ...
    def attach_vectors(
        self, model: str, dim: int, ids: list[int], keys: list[bytes], rows: bytes
    ) -> bool: ...
    def vector_stats(self) -> dict[str, Any] | None: ...
    def close(self) -> None: ...

@final
class Embeddings:
    def __len__(self) -> int: ...
    def array(self) -> NDArray[np.float32]: ...

@final
class Encoder:
    def __new__(cls, path: str) -> Encoder: ...
    @property
    def dim(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...
    def tokenize(self, text: str, max_tokens: int | None = None) -> list[int]: ...
    def embed(self, texts: list[str], max_tokens: int | None = None) -> Embeddings: ...
    def embed_f16(self, texts: list[str], max_tokens: int | None = None) -> bytes: ...
    def embed_documents_f16(self, pairs: list[tuple[str, str]]) -> bytes: ...
    def route_hybrid(
        self,
        request: str,
        index: Index,
        matrix: DocMatrix,
        alpha: float,
        tau: float,
        beta: float,
        k: int,
    ) -> tuple[list[int], list[float], list[float], list[float], list[float]]: ...

@final
class DocMatrix:
    def __new__(cls, data: bytes | mmap.mmap, offset: int, rows: int, dim: int) -> DocMatrix: ...
    def __len__(self) -> int: ...

def document_texts(docs: list[tuple[str, str, str]]) -> list[tuple[str, str]]: ...
def fuse(
    lex_ids: list[int], lex_scores: list[float], cosine: list[float], alpha: float
) -> tuple[list[float], list[float], list[float]]: ...
def route_scores(
    vectors: list[float],
    dim: int,
    query: list[float],
    lex_ids: list[int],
    lex_scores: list[float],
    alpha: float,
    tau: float,
    beta: float,
) -> tuple[list[float], list[float], list[float], list[float]]: ...
