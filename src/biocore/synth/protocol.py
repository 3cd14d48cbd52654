"""The FVC acquisition protocol: eight impressions of a finger with prescribed variations.

In the Fingerprint Verification Competitions the volunteers were asked, impression by impression,
for the variations a live capture meets: impressions 1-2 with no instruction, 3-4 with the finger
displaced, 5-6 rotated, 7-8 with the skin dried and moistened. A synthetic set built the same way
(:func:`fvc_impression` for impression 0-7 of each master) has a realistic, steady share of hard
genuine pairs in every finger, so its error rates vary between sets about as little as the
number of fingers allows instead of depending on which fingers happened to draw easy captures.

References
----------
D. Maio, D. Maltoni, R. Cappelli, J. L. Wayman, A. K. Jain, "FVC2002: Second Fingerprint
Verification Competition", ICPR 2002 (acquisition protocol).
"""

from __future__ import annotations

from dataclasses import replace

from .._shared.validation import check_int
from .impressions import Impression, make_impression
from .masters import Master
from .parameters import DEFAULT_IMPRESSION, DEFAULT_PROTOCOL, ImpressionParameters, ProtocolParameters

__all__ = ["FVC_IMPRESSIONS", "fvc_impression"]

#: What each of the eight impressions of a finger is asked for.
FVC_IMPRESSIONS: tuple[str, ...] = ("plain", "plain", "displaced", "displaced", "rotated", "rotated", "dry", "wet")


def fvc_impression(
    master: Master,
    index: int,
    *,
    seed: int = 0,
    params: ImpressionParameters = DEFAULT_IMPRESSION,
    protocol: ProtocolParameters = DEFAULT_PROTOCOL,
) -> Impression:
    """Impression ``index`` (0-7) of ``master`` under the FVC protocol (see :data:`FVC_IMPRESSIONS`).

    Parameters
    ----------
    master : Master
    index : int
        0-7; the variation asked for is ``FVC_IMPRESSIONS[index]``.
    seed : int
        Set seed: the impression is drawn from ``(seed, index)``.
    params : ImpressionParameters
        The plain capture; the protocol changes placement or skin from there.
    protocol : ProtocolParameters

    Returns
    -------
    Impression
    """
    index = check_int(index, "index", 0, len(FVC_IMPRESSIONS) - 1)
    seed = check_int(seed, "seed", 0, 2**40)
    variation = FVC_IMPRESSIONS[index]
    skin: float | None = None
    if variation == "plain":
        params = replace(params, ridge_level=protocol.plain_ridge_level)
    elif variation == "displaced":
        params = replace(
            params, contact_offset_px=protocol.displaced_contact_offset_px, translation_px=protocol.displaced_translation_px,
            ridge_level=protocol.plain_ridge_level,
        )
    elif variation == "rotated":
        params = replace(
            params, rotation_min_rad=protocol.rotated_min_rad, rotation_rad=protocol.rotated_max_rad,
            ridge_level=protocol.plain_ridge_level,
        )
    else:
        skin = protocol.dry_ridge_level if variation == "dry" else protocol.wet_ridge_level
    return make_impression(master, (seed << 3) | index, skin=skin, params=params)
