"""Opt-in tracing of intermediate results.

Inside ``with biocore.trace() as t:`` every pipeline stage records its output under a stable,
documented name (for extraction: ``"mask"``, ``"orientation"``, ...). Outside such a block
:func:`active` is a single context-variable read and nothing is computed or copied, so tracing
costs nothing when off. Traces are per thread / per asyncio task (a :class:`contextvars.ContextVar`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Trace", "trace", "active", "record"]


class Trace:
    """Intermediate results recorded during a ``with biocore.trace()`` block.

    Behaves as a read-only mapping from stage name to value, in recording order. When the same
    name is recorded more than once (e.g. several images extracted in one block), ``t[name]`` is
    the latest value and ``t.all(name)`` returns every value in order.
    """

    def __init__(self, names: frozenset[str] | None = None) -> None:
        self._names = names
        self._values: dict[str, list[Any]] = {}

    def wants(self, name: str) -> bool:
        """True when this trace records ``name``."""
        return self._names is None or name in self._names

    def _add(self, name: str, value: Any) -> None:
        self._values.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[name][-1]
        except KeyError:
            raise KeyError(f"nothing was traced under {name!r}; traced names: {sorted(self._values)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._values)

    def all(self, name: str) -> list[Any]:
        """Every value recorded under ``name``, oldest first (empty list if none)."""
        return list(self._values.get(name, []))

    def __repr__(self) -> str:
        return f"Trace({', '.join(self._values)})"


_current: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("biocore_trace", default=None)


@contextlib.contextmanager
def trace(*names: str) -> Iterator[Trace]:
    """Record intermediate results of biocore calls made inside the block.

    Parameters
    ----------
    *names : str
        Restrict recording to these stage names; record everything when none are given.

    Examples
    --------
    >>> import biocore
    >>> with biocore.trace() as t:          # doctest: +SKIP
    ...     template = biocore.extract(image)
    >>> t["skeleton"].shape                  # doctest: +SKIP
    (388, 374)
    """
    t = Trace(frozenset(names) if names else None)
    token = _current.set(t)
    try:
        yield t
    finally:
        _current.reset(token)


def active(name: str | None = None) -> bool:
    """True when a trace is open (and, with ``name``, when it wants that name)."""
    t = _current.get()
    return t is not None and (name is None or t.wants(name))


def record(name: str, value: Any | Callable[[], Any]) -> None:
    """Record ``value`` under ``name`` if a trace wants it.

    Pass a zero-argument callable to defer an expensive computation (a copy, a rendering) until
    it is known to be wanted. Arrays are copied so later in-place stages cannot change them.
    """
    t = _current.get()
    if t is None or not t.wants(name):
        return
    if callable(value):
        value = value()
    copy = getattr(value, "copy", None)
    t._add(name, copy() if callable(copy) else value)
