"""Templates-only populations: minutiae sets for millions of fingers, without images.

For bulk work (filling a gallery with a million persons, timing 1:N search) images are too slow
and carry nothing a template does not. This model draws, per finger, a *master* minutiae set with
realistic statistics, and per encounter an *impression* of it with realistic capture noise:

* master: class at finger-dependent frequencies (as the image generator), silhouette, singular
  points; minutiae at a density of ``master_minutiae_per_mm2`` over the silhouette, denser near
  the cores; each minutia follows the zero-pole ridge orientation at its position (either sense),
  a share ``bifurcation_fraction`` of bifurcations;
* impression: contact region (partial prints), placement (rotation, translation), smooth elastic
  distortion growing away from the contact centre, missing minutiae, spurious ones, position and
  angle jitter, type flips; clipped to the image.

Work goes a block of ``block_persons`` persons at a time: per-finger parameters drawn with NumPy,
the per-minutia loops in two Numba kernels (flat arrays with per-template offsets), and
everything deterministic: person ``i``'s fingers depend only on
``(seed, i // block_persons)``, encounter ``e`` of a block on ``(seed, block, e)``, so the gallery
(encounter 0) and the probes (encounter 1) can be drawn independently and in any order.

Bulk interface: :func:`iter_batches` yields :class:`TemplateBatch` objects (packed arrays, the
fast path for a gallery's bulk enrolment); :func:`iter_templates` yields
``(person_id, finger, encounter, Template)`` tuples.

References
----------
R. Cappelli, D. Maio, D. Maltoni, "Synthetic fingerprint-database generation", ICPR 2002.
B. G. Sherlock, D. M. Monro, "A model for interpreting fingerprint topology", Pattern Recognition
26(7), 1993.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .._shared.validation import check_int
from ..errors import InvalidArgument
from ..templates.template import ANGLE_STEPS, Template
from . import _kernels
from .parameters import (
    CLASS_FREQUENCIES_BY_FINGER,
    DEFAULT_MASTER,
    DEFAULT_TEMPLATE_MODEL,
    MasterParameters,
    TemplateModelParameters,
)

__all__ = ["TemplateBatch", "MasterBatch", "master_batch", "impression_batch", "iter_batches", "iter_templates"]

_TAG = 0x7E4D
FINGERS_PER_PERSON = 10
_TWO_PI = 2.0 * np.pi
_ANGLE_STEP = _TWO_PI / ANGLE_STEPS


@dataclass(frozen=True)
class MasterBatch:
    """Master minutiae of the fingers of a block of persons, flat with offsets.

    Finger ``j`` (0-based within the block) is person ``first_person + j // 10``, finger position
    ``j % 10 + 1``; its minutiae are ``x[offsets[j]:offsets[j+1]]`` etc. (float64 canvas px).
    ``finger_class`` holds the index into ``FINGER_CLASSES`` per finger.
    """

    first_person: int
    finger_class: np.ndarray
    offsets: np.ndarray
    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    contact_centre: np.ndarray  # (fingers, 2) default contact centre, canvas px
    contact_axes: np.ndarray  # (fingers, 2) silhouette half axes (width, height), px
    cores: np.ndarray  # (fingers, 2, 2) (x, y) of up to two cores, NaN where absent
    deltas: np.ndarray  # (fingers, 2, 2) (x, y) of up to two deltas, NaN where absent


@dataclass(frozen=True)
class TemplateBatch:
    """Templates of one encounter of a block of persons: packed arrays, one row per template.

    Attributes
    ----------
    person : ndarray, shape (T,), int64
        True person id of each template.
    finger : ndarray, shape (T,), uint8
        ISO finger position 1-10.
    encounter : int
    offsets : ndarray, shape (T + 1,), int64
        Template ``t`` owns minutiae ``offsets[t]:offsets[t + 1]``.
    x, y : ndarray, shape (M,), int32
        Minutia positions in image px (within ``width`` x ``height``).
    angle : ndarray, shape (M,), float32
        Directions in [0, 2 pi), on the Template angle grid.
    kind, quality : ndarray, shape (M,), uint8
    image_quality : ndarray, shape (T,), uint8
    width, height, dpi : int
    """

    person: np.ndarray
    finger: np.ndarray
    encounter: int
    offsets: np.ndarray
    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    kind: np.ndarray
    quality: np.ndarray
    image_quality: np.ndarray
    width: int
    height: int
    dpi: int

    def __len__(self) -> int:
        return int(self.person.shape[0])

    def template(self, t: int) -> Template:
        """Template number ``t`` of the batch as a :class:`biocore.Template`."""
        a, b = int(self.offsets[t]), int(self.offsets[t + 1])
        return Template._trusted(
            self.x[a:b].copy(), self.y[a:b].copy(), self.angle[a:b].copy(), self.kind[a:b].copy(),
            self.quality[a:b].copy(), width=self.width, height=self.height, dpi=self.dpi,
            finger=int(self.finger[t]), image_quality=int(self.image_quality[t]),
        )

    def __iter__(self) -> Iterator[tuple[int, int, int, Template]]:
        """``(person_id, finger, encounter, Template)`` for every template of the batch."""
        for t in range(len(self)):
            yield int(self.person[t]), int(self.finger[t]), self.encounter, self.template(t)


def _block_rng(seed: int, block: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, block, stream, _TAG]))


def master_batch(
    seed: int, block: int, model: TemplateModelParameters = DEFAULT_TEMPLATE_MODEL, shape: MasterParameters = DEFAULT_MASTER
) -> MasterBatch:
    """Master minutiae for persons ``block * model.block_persons`` onward (one block)."""
    rng = _block_rng(seed, block, 0)
    n_fingers = model.block_persons * FINGERS_PER_PERSON
    position = np.tile(np.arange(1, 11), model.block_persons)

    # Class per finger at finger-dependent frequencies.
    table = np.array([CLASS_FREQUENCIES_BY_FINGER[p] for p in range(11)])
    cdf = np.cumsum(table, axis=1)
    cdf /= cdf[:, -1:]
    cls = (rng.random(n_fingers)[:, None] > cdf[position]).sum(axis=1)

    # Silhouette.
    cx0 = shape.canvas_width_px / 2.0 + rng.uniform(-5, 5, n_fingers)
    cy0 = shape.canvas_height_px * shape.centre_y_fraction + rng.uniform(-10, 10, n_fingers)
    half_w = rng.uniform(*shape.half_width_px, n_fingers)
    top = rng.uniform(*shape.top_half_height_px, n_fingers)
    bottom = rng.uniform(*shape.bottom_half_height_px, n_fingers)

    # Singular points: up to two cores and two deltas per finger, NaN where absent.
    ccx = cx0 + rng.uniform(-shape.core_x_jitter_px, shape.core_x_jitter_px, n_fingers)
    ccy = cy0 + rng.uniform(*shape.core_y_px, n_fingers)
    cores = np.full((n_fingers, 2, 2), np.nan)
    deltas = np.full((n_fingers, 2, 2), np.nan)
    (ldx_lo, ldx_hi), (ldy_lo, ldy_hi) = shape.loop_delta_offset_px
    ddx = rng.uniform(ldx_lo, ldx_hi, n_fingers)
    ddy = rng.uniform(ldy_lo, ldy_hi, n_fingers)
    single = (cls >= 1) & (cls <= 3)
    cores[single, 0] = np.stack([ccx, ccy], 1)[single]
    side = np.where(cls == 2, 1.0, -1.0)
    loop = (cls == 2) | (cls == 3)
    deltas[loop, 0] = np.stack([ccx + side * ddx, ccy + ddy], 1)[loop]
    tented = cls == 1
    deltas[tented, 0] = np.stack([ccx, ccy + rng.uniform(*shape.tented_delta_below_px, n_fingers)], 1)[tented]
    whorl = cls == 4
    gap = rng.uniform(*shape.whorl_core_gap_px, n_fingers) / 2.0
    tilt = rng.uniform(-0.9, 0.9, n_fingers)
    ux, uy = np.cos(tilt) * gap, np.sin(tilt) * gap
    cores[whorl, 0] = np.stack([ccx - ux, ccy - uy], 1)[whorl]
    cores[whorl, 1] = np.stack([ccx + ux, ccy + uy], 1)[whorl]
    (wdx_lo, wdx_hi), (wdy_lo, wdy_hi) = shape.whorl_delta_offset_px
    for k, sgn in enumerate((-1.0, 1.0)):
        wd = np.stack([ccx + sgn * rng.uniform(wdx_lo, wdx_hi, n_fingers), ccy + rng.uniform(wdy_lo, wdy_hi, n_fingers)], 1)
        deltas[whorl, k] = wd[whorl]

    # Minutiae count per finger: density x silhouette area.
    area_mm2 = np.pi * half_w * 0.5 * (top + bottom) * model.mm_per_px**2
    count = rng.poisson(model.master_minutiae_per_mm2 * area_mm2).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    x = np.empty(offsets[-1]); y = np.empty(offsets[-1]); angle = np.empty(offsets[-1])
    kind = np.empty(offsets[-1], np.uint8)
    _kernels.master_minutiae(
        int(rng.integers(0, 2**32)), cx0, cy0, half_w, top, bottom, ccx, ccy, cores, deltas, cls.astype(np.int64),
        count, float(model.core_density_boost), float(model.core_density_radius_px), float(model.bifurcation_fraction),
        float(model.master_angle_sigma_rad), float(np.mean(shape.arch_bump_height_px)),
        float(np.mean(shape.arch_bump_width_px)), x, y, angle, kind,
    )
    return MasterBatch(
        first_person=block * model.block_persons,
        finger_class=cls.astype(np.uint8),
        offsets=offsets,
        x=x, y=y, angle=angle, kind=kind,
        contact_centre=np.stack([cx0, cy0 - model.impression_params.contact_raise_fraction * top], 1),
        contact_axes=np.stack([half_w, 0.5 * (top + bottom)], 1),
        cores=cores,
        deltas=deltas,
    )


def impression_batch(
    masters: MasterBatch, seed: int, block: int, encounter: int, model: TemplateModelParameters = DEFAULT_TEMPLATE_MODEL
) -> TemplateBatch:
    """One encounter (capture) of every finger of a master block, with capture noise."""
    ip = model.impression_params
    rng = _block_rng(seed, block, 1 + encounter)
    n_t = masters.offsets.shape[0] - 1
    width, height = ip.image_width_px, ip.image_height_px

    # Per-template capture: contact region, placement, distortion, noise levels.
    tparams = np.empty((n_t, 14))
    scale = rng.uniform(*ip.contact_scale, n_t)
    tparams[:, 0] = masters.contact_centre[:, 0] + rng.uniform(-ip.contact_offset_px, ip.contact_offset_px, n_t)
    tparams[:, 1] = masters.contact_centre[:, 1] + rng.uniform(-ip.contact_offset_px, ip.contact_offset_px, n_t)
    tparams[:, 2] = masters.contact_axes[:, 0] * scale
    tparams[:, 3] = masters.contact_axes[:, 1] * scale
    tparams[:, 4] = rng.uniform(-ip.rotation_rad, ip.rotation_rad, n_t)
    tparams[:, 5] = width / 2.0 + rng.uniform(-ip.translation_px, ip.translation_px, n_t)
    tparams[:, 6] = height / 2.0 + rng.uniform(-ip.translation_px, ip.translation_px, n_t)
    tparams[:, 7:9] = rng.uniform(0, _TWO_PI, (n_t, 2))
    tparams[:, 9:11] = rng.uniform(0, _TWO_PI, (n_t, 2))
    tparams[:, 11] = model.distortion_amplitude_px * rng.random(n_t)
    tparams[:, 12] = rng.uniform(*model.missing_fraction, n_t)
    tparams[:, 13] = rng.uniform(*model.spurious_per_minutia, n_t)
    image_quality = rng.integers(model.image_quality[0], model.image_quality[1] + 1, n_t).astype(np.uint8)

    cap = int(masters.offsets[-1] * (1.0 + 2.0 * model.spurious_per_minutia[1])) + 32 * n_t
    x = np.empty(cap); y = np.empty(cap); angle = np.empty(cap)
    kind = np.empty(cap, np.uint8); quality = np.empty(cap, np.uint8)
    offsets = np.empty(n_t + 1, np.int64)
    n = _kernels.impression_minutiae(
        int(rng.integers(0, 2**32)), masters.offsets, masters.x, masters.y, masters.angle, masters.kind, tparams,
        float(width), float(height), float(model.distortion_wavelength_px), float(model.position_sigma_px),
        float(model.angle_sigma_rad), float(model.kind_flip_fraction),
        np.asarray(model.true_minutia_quality, np.int64), np.asarray(model.spurious_minutia_quality, np.int64),
        offsets, x, y, angle, kind, quality,
    )
    steps = np.rint(angle[:n] / _ANGLE_STEP).astype(np.int64) % ANGLE_STEPS
    persons = masters.first_person + np.arange(n_t) // FINGERS_PER_PERSON
    return TemplateBatch(
        person=persons.astype(np.int64),
        finger=(np.arange(n_t) % FINGERS_PER_PERSON + 1).astype(np.uint8),
        encounter=encounter,
        offsets=offsets,
        x=np.clip(np.rint(x[:n]), 0, width - 1).astype(np.int32),
        y=np.clip(np.rint(y[:n]), 0, height - 1).astype(np.int32),
        angle=(steps * _ANGLE_STEP).astype(np.float32),
        kind=kind[:n].copy(),
        quality=quality[:n].copy(),
        image_quality=image_quality,
        width=width,
        height=height,
        dpi=500,
    )


def iter_batches(
    persons: int,
    *,
    seed: int = 0,
    encounters: tuple[int, ...] | list[int] = (0,),
    model: TemplateModelParameters = DEFAULT_TEMPLATE_MODEL,
    workers: int = 1,
) -> Iterator[TemplateBatch]:
    """Templates of ``persons`` persons x 10 fingers, one :class:`TemplateBatch` per block and encounter.

    Parameters
    ----------
    persons : int
        Person ids ``0 .. persons - 1``.
    seed : int
        Population seed; equal seeds give identical populations.
    encounters : sequence of int
        Which captures to draw per person (0 = enrolment, 1 = a later re-enrolment, ...).
    model : TemplateModelParameters
    workers : int
        Threads generating blocks ahead (the kernels release the GIL); the output is identical
        for any number of workers.

    Yields
    ------
    TemplateBatch
        Blocks in person order; within a block, one batch per encounter in the given order.

    Examples
    --------
    >>> from biocore.synth import iter_batches
    >>> batch = next(iter_batches(3, seed=1))
    >>> len(batch), int(batch.person[-1]), int(batch.finger[-1])
    (30, 2, 10)
    """
    persons = check_int(persons, "persons", 0, 10**10)
    seed = check_int(seed, "seed", 0, 2**63 - 1)
    encounters = [check_int(e, "encounters[]", 0, 1000) for e in encounters]
    if not encounters:
        raise InvalidArgument("encounters: expected at least one encounter number, got none")
    workers = check_int(workers, "workers", 1, 256)
    bp = model.block_persons
    n_blocks = (persons + bp - 1) // bp

    def one_block(block: int) -> list[TemplateBatch]:
        masters = master_batch(seed, block, model)
        n_keep = min(bp, persons - block * bp) * FINGERS_PER_PERSON
        return [_head(impression_batch(masters, seed, block, e, model), n_keep) for e in encounters]

    if workers == 1:
        for block in range(n_blocks):
            yield from one_block(block)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    # A bounded window of blocks in flight keeps memory flat for any population size.
    with ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for block in range(n_blocks):
            pending.append(pool.submit(one_block, block))
            if len(pending) > workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _head(batch: TemplateBatch, n: int) -> TemplateBatch:
    if n >= len(batch):
        return batch
    end = int(batch.offsets[n])
    return TemplateBatch(
        batch.person[:n], batch.finger[:n], batch.encounter, batch.offsets[: n + 1], batch.x[:end], batch.y[:end],
        batch.angle[:end], batch.kind[:end], batch.quality[:end], batch.image_quality[:n],
        batch.width, batch.height, batch.dpi,
    )


def iter_templates(
    persons: int, *, seed: int = 0, encounters: tuple[int, ...] | list[int] = (0,),
    model: TemplateModelParameters = DEFAULT_TEMPLATE_MODEL, workers: int = 1,
) -> Iterator[tuple[int, int, int, Template]]:
    """``(person_id, finger, encounter, Template)`` for every template of :func:`iter_batches`."""
    for batch in iter_batches(persons, seed=seed, encounters=encounters, model=model, workers=workers):
        yield from batch
