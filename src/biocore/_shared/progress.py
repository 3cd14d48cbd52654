"""Progress reporting for long jobs: a tqdm bar when tqdm is installed, else one plain line a step."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Counts finished units of a job (``done`` of ``total``) on standard error.

    Parameters
    ----------
    total, done : int
        Units in the job and units already finished (a resumed job starts part-way).
    enabled : bool
        False prints nothing.
    unit, desc : str
        Shown in the bar or line, e.g. ``"batch"`` and ``"dedup"``.
    """

    def __init__(self, total: int, done: int = 0, *, enabled: bool = True, unit: str = "batch", desc: str = "") -> None:
        self.total, self.done, self.enabled, self.unit, self.desc = total, done, enabled, unit, desc
        self.started = time.monotonic()
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=total, initial=done, unit=unit, desc=desc, file=sys.stderr)

    def step(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.enabled:
            elapsed = time.monotonic() - self.started
            print(f"{self.desc}: {self.unit} {self.done}/{self.total} ({elapsed:.1f} s)", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
