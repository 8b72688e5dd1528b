"""Unpack an uploaded register .zip safely: no paths out of the folder, bounded count and size."""

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
    """Extract the archive's files into ``target``; returns the folder holding the register CSVs.

    Sizes are counted as bytes are written, not taken from the archive's headers, which can lie.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApiError(422, "the upload is not a readable .zip archive") from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise ApiError(413, f"the archive holds {len(members)} entries; at most {max_members} are accepted")
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
    return _register_folder(target)


def check_workbook(data: bytes, max_members: int, max_unpacked_bytes: int) -> None:
    """Refuse an .xlsx (itself a zip) that holds too many parts or inflates past the limit.

    The spreadsheet reader would inflate every sheet in memory: a small workbook can hold a
    sheet of gigabytes. Each part is inflated once here, counting bytes, and thrown away.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApiError(422, "the upload is not a readable .xlsx file") from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise ApiError(413, f"the workbook holds {len(members)} parts; at most {max_members} are accepted")
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


def _register_folder(root: Path) -> Path:
    """The folder with ``territories.csv``: the root, or the one folder the archive wrapped it in."""
    if (root / "territories.csv").exists():
        return root
    found = sorted(path.parent for path in root.rglob("territories.csv") if "__MACOSX" not in path.parts)
    return found[0] if len(found) == 1 else root
