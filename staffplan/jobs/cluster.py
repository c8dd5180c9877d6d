"""Many independent solves on Dask: a local cluster of processes, or an existing cluster.

`compare` and `risk --replan` hand `run_tasks` one task per solve. A task gets plain,
picklable inputs (an `Inputs` dataclass and a few numbers), builds and solves its model
inside the worker single-threaded, and returns plain tables (a `PlanResult` of pandas
DataFrames); solver objects never cross the wire (HiGHS objects cannot be pickled).

A task that fails comes back as a `Failed` with its reason in words; the others finish.
By default the cluster is a `LocalCluster` of worker processes on this machine, one per
core (`workers`); `scheduler` (or STAFFPLAN_DASK_SCHEDULER) sends the same tasks to an
existing cluster at tcp://HOST:PORT instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from distributed import Client, LocalCluster, as_completed

from staffplan.core.errors import StaffplanError

log = logging.getLogger(__name__)

SCHEDULER_ENV = "STAFFPLAN_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 20

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Failed:
    """A task that produced no result: its name and why, in words."""

    name: str
    reason: str


class ClusterError(StaffplanError):
    """The cluster could not be started or reached (exit 4: no solve could run)."""

    exit_code = 4


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def scheduler_address(given: str | None) -> str | None:
    """--scheduler wins over the environment; blank means a local cluster."""
    address = given or os.environ.get(SCHEDULER_ENV, "")
    return address.strip() or None


def guarded(fn: Callable[..., Any], name: str, *args: Any) -> Any:
    """Run one task in the worker; a failure comes back as `Failed`, not as an exception
    (our errors carry problem lists that do not survive pickling, and the scheduler would
    otherwise log a traceback for a user's infeasible scenario)."""
    try:
        return fn(*args)
    except StaffplanError as exc:
        return Failed(name, str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken solve must not stop the others
        logging.getLogger(__name__).exception("task %s failed", name)
        return Failed(name, f"unexpected error {type(exc).__name__}: {exc}")


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client for a fresh local cluster, or for the cluster at `scheduler`."""
    # distributed sets its loggers to INFO on import: scheduler and nanny chatter on stderr.
    logging.getLogger("distributed").setLevel(
        logging.INFO if log.isEnabledFor(logging.DEBUG) else logging.WARNING)
    address = scheduler_address(scheduler)
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}. Check "
                               f"the address (tcp://HOST:PORT) and that the scheduler runs, or "
                               f"leave out --scheduler and {SCHEDULER_ENV} to solve on this "
                               f"machine.") from None
        log.info("using the Dask cluster at %s", address)
        with client:
            yield client
        return
    n = workers or default_workers()
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           # a free port: a fixed 8787 clashes with a second run
                           dashboard_address="127.0.0.1:0", silence_logs=logging.WARNING)
    log.info("started a local Dask cluster of %d worker processes", n)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def run_tasks(fn: Callable[..., Any], tasks: Mapping[str, tuple], *,
              workers: int | None = None, scheduler: str | None = None,
              progress: Progress | None = None) -> dict[str, Any]:
    """name -> fn(*args) for every task, or a `Failed`; in the order of `tasks`."""
    if not tasks:
        return {}
    results: dict[str, Any] = {}
    run = uuid.uuid4().hex[:8]
    with dask_client(workers, scheduler) as client:
        futures = {}
        for i, (name, args) in enumerate(tasks.items()):
            fut = client.submit(guarded, fn, name, *args, key=f"staffplan-{run}-{i}", pure=False)
            futures[fut] = name
        total = len(futures)
        if progress:
            progress(0, total)
        for done, fut in enumerate(as_completed(futures), start=1):
            name = futures[fut]
            try:
                results[name] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died takes its task along
                results[name] = Failed(name, f"the worker running it failed "
                                             f"({type(exc).__name__}: {exc})")
            if isinstance(results[name], Failed):
                log.warning("%s failed: %s", name, results[name].reason)
            if progress:
                progress(done, total)
    return {name: results[name] for name in tasks}
