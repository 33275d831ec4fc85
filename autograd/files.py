"""Writing a file so that it appears whole or not at all.

Saved weights and rendered pictures are written to a temporary file beside the target,
flushed to disk, then renamed over it in one step: a crash or a full disk part-way through
leaves the previous file exactly as it was, never half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write data (text is written as UTF-8) to path atomically; return the path.

    The new file gets the old file's permissions, or the usual ones for a new file (what
    the umask allows), not the private mode of a temporary file. An OSError names path.
    """
    path = Path(path)
    content = data.encode("utf-8") if isinstance(data, str) else data
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise _cannot_write(path, error) from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except OSError as error:
        raise _cannot_write(path, error) from error
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    _sync_folder(path.parent)
    return path


def _cannot_write(path: Path, error: OSError) -> OSError:
    # Name the file the caller asked for, not the temporary one.
    wrapped = OSError(f"cannot write {path}: {error.strerror or error}")
    wrapped.errno = error.errno
    return wrapped


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o777  # replacing a file: keep its permissions
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    # Make the rename itself durable. Not every system lets a folder be opened (Windows).
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
