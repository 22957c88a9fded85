"""What an index's open did to bring it up to date (:class:`UpdateInfo`).

Public as :mod:`specsearch.backend`'s name (and the package's), which loads
this module on first use: a query starts its index's open before it makes
one, and each dataclass made before that start delays it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UpdateInfo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInfo:
    """What opening a persistent index did to bring it up to date.

    Attributes:
        added: Specs indexed for the first time.
        changed: Specs whose content changed, indexed again.
        deleted: Specs that are gone.
        unchanged: Specs reused without being read.
        rebuilt: An existing index could not be used (unreadable, damaged, of
            another version or ``max_file_bytes``) and was built afresh; False
            for the first build of an index folder.
        committed: Something changed and a new index version was written.
        damage: Why the existing index was rebuilt when it could not be read
            (the corrupt file and what was wrong), else None.
    """

    added: int
    changed: int
    deleted: int
    unchanged: int
    rebuilt: bool
    committed: bool
    damage: str | None = None
