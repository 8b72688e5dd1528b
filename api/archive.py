"""Unpack an uploaded .zip (a register, an Open Referral package) safely: no paths out of the folder,
bounded count and size."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from api.errors import ApiError

_CHUNK = 64 * 1024


def _safe_name(name: str) -> PurePosixPath:
    """The member's path, or ApiError 422 for an absolute path, a drive, or a ``..`` part."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise ApiError(422, f"the archive holds an unsafe path: {name!r}")
    return path


def unpack_register(data: bytes, target: Path, max_members: int, max_unpacked_bytes: int) -> Path:
    """Extract the archive's files into ``target``; returns the folder holding the register CSVs."""
    return unpack(data, target, max_members, max_unpacked_bytes, "territories.csv")


def unpack(data: bytes, target: Path, max_members: int, max_unpacked_bytes: int, marker: str) -> Path:
    """Extract the archive's files into ``target``; returns the folder holding ``marker`` (or the files).

    Sizes are counted as bytes are written, not taken from the archive's headers, which can lie.
    """
    archive, members = _open(data, max_members, "the upload is not a readable .zip archive",
                             "the archive holds {n} entries; at most {limit} are accepted")
    with archive:
        for member in members:
            _safe_name(member.filename)
        written = 0
        for member in members:
            if member.is_dir():
                continue
            relative = _safe_name(member.filename)
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(member) as source, destination.open("wb") as sink:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > max_unpacked_bytes:
                            raise ApiError(413, f"the archive unpacks to more than {max_unpacked_bytes} bytes")
                        sink.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:  # corrupt, encrypted
                raise ApiError(422, f"cannot unpack {member.filename!r}: {type(exc).__name__}") from None
    return _content_folder(target, marker)


def _open(data: bytes, max_members: int, unreadable: str, too_many: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The zip container and its members; 422 when unreadable, 413 past ``max_members``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApiError(422, unreadable) from None
    members = archive.infolist()
    if len(members) > max_members:
        archive.close()
        raise ApiError(413, too_many.format(n=len(members), limit=max_members))
    return archive, members


def check_workbook(data: bytes, max_members: int, max_unpacked_bytes: int) -> None:
    """Refuse an .xlsx (itself a zip) that holds too many parts or inflates past the limit.

    The spreadsheet reader would inflate every sheet in memory: a small workbook can hold a
    sheet of gigabytes. Each part is inflated once here, counting bytes, and thrown away.
    """
    archive, members = _open(data, max_members, "the upload is not a readable .xlsx file",
                             "the workbook holds {n} parts; at most {limit} are accepted")
    with archive:
        inflated = 0
        for member in members:
            try:
                with archive.open(member) as source:
                    while chunk := source.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > max_unpacked_bytes:
                            raise ApiError(413, f"the workbook unpacks to more than {max_unpacked_bytes} bytes")
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                raise ApiError(422, f"cannot read the workbook part {member.filename!r}: {type(exc).__name__}") from None


def _content_folder(root: Path, marker: str) -> Path:
    """The folder with ``marker``: the root, or the one folder the archive wrapped the files in."""
    if (root / marker).exists():
        return root
    found = sorted(path.parent for path in root.rglob(marker) if "__MACOSX" not in path.parts)
    if len(found) == 1:
        return found[0]
    entries = [p for p in root.iterdir() if p.name != "__MACOSX"]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else root
