"""Is a path a file a person could mean as input? Judged from its type before opening it.

Reading `/dev/zero` never ends and opening a FIFO waits for a writer, so every file a user
names (input workbook, previous plan) is checked here first.
"""

from __future__ import annotations

import stat
from pathlib import Path

MAX_FILE = 256 << 20  # a 50,000-row workbook is a few MB


def not_a_plain_file(path: Path, what: str = "workbook") -> str | None:
    """Why `path` cannot be read as a `what`, in plain words, or None when it can be opened."""
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return f"is a folder, not a {what}"
    if not stat.S_ISREG(info.st_mode):
        return (f"is a device, a pipe or another special file, not a {what}; give the path "
                f"of an .xlsx file")
    if info.st_size > MAX_FILE:
        return (f"is larger than {MAX_FILE >> 20} MB, far more than any {what}; check the "
                f"path")
    return None
