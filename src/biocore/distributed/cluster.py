"""Connecting to a Dask cluster: a local one (``local:N``) or a running scheduler, with version checks.

Dask is imported lazily here and only here (and in :mod:`.jobs` through :func:`require_dask`), so the
embedded path never needs it. Failures are turned into :class:`ClusterError` within ``timeout_s``.
"""

from __future__ import annotations

import re
from typing import Any

from .._version import __version__
from ..errors import ClusterError, InvalidArgument, MissingDependency
from .manifest import FORMAT_VERSION

__all__ = ["ClusterError", "connect", "check_workers", "require_dask", "worker_versions"]

EXTRA = "biocore[distributed]"


def require_dask() -> Any:
    """The ``distributed`` module, or MissingDependency naming the extra."""
    try:
        import distributed
    except ImportError as exc:
        raise MissingDependency(
            f"the distributed gallery needs Dask distributed: pip install '{EXTRA}' ({exc})") from None
    return distributed


def worker_versions() -> dict[str, Any]:
    """What a worker runs (executed on each worker by :func:`check_workers`)."""
    return {"biocore": __version__, "format": FORMAT_VERSION}


def check_workers(client: Any, *, expected: dict[str, Any] | None = None, timeout_s: float = 10.0) -> int:
    """Check every worker runs this biocore (version and sharded-gallery format); returns the worker count.

    Raises
    ------
    ClusterError
        No worker within ``timeout_s``, a worker cannot import biocore, or versions differ.
    """
    want = expected if expected is not None else worker_versions()
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (TimeoutError, OSError) as exc:
        raise ClusterError(f"scheduler {client.scheduler.address}: no worker joined within {timeout_s:g} s ({exc})") from None
    try:
        seen = client.run(worker_versions)
    except Exception as exc:  # noqa: BLE001 - whatever the workers failed on, say so as one error
        raise ClusterError(f"workers could not run biocore ({type(exc).__name__}: {exc}); install "
                           f"'{EXTRA}=={__version__}' on every worker") from None
    bad = {w: v for w, v in seen.items() if v != want}
    if bad:
        listing = ", ".join(f"{w}: biocore {v.get('biocore')} format {v.get('format')}" for w, v in sorted(bad.items()))
        raise ClusterError(f"workers run another biocore than this client (biocore {want['biocore']} format "
                           f"{want['format']}): {listing}; install the same version everywhere")
    return len(seen)


def connect(cluster: str | None = None, scheduler: str | None = None, *, timeout_s: float = 10.0,
            check: bool = True) -> Any:
    """A ``distributed.Client``: ``cluster="local:N"`` starts N local worker processes (one thread each);
    ``scheduler="tcp://HOST:PORT"`` connects to a running scheduler.

    The caller closes the client (and, for ``local:N``, ``client.cluster``). Progress of jobs shows
    in the Dask dashboard (``client.dashboard_link``) when bokeh is installed.

    Raises
    ------
    InvalidArgument
        Neither or both given, or a malformed spec.
    MissingDependency
        Dask distributed is not installed.
    ClusterError
        Unreachable scheduler, no workers, or mismatched biocore versions (within about ``timeout_s``).
    """
    if (cluster is None) == (scheduler is None):
        raise InvalidArgument("connect: expected exactly one of cluster='local:N' or scheduler='tcp://HOST:PORT'")
    distributed = require_dask()
    if cluster is not None:
        m = re.fullmatch(r"local:(\d+)", str(cluster))
        if not m or not 1 <= int(m.group(1)) <= 256:
            raise InvalidArgument(f"cluster: expected 'local:N' with N workers 1-256, got {cluster!r}")
        lc = distributed.LocalCluster(n_workers=int(m.group(1)), threads_per_worker=1, processes=True,
                                      dashboard_address=":0")
        client = distributed.Client(lc)
    else:
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise InvalidArgument(f"scheduler: expected an address like 'tcp://HOST:PORT', got {scheduler!r}")
        try:
            client = distributed.Client(scheduler, timeout=f"{timeout_s}s")
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"scheduler {scheduler} unreachable within {timeout_s:g} s ({exc})") from None
    if check:
        try:
            check_workers(client, timeout_s=timeout_s)
        except BaseException:
            close(client)
            raise
    return client


def close(client: Any) -> None:
    """Close a client from :func:`connect` and the local cluster it started, if any."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()
