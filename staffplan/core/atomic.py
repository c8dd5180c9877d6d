"""Atomic output files: temporary files beside the targets, then renames.

An output is either the complete new file or the old one untouched (spec/cli.md), and files that
belong together (a plan and its report) are replaced together or not at all: `atomic_files`
writes every member of a set to a temporary file, and only when all of them are written moves
them into place, one rename each.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from staffplan.core.errors import OutputError, Terminated

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"  # every temporary file staffplan makes in an output folder ends so

# Test hook: tests/test_signals.py stops a real `staffplan plan` at a named point to signal it.
TEST_PAUSE_ENV = "STAFFPLAN_TEST_PAUSE_AT"
TEST_PAUSE_SECONDS = 60.0

_SIGNALS = (signal.SIGINT, signal.SIGTERM)

# Every temporary file this process has made and not yet moved or removed: a signal while
# outputs are written removes them all, also those of an atomic_path nested in atomic_files
# (the writers make their own), whose cleanup a signal could otherwise skip.
_LIVE: set[Path] = set()

# Blocking a signal in the main thread does not hold it back on its own: the kernel hands a
# process's signal to any thread that does not block it (HiGHS's worker threads, started
# from the main thread, do not), and Python then runs the handler in the main thread at its
# next step anyway. So the handler also defers itself while signals are held: `_HELD` says
# they are, `_PENDING` keeps what arrived, and the release raises it again.
_HELD = [False]
_PENDING: list[int] = []


@contextlib.contextmanager
def atomic_path(path: Path, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path in `path`'s folder; on success move it into place.

    With `overwrite=False` the move is a hard link, which fails with
    FileExistsError if `path` appeared meanwhile. Files get the usual
    permissions (mkstemp makes them private; plans and reports are for sharing).
    """
    path = Path(path)
    tmp = _temp_beside(path)
    try:
        yield tmp
        _share(tmp)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # file systems without hard links
                if path.exists():
                    raise FileExistsError(path) from None
                os.replace(tmp, path)
    finally:
        _remove(tmp)


