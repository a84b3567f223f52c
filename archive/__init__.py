"""Archive adapters: a folder with a manifest, or an SQL table/view of the archive system."""
from __future__ import annotations

from pathlib import Path

from archive.base import Archive, ArchiveError, NotInArchive


def is_sql_url(location: str | Path) -> bool:
    """True for a database URL (postgresql://, sqlite:///...), False for a folder path."""
    return "://" in str(location)


def open_archive(location: str | Path, *, table: str | None = None,
                 columns: dict[str, str] | None = None,
                 files_root: str | Path | None = None) -> Archive:
    """The adapter for `location`: an SQL URL (with `table`) or an archive folder."""
    if is_sql_url(location):
        from archive.sqlindex import SqlIndexArchive

        if not table:
            raise ArchiveError("an SQL archive needs the table or view to read "
                               "(set EMR_ARCHIVE_TABLE)")
        return SqlIndexArchive(str(location), table, columns=columns, files_root=files_root)
    from archive.folder import FolderArchive

    return FolderArchive(location)


__all__ = ["Archive", "ArchiveError", "NotInArchive", "is_sql_url", "open_archive"]
