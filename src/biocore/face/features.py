"""Eyes, mouth and accessories on the aligned face chip (image analysis; no learned classifier).

Each value is measured in fixed windows around the landmark positions of the chip, relative to the
face's own skin, so lighting and skin tone cancel. These are heuristics: they catch the clear cases
(eyes shut, an eye or the mouth covered, an open mouth, a toothy smile, a heavy frame) and are
reported as such in the docs.
"""

from __future__ import annotations

import numpy as np

from .chip import Chip

__all__ = ["feature_measures"]

_EYE_HALF_W, _EYE_HALF_H = 0.30, 0.22  # eye window half-size, IED
_MOUTH_HALF_W, _MOUTH_HALF_H = 0.45, 0.30  # mouth window half-size, IED
_SKIN = (-0.55, 0.35, 0.55, 0.75)  # cheeks and nose, below the eyes


def feature_measures(chip: Chip) -> dict[str, float]:
    """Eye and mouth state.

    - ``eyes_open``: for each eye, the height in IED of the rows in the middle of the eye window
      where a third of the pixels are not eyelid skin (luma 30 % off the cheek median, or
      colourless where the cheeks have colour: iris, pupil, sclera); the smaller of the two. An open
      adult eye shows ~0.15-0.3 IED of eyeball; a closed one only the lash line.
    - ``eyes_visible``: for each eye, the luma standard deviation in the eye's core (+-0.2 x +-0.1
      IED, sclera and iris) over that of the whole face; the smaller of the two. A hand, hair or a
      patch flattens it.
    - ``mouth_open``: height in IED of the rows of the mouth window's middle where a third of the
      pixels are either dark (mouth cavity) or teeth (bright and colourless).
    - ``mouth_visible``: luma standard deviation across the lips (+-0.3 x +-0.15 IED about the lip
      line) over that of the whole face.
    - ``smile``: fraction of the mouth window that is teeth (brighter than the skin median with
      under half its CIELAB chroma, or far brighter than the skin); a neutral closed mouth shows none.
    - ``glasses``: mean vertical gradient on the nose bridge between the eyes over the mean on
      the cheeks; a frame bridge is a sharp horizontal edge there.
    """
    d = chip.ied
    face_std = max(float(chip.luma[chip.rect(-0.85, -0.45, 0.85, 1.45)].std()), 1.0)
    skin = chip.luma[chip.rect(*_SKIN)]
    skin_med = float(np.median(skin))
    skin_chroma = float(
        np.median(np.hypot(*np.moveaxis(chip.lab[chip.rect(*_SKIN)][..., 1:], -1, 0)))
    )

    chroma = np.hypot(chip.lab[..., 1], chip.lab[..., 2])
    openness, visibility = [], []
    for dx in (-0.5, 0.5):
        rows, cols = chip.rect(
            dx - _EYE_HALF_W / 2, -_EYE_HALF_H, dx + _EYE_HALF_W / 2, _EYE_HALF_H
        )
        lum, chr_ = chip.luma[rows, cols], chroma[rows, cols]
        # Not eyelid skin: much darker or brighter than the cheeks (iris, pupil, sclera on dark
        # skin), or colourless where the skin has colour (sclera on light skin).
        not_skin = np.abs(lum - skin_med) > 0.3 * skin_med
        if skin_chroma > 5.0:
            not_skin |= chr_ < 0.45 * skin_chroma
        openness.append(float(np.count_nonzero(not_skin.mean(axis=1) > 0.3)) / d)
        core = chip.luma[chip.rect(dx - 0.2, -0.1, dx + 0.2, 0.1)]
        visibility.append(float(core.std()) / face_std)

    mouth_dy = (chip.mouth_row - chip.eye_row) / d
    rows, cols = chip.rect(
        -_MOUTH_HALF_W, mouth_dy - _MOUTH_HALF_H, _MOUTH_HALF_W, mouth_dy + _MOUTH_HALF_H
    )
    mouth = chip.luma[rows, cols]
    mouth_chroma = np.hypot(chip.lab[rows, cols, 1], chip.lab[rows, cols, 2])
    teeth = ((mouth > skin_med) & (mouth_chroma < 0.5 * skin_chroma)) | (
        mouth > 1.6 * skin_med + 10
    )
    cavity = mouth < 0.45 * skin_med
    third = mouth.shape[1] // 3
    centre = (teeth | cavity)[:, third : 2 * third]
    lips = chip.luma[chip.rect(-0.3, mouth_dy - 0.15, 0.3, mouth_dy + 0.15)]

    gy = np.abs(np.diff(chip.luma, axis=0))
    bridge = float(gy[chip.rect(-0.12, -0.25, 0.12, 0.15)].mean())
    cheeks = float(gy[chip.rect(-0.6, 0.35, 0.6, 0.6)].mean())
    return {
        "eyes_open": min(openness),
        "eyes_visible": min(visibility),
        "mouth_open": float(np.count_nonzero(centre.mean(axis=1) > 0.33)) / d,
        "mouth_visible": float(lips.std()) / face_std,
        "smile": float(teeth.mean()) if skin_chroma > 3.0 else 0.0,
        "glasses": bridge / max(cheeks, 0.5),
    }