@contextlib.contextmanager
def atomic_files(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield one temporary path per target (same order); when the block ends normally, move
    them all into place together.

    Until the moves, an exception, Ctrl-C (KeyboardInterrupt) or SIGTERM (`Terminated`) leaves
    every old file untouched and no temporary file behind: while the block runs in the main
    thread, SIGINT and SIGTERM remove the temporary files before raising. The moves run with
    those signals held back, so a signal never splits the set. If a move fails after others
    succeeded, the files already moved are put back from backups taken just before, and
    `OutputError` says what happened. A target that exists but is not a regular file (a folder
    where the report should go) is refused before anything is written.
    """
    targets = [Path(p) for p in paths]
    if len({t.resolve() for t in targets}) != len(targets):
        raise ValueError(f"the same file twice in {targets}")
    _refuse_non_files(targets)
    temps: list[Path] = []
    mask = _hold_signals()
    previous = _install_cleaning(temps)
    try:
        for target in targets:
            temps.append(_temp_beside(target))
        _release_signals(mask)
        checkpoint("files-open")
        yield list(temps)
        checkpoint("files-written")
        _hold_signals()
        _move_together(temps, targets)
    finally:
        _hold_signals()
        for tmp in temps:
            _remove(tmp)
        _restore_handlers(previous)
        _release_signals(mask)  # a signal held back during the moves acts now, as without us


def checkpoint(name: str) -> None:
    """A named point while outputs are written. With STAFFPLAN_TEST_PAUSE_AT=name the process
    logs that it waits there and sleeps, so a test can signal it at exactly that point."""
    if os.environ.get(TEST_PAUSE_ENV) == name:
        log.warning("paused at %s for a test (pid %d)", name, os.getpid())
        time.sleep(TEST_PAUSE_SECONDS)


def _refuse_non_files(targets: list[Path]) -> None:
    for target in targets:
        if target.exists() and not target.is_file():
            kind = "a folder" if target.is_dir() else "not a regular file"
            raise OutputError(f"cannot write {target}: it is {kind}. Move it out of the way and "
                              f"run again; nothing was changed.")


def _move_together(temps: list[Path], targets: list[Path]) -> None:
    """Back up the old targets, then rename each temporary file onto its target; if a rename
    fails, put the ones already done back as they were."""
    for tmp in temps:
        _share(tmp)
    backups: list[Path | None] = []
    try:
        for target in targets:
            backups.append(_backup(target) if target.exists() else None)
    except OSError as exc:
        for b in backups:
            if b is not None:
                _remove(b)
        raise OutputError(f"cannot write into {targets[0].parent}: {exc.strerror or exc}; "
                          f"nothing was changed.") from None
    moved: list[int] = []
    try:
        for i, (tmp, target) in enumerate(zip(temps, targets, strict=True)):
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError(_repair(i, exc, moved, backups, targets)) from None
            moved.append(i)
    finally:
        for b in backups:
            if b is not None:
                _remove(b)


def _repair(failed: int, exc: OSError, moved: list[int], backups: list[Path | None],
            targets: list[Path]) -> str:
    """Undo the renames already done; return the message saying what happened."""
    head = f"cannot move the new {targets[failed].name} into place ({exc.strerror or exc})"
    broken: list[str] = []
    for i in reversed(moved):
        try:
            if backups[i] is not None:
                os.replace(backups[i], targets[i])
            else:
                targets[i].unlink(missing_ok=True)
        except OSError as undo:
            broken.append(f"{targets[i]} ({undo.strerror or undo})")
    if broken:
        log.error("could not restore %s", ", ".join(broken))
        return (f"{head}; these files are new but the others are old, so they do not belong "
                f"together: {', '.join(broken)}. Run the plan again.")
    if moved:
        return f"{head}; the files already replaced were put back, so nothing was changed."
    return f"{head}; nothing was changed."


def _backup(target: Path) -> Path:
    """A temporary copy of `target` beside it: a hard link where possible, else a copy."""
    backup = _temp_beside(target, tag=".old")
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def _temp_beside(path: Path, tag: str = "") -> Path:
    """A new temporary file beside `path`, made and recorded with signals held back, so a
    signal never finds a file that nobody will remove."""
    mask = _hold_signals()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}-",
                                    suffix=f"{path.suffix}{tag}{TMP_SUFFIX}", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        _LIVE.add(tmp)
    finally:
        _release_signals(mask)
    return tmp


def _remove(tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    _LIVE.discard(tmp)


def _share(tmp: Path) -> None:
    """Usual permissions (mkstemp makes files private; plans and reports are for sharing)."""
    os.chmod(tmp, 0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _signals_apply() -> bool:
    """Handlers and masks are per process and set from the main thread only."""
    return (threading.current_thread() is threading.main_thread()
            and hasattr(signal, "pthread_sigmask"))


def _hold_signals() -> set | None:
    """Hold SIGINT and SIGTERM back (they act when released); return the mask to go back to."""
    if not _signals_apply():
        return None
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    _HELD[0] = True
    return mask


def _release_signals(mask: set | None) -> None:
    """Back to `mask`; a signal deferred meanwhile acts now, through the handler then set."""
    if mask is None:
        return
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    _HELD[0] = bool(set(mask) & set(_SIGNALS))
    if not _HELD[0] and _PENDING:
        signum = _PENDING[0]
        _PENDING.clear()
        signal.raise_signal(signum)


def _install_cleaning(temps: list[Path]) -> dict | None:
    """While files are written, SIGINT and SIGTERM remove `temps` and raise (KeyboardInterrupt,
    Terminated), so the old files stay and no temporary file is left; return the old handlers."""
    if not _signals_apply():
        return None

    def clean_and_raise(signum: int, frame: object) -> None:
        if _HELD[0]:  # delivered to another thread while held here: act on release
            _PENDING.append(signum)
            return
        for tmp in [*temps, *_LIVE]:
            _remove(tmp)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    return {s: signal.signal(s, clean_and_raise) for s in _SIGNALS}


def _restore_handlers(previous: dict | None) -> None:
    for s, handler in (previous or {}).items():
        signal.signal(s, handler)
