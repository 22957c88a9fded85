"""Sentence encoders for the semantic arm, behind one small protocol.

:func:`load_encoder` gives the Rust encoder (``native``) or the numpy
reference (``python``); both turn texts into unit-length float32 rows of the
same model, equal to a cosine of at least 0.9999.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Encoder", "load_encoder"]


class Encoder(Protocol):
    """Texts to unit-length embeddings."""

    @property
    def dim(self) -> int:
        """The width of an embedding."""
        ...

    @property
    def max_tokens(self) -> int:
        """The most tokens a text is truncated to, ``[CLS]`` and ``[SEP]`` included."""
        ...

    def tokenize(self, text: str, max_tokens: int | None = None) -> list[int]:
        """Token ids of ``text``."""
        ...

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> NDArray[np.float32]:
        """Unit-length embeddings, ``(len(texts), dim)`` float32."""
        ...


def load_encoder(model_dir: Path, backend: str) -> Encoder:
    """The encoder of ``backend`` (``"native"`` or ``"python"``) for ``model_dir``.

    Raises:
        ModelError: a model file does not fit.
        OSError: a model file cannot be read.
        ValueError: an unknown backend name.
    """
    if backend == "native":
        from specsearch.native import NativeEncoder  # noqa: PLC0415 - loads the extension

        return NativeEncoder(str(model_dir))
    if backend == "python":
        from specsearch.pure.embed import PureEncoder  # noqa: PLC0415 - imports numpy

        return PureEncoder(model_dir)
    raise ValueError(f"unknown backend {backend!r}")
