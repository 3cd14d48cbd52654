"""Fingerprint minutiae extraction: :func:`extract` turns a grey image into a :class:`~biocore.Template`.

The pipeline (:mod:`.pipeline`) reads like the recipe, one stage per module::

    resample to 500 ppi -> normalize -> orientation field + coherence -> segmentation -> ridge frequency
    -> Gabor-bank enhancement -> binarization -> thinning -> crossing-number detection
    -> false-minutiae removal -> minutia and image quality

Every tuned number lives in :mod:`.parameters`.

Tracing
-------
Inside ``with biocore.trace() as t:`` each call records, under these stable names (arrays are on
the internal 500 ppi grid, i.e. the input's own grid for images within 15% of 500 ppi; angles in
radians counter-clockwise on screen):

``"normalized"``    (H, W) float32, local mean removed, divided by local contrast; ridges positive
``"mask"``          (H, W) bool, foreground
``"orientation"``   (H, W) float32, ridge orientation in [0, pi)
``"reliability"``   (H, W) float32, orientation coherence in [0, 1]
``"frequency"``     (H, W) float32, ridge frequency in cycles per pixel
``"enhanced"``      (H, W) float32, Gabor-enhanced image; ridges positive
``"binary"``        (H, W) uint8, 1 on ridges
``"skeleton"``      (H, W) uint8, 1 on the one-pixel-wide ridge skeleton
``"minutiae_raw"``  Template, every crossing-number candidate (caller's grid), quality 0
``"minutiae"``      Template, the result

``"frequency"`` to ``"skeleton"`` are computed inside the bounding box of the mask only (outside it
the frequency is ``1 / default_period_px`` and the others 0). Blank images stop after ``"mask"``
(and record empty ``"minutiae_raw"`` / ``"minutiae"``). Minutiae come sorted left to right, then
top to bottom (the order NBIS bozorth3 scores best).
"""

from __future__ import annotations

from .parameters import DEFAULT_PARAMETERS, ExtractionParameters
from .pipeline import extract

__all__ = ["extract", "ExtractionParameters", "DEFAULT_PARAMETERS"]
