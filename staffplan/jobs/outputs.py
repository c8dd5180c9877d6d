"""A workbook and its HTML page written as one pair (compare, risk): both or neither."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from staffplan.core.atomic import atomic_files
from staffplan.core.errors import OutputError

log = logging.getLogger(__name__)


def write_pair(out_dir: Path, stem: str, kind: str, write_xlsx: Callable[[Path], None],
               page: str, what: str) -> tuple[Path, Path]:
    """Write `<stem>-<kind>.xlsx` (by `write_xlsx`) and `<stem>-<kind>.html` (`page`, rendered
    before any file is touched) together; `what` names them in the message if that fails."""
    xlsx, html = out_dir / f"{stem}-{kind}.xlsx", out_dir / f"{stem}-{kind}.html"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_files([xlsx, html]) as (tmp_x, tmp_h):
            write_xlsx(tmp_x)
            tmp_h.write_text(page, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"cannot write {what} into {out_dir}: "
                          f"{exc.strerror or exc}; nothing was changed.") from None
    log.info("wrote %s and %s", xlsx, html)
    return xlsx, html
