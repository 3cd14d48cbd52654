"""An impression: one capture of a master, with its ground truth carried along exactly.

The recipe, one stage per line in :func:`make_impression`: choose the contact region (which
part of the finger touches; partial prints when it is off-centre), place the finger on the
sensor with plastic distortion (:mod:`.distortion`), carry the ridge field onto the image grid
through the inverse map, apply skin condition and pressure (:mod:`.skin`), render through the
sensor (:mod:`.sensor`), and carry the master's minutiae through the forward map, keeping those
inside the image and the contact region.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .._shared import tracing
from .._shared.validation import check_int
from ..errors import InvalidArgument
from ..templates import Template
from . import sensor
from .skin import ink as apply_skin
from ._noise import smooth_noise
from .distortion import Placement, sample_placement
from .groundtruth import GroundTruth
from .masters import Master
from .parameters import DEFAULT_IMPRESSION, ImpressionParameters
from .silhouette import silhouette_distance

__all__ = ["Impression", "make_impression", "SKIN_CONDITIONS"]

#: Named skin conditions and the ridge level each stands for (see :mod:`.skin`).
SKIN_CONDITIONS: dict[str, float] = {"wet": -0.28, "normal": 0.0, "dry": 0.28}


@dataclass(frozen=True, eq=False)
class Impression:
    """One synthetic capture.

    Attributes
    ----------
    image : ndarray, shape (H, W), uint8
        The fingerprint image, dark ridges on a light background.
    minutiae : GroundTruth
        Ground-truth minutiae in image px (float, exact images of the master's minutiae).
    template : Template
        The same ground truth as a :class:`biocore.Template` (whole pixels, minutia quality 100,
        ``image_quality`` the image's :func:`biocore.finger_quality` score).
    placement : Placement
        The master-to-image mapping (``placement.forward`` / ``placement.inverse``).
    presence : ndarray, shape (H, W), float32
        Contact: 1 where the finger touched, 0 where it did not.
    skin_level : float
        The skin condition drawn (< 0 wet, > 0 dry).
    dpi : int
    """

    image: np.ndarray
    minutiae: GroundTruth
    template: Template
    placement: Placement
    presence: np.ndarray
    skin_level: float
    dpi: int


def make_impression(
    master: Master,
    seed: int,
    *,
    dpi: int = 500,
    skin: str | float | None = None,
    params: ImpressionParameters = DEFAULT_IMPRESSION,
) -> Impression:
    """Capture ``master`` once, deterministically from ``seed``.

    Parameters
    ----------
    master : Master
        From :func:`biocore.synth.make_master`.
    seed : int
        Equal seeds (with the same master) give identical impressions.
    dpi : int
        Sensor resolution, 250-1000; the image is ``params.image_*_px * dpi / 500`` px.
    skin : {"wet", "normal", "dry"} or float, optional
        Skin condition; a float is the ridge level in [-0.5, 0.5]; drawn at random when None.
    params : ImpressionParameters

    Returns
    -------
    Impression

    Examples
    --------
    >>> from biocore.synth import make_master, make_impression     # doctest: +SKIP
    >>> imp = make_impression(make_master(1), seed=3)                 # doctest: +SKIP
    >>> imp.image.shape, imp.template                                 # doctest: +SKIP
    """
    if not isinstance(master, Master):
        raise InvalidArgument(f"master: expected a biocore.synth.Master, got {type(master).__name__}")
    seed = check_int(seed, "seed", 0, 2**63 - 1)
    dpi = check_int(dpi, "dpi", 250, 1000)
    level = _skin_level(skin)
    rng = np.random.default_rng(np.random.SeedSequence([seed, master.seed, master.finger, 0x1A9]))
    width = int(round(params.image_width_px * dpi / 500.0))
    height = int(round(params.image_height_px * dpi / 500.0))
    if level is None:
        level = float(rng.uniform(*params.ridge_level))

    contact = _sample_contact(rng, master, params)
    placement = sample_placement(rng, contact[0], contact[1], width, height, dpi, params)
    map_x, map_y = _inverse_maps(placement, width, height)
    ridges = cv2.remap(master.ridges, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    presence = _presence(rng, master, contact, map_x, map_y, params)
    ink = apply_skin(rng, ridges, presence, level, params)
    image = sensor.capture(rng, ink, params)
    truth = _carry_minutiae(master.minutiae, placement, presence, width, height)
    tracing.record("synth.impression.presence", presence)
    tracing.record("synth.impression.ink", ink)
    template = _template(truth, width, height, dpi, master.finger, _image_quality(image, dpi))
    image.flags.writeable = False
    return Impression(image, truth, template, placement, presence, level, dpi)


def _skin_level(skin: str | float | None) -> float | None:
    if skin is None:
        return None
    if isinstance(skin, str):
        if skin not in SKIN_CONDITIONS:
            raise InvalidArgument(f"skin: expected one of {sorted(SKIN_CONDITIONS)} or a float, got {skin!r}")
        return SKIN_CONDITIONS[skin]
    if isinstance(skin, (int, float)) and not isinstance(skin, bool) and -0.5 <= float(skin) <= 0.5:
        return float(skin)
    raise InvalidArgument(f"skin: expected 'wet', 'normal', 'dry' or a float in [-0.5, 0.5], got {skin!r}")


def _sample_contact(rng: np.random.Generator, master: Master, params) -> tuple[float, float, float, float]:
    """Contact ellipse (centre x, centre y, half width, half height) in master px."""
    s = master.silhouette
    scale = rng.uniform(*params.contact_scale)
    off = params.contact_offset_px
    cx = s.centre_x + rng.uniform(-off, off)
    cy = s.centre_y - params.contact_raise_fraction * s.top + rng.uniform(-off, off)
    return cx, cy, scale * 0.5 * (s.left + s.right), scale * 0.5 * (s.top + s.bottom)


def _inverse_maps(placement: Placement, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    # The map is smooth: solve it on a coarse grid and interpolate (error far below a pixel).
    step = 4
    gy, gx = np.mgrid[0 : height + step : step, 0 : width + step : step].astype(np.float64)
    mx, my = placement.inverse(gx, gy)
    fx = cv2.resize(mx.astype(np.float32), (gx.shape[1] * step, gx.shape[0] * step), interpolation=cv2.INTER_LINEAR)
    fy = cv2.resize(my.astype(np.float32), (gx.shape[1] * step, gx.shape[0] * step), interpolation=cv2.INTER_LINEAR)
    # cv2.resize aligns pixel centres; shift so that grid node k lands on full-res pixel k * step.
    shift = (step - 1) / 2.0
    cols = np.arange(width, dtype=np.float32) + shift
    rows = np.arange(height, dtype=np.float32) + shift
    map_x = cv2.remap(fx, *np.meshgrid(cols, rows), cv2.INTER_LINEAR)
    map_y = cv2.remap(fy, *np.meshgrid(cols, rows), cv2.INTER_LINEAR)
    return map_x, map_y


def _presence(rng, master: Master, contact, map_x, map_y, params) -> np.ndarray:
    """1 inside both the silhouette and the (ragged) contact ellipse, fading over ``edge_fade_px``."""
    cx, cy, ax, ay = contact
    r_sil = silhouette_distance(master.silhouette, map_x, map_y)
    r_con = np.sqrt(((map_x - cx) / ax) ** 2 + ((map_y - cy) / ay) ** 2)
    h, w = map_x.shape
    r_con = r_con + params.contact_edge_roughness * smooth_noise(rng, h, w, params.contact_edge_roughness_scale_px)
    edge_px = np.minimum((1.0 - r_sil) * 0.5 * (ax + ay), (1.0 - r_con) * 0.5 * (ax + ay))
    return np.clip(edge_px / params.edge_fade_px, 0.0, 1.0).astype(np.float32)


def _carry_minutiae(gt: GroundTruth, placement: Placement, presence: np.ndarray, width: int, height: int) -> GroundTruth:
    x, y = placement.forward(gt.x, gt.y)
    angle = placement.forward_angle(gt.x, gt.y, gt.angle)
    inside = (x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)
    keep = np.zeros(len(gt), dtype=bool)
    xi = np.clip(np.rint(x), 0, width - 1).astype(int)
    yi = np.clip(np.rint(y), 0, height - 1).astype(int)
    keep[inside] = presence[yi[inside], xi[inside]] >= 0.5
    return GroundTruth(x[keep], y[keep], angle[keep], gt.kind[keep])


def _image_quality(image: np.ndarray, dpi: int) -> int:
    """The capture's biocore.finger_quality score (what extraction would store with its template)."""
    from ..quality import finger_quality  # here: quality builds on the extractor, which synth does not need

    return finger_quality(image, dpi=dpi).score


def _template(gt: GroundTruth, width: int, height: int, dpi: int, finger: int, image_quality: int) -> Template:
    return Template(
        np.clip(np.rint(gt.x), 0, width - 1).astype(np.int32),
        np.clip(np.rint(gt.y), 0, height - 1).astype(np.int32),
        gt.angle,
        gt.kind,
        np.full(len(gt), 100, np.uint8),
        width=width,
        height=height,
        dpi=dpi,
        finger=finger,
        image_quality=image_quality,
    )
