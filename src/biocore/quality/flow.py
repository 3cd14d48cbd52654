"""Ridge flow features from the extractor's orientation coherence.

``orientation_coherence``: mean coherence over the foreground (1 = parallel ridges everywhere);
``incoherent_fraction``: share of foreground blocks whose coherence is below
``params.incoherent_block`` (smudges, scars, noise, motion).

References
----------
.. [1] A. M. Bazen and S. H. Gerez, "Systematic methods for the computation of the directional
   fields and singular points of fingerprints," IEEE TPAMI 24(7), 2002.
.. [2] ISO/IEC 29794-4:2017 (NFIQ 2 feature OCL, orientation certainty level).
"""

from __future__ import annotations

import numpy as np

from ._blocks import block_mean
from .parameters import QualityParameters

__all__ = ["flow_features"]


def flow_features(
    coherence: np.ndarray, cell_px: int, blocks: np.ndarray, params: QualityParameters
) -> dict[str, float]:
    """Coherence features.

    ``coherence`` is float32 on the extractor's orientation cells (``cell_px`` pixels, dividing
    ``params.block_px``), aligned with the foreground block mask ``blocks``.
    """
    if not blocks.any():
        return {"orientation_coherence": 0.0, "incoherent_fraction": 1.0}
    per_block = block_mean(coherence, max(1, params.block_px // cell_px))
    rows, cols = min(per_block.shape[0], blocks.shape[0]), min(per_block.shape[1], blocks.shape[1])
    values = per_block[:rows, :cols][blocks[:rows, :cols]]
    if values.size == 0:
        return {"orientation_coherence": 0.0, "incoherent_fraction": 1.0}
    return {
        "orientation_coherence": float(values.mean()),
        "incoherent_fraction": float(np.mean(values < params.incoherent_block)),
    }
