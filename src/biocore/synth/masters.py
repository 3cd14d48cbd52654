"""The master fingerprint: the recipe from a seed to a ridge pattern with ground-truth minutiae.

A master is the finger itself, independent of any capture: its silhouette, class, singular
points, orientation and period maps, the ridge pattern (float field, ridges positive) and the
minutiae read off it. Impressions (:mod:`.impressions`) are captures of a master.

Masters are deterministic functions of ``(seed, finger, finger_class, params)`` and cached in
memory, the last 32 (a master takes a few tenths of a second and ~2 MB; an impression takes
milliseconds).

Traced stages (``with biocore.trace() as t``, on a cache miss): ``synth.master.orientation``,
``synth.master.period``, ``synth.master.mask``, ``synth.master.ridges``, ``synth.master.skeleton``;
impressions add ``synth.impression.presence`` and ``synth.impression.ink``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .._shared import tracing
from .._shared.validation import check_choice, check_int
from ..templates import Template
from . import density, groundtruth, master, orientation, silhouette, singularities
from .groundtruth import GroundTruth
from .parameters import DEFAULT_MASTER, FINGER_CLASSES, MasterParameters
from .silhouette import Silhouette
from .singularities import SingularPoints

__all__ = ["Master", "make_master"]


@dataclass(frozen=True, eq=False)
class Master:
    """A synthetic finger at 500 dpi on a canvas of ``params.canvas_*_px``.

    Attributes
    ----------
    ridges : ndarray, shape (H, W), float32
        Ridge field in [-1, 1], ridges positive, 0 outside the silhouette.
    mask : ndarray, shape (H, W), bool
        The silhouette.
    orientation : ndarray, shape (H, W), float32
        Ridge orientation in [0, pi).
    period : ndarray, shape (H, W), float32
        Ridge period in px.
    minutiae : GroundTruth
        Ground-truth minutiae in canvas px (float), ISO/ANSI directions.
    silhouette, singular_points, finger_class, finger, seed
        What the master was drawn from.
    """

    ridges: np.ndarray
    mask: np.ndarray
    orientation: np.ndarray
    period: np.ndarray
    minutiae: GroundTruth
    silhouette: Silhouette
    singular_points: SingularPoints
    finger_class: str
    finger: int
    seed: int

    def template(self) -> Template:
        """The ground truth as a :class:`biocore.Template` on the master canvas (quality 100)."""
        h, w = self.ridges.shape
        m = self.minutiae
        return Template(
            np.clip(np.rint(m.x), 0, w - 1).astype(np.int32),
            np.clip(np.rint(m.y), 0, h - 1).astype(np.int32),
            m.angle,
            m.kind,
            np.full(len(m), 100, np.uint8),
            width=w,
            height=h,
            dpi=500,
            finger=self.finger,
            image_quality=100,
        )

    def image(self) -> np.ndarray:
        """The master as a clean uint8 image (dark ridges on white), for looking at."""
        return np.clip(255.0 - 255.0 * np.clip(self.ridges, 0.0, 1.0) ** 0.7, 0, 255).astype(np.uint8)


def make_master(
    seed: int, *, finger: int = 0, finger_class: str | None = None, params: MasterParameters = DEFAULT_MASTER
) -> Master:
    """Generate a master fingerprint, deterministically from ``seed``.

    Parameters
    ----------
    seed : int
        Any non-negative integer; equal seeds give identical masters.
    finger : int
        ISO finger position 0-10 (0 unknown); sets the class frequencies when ``finger_class`` is None.
    finger_class : str, optional
        One of ``FINGER_CLASSES``; drawn at realistic frequencies when None.
    params : MasterParameters

    Examples
    --------
    >>> m = make_master(7, finger=2)            # doctest: +SKIP
    >>> m.finger_class, len(m.minutiae)         # doctest: +SKIP
    ('right_loop', 71)
    """
    seed = check_int(seed, "seed", 0, 2**63 - 1)
    finger = check_int(finger, "finger", 0, 10)
    if finger_class is not None:
        check_choice(finger_class, "finger_class", FINGER_CLASSES)
    return _make_master_cached(seed, finger, finger_class, params)


@functools.lru_cache(maxsize=32)
def _make_master_cached(seed: int, finger: int, finger_class: str | None, params: MasterParameters) -> Master:
    rng = np.random.default_rng(np.random.SeedSequence([seed, finger, 0x5F1]))
    w, h = params.canvas_width_px, params.canvas_height_px
    cls = finger_class or singularities.sample_class(rng, finger)
    shape = silhouette.sample_silhouette(rng, params)
    points = singularities.sample_singularities(rng, cls, shape, params)
    theta = orientation.orientation_field(points, w, h)
    period = density.period_map(rng, points, w, h, params)
    mask = silhouette.silhouette_mask(shape, w, h)
    ridges = master.grow_ridges(rng, theta, period, mask, params)
    minutiae, skeleton = groundtruth.detect_minutiae(ridges, mask, params, theta)
    for name, value in (("orientation", theta), ("period", period), ("mask", mask), ("ridges", ridges), ("skeleton", skeleton)):
        tracing.record(f"synth.master.{name}", value)
    for arr in (ridges, mask, theta, period):
        arr.flags.writeable = False
    return Master(ridges, mask, theta, period, minutiae, shape, points, cls, finger, seed)
