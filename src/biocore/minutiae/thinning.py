"""Stage 7: thinning of the binary ridges to one-pixel-wide skeletons.

Guo and Hall's two-subiteration parallel algorithm (the one ``skimage.morphology.thin`` implements),
run bit-parallel: each image row is packed into 64-bit words and the deletion rule is evaluated as
Boolean algebra on whole words, 64 pixels per step, skipping rows whose neighbourhood did not change.

References
----------
.. [1] Z. Guo and R. W. Hall, "Parallel thinning with two-subiteration algorithms,"
   Comm. ACM 32(3), 1989.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["thin"]

_WORD_BITS = 64


def thin(binary: np.ndarray) -> np.ndarray:
    """Skeleton of a binary ridge image.

    Parameters
    ----------
    binary : ndarray, shape (H, W), uint8 or bool
        Nonzero is ridge.

    Returns
    -------
    skeleton : ndarray, shape (H, W), uint8
        1 on the skeleton. Pixels outside the image count as background.

    Examples
    --------
    >>> import numpy as np
    >>> bar = np.zeros((7, 12), np.uint8)
    >>> bar[2:5, 2:10] = 1
    >>> int(thin(bar)[2:5].sum(axis=0).max())
    1
    """
    rows, cols = binary.shape
    # Bit c % 64 of word 1 + c // 64 is column c; one zero word left and right and one zero row
    # above and below stand for the background outside the image.
    words = np.zeros((rows + 2, (cols + _WORD_BITS - 1) // _WORD_BITS + 2), dtype=np.uint64)
    packed = np.packbits(binary != 0, axis=1, bitorder="little")
    inner = words.view(np.uint8)[1:-1, 8 : 8 + packed.shape[1]]  # little-endian words: byte k holds bits 8k..8k+7
    inner[...] = packed
    _thin_words(words)
    return np.unpackbits(inner, axis=1, count=cols, bitorder="little")


@numba.njit(nogil=True, cache=True)
def _thin_words(words):  # pragma: no cover - compiled
    """Thin ``words`` (uint64 rows of packed pixels, zero border words and rows) in place.

    Neighbours are named as in [1]: x1..x8 counter-clockwise from east on screen
    (E, NE, N, NW, W, SW, S, SE). Bit ``b`` of a word is the pixel left of bit ``b + 1``.
    """
    rows, width = words.shape
    one = np.uint64(1)
    last = np.uint64(63)
    doomed = np.zeros((rows, width), np.uint64)
    # A row's verdicts under a subiteration's rule only change when rows r-1..r+1 do: the last
    # subiteration that deleted a pixel in each row lets us skip rows unchanged since their last check.
    changed = np.full(rows, -3, np.int64)
    sub = 0
    idle = 0
    while idle < 2:  # two quiet subiterations in a row: both rules are satisfied
        first = sub % 2 == 0
        deleted = False
        for r in range(1, rows - 1):
            if sub >= 2 and max(changed[r - 1], changed[r], changed[r + 1]) < sub - 2:
                continue
            for w in range(1, width - 1):
                centre = words[r, w]
                if centre == 0:
                    continue
                above = words[r - 1, w]
                below = words[r + 1, w]
                x1 = (centre >> one) | (words[r, w + 1] << last)
                x2 = (above >> one) | (words[r - 1, w + 1] << last)
                x3 = above
                x4 = (above << one) | (words[r - 1, w - 1] >> last)
                x5 = (centre << one) | (words[r, w - 1] >> last)
                x6 = (below << one) | (words[r + 1, w - 1] >> last)
                x7 = below
                x8 = (below >> one) | (words[r + 1, w + 1] << last)
                # G1: exactly one of the four crossing terms (one 8-connected run of neighbours).
                c1 = ~x1 & (x2 | x3)
                c2 = ~x3 & (x4 | x5)
                c3 = ~x5 & (x6 | x7)
                c4 = ~x7 & (x8 | x1)
                c12 = c1 | c2
                c34 = c3 | c4
                g1 = (c12 | c34) & ~((c1 & c2) | (c3 & c4) | (c12 & c34))
                # G2: 2 <= min(N1, N2) <= 3, each N a count of four OR-ed neighbour pairs.
                a1, b1, d1, e1 = x1 | x2, x3 | x4, x5 | x6, x7 | x8
                a2, b2, d2, e2 = x2 | x3, x4 | x5, x6 | x7, x8 | x1
                n1_two = (a1 & b1) | (d1 & e1) | ((a1 | b1) & (d1 | e1))
                n2_two = (a2 & b2) | (d2 & e2) | ((a2 | b2) & (d2 | e2))
                both_four = a1 & b1 & d1 & e1 & a2 & b2 & d2 & e2
                g2 = n1_two & n2_two & ~both_four
                # G3 / G3': peel the south-east / north-west boundary in alternation.
                if first:
                    g3 = ~((x2 | x3 | ~x8) & x1)
                else:
                    g3 = ~((x6 | x7 | ~x4) & x5)
                verdict = centre & g1 & g2 & g3
                doomed[r, w] = verdict
                deleted |= verdict != 0
        if not deleted:
            idle += 1
        else:
            idle = 0
            # Parallel algorithm: every verdict above saw the image before this subiteration.
            for r in range(1, rows - 1):
                for w in range(1, width - 1):
                    verdict = doomed[r, w]
                    if verdict != 0:
                        words[r, w] &= ~verdict
                        doomed[r, w] = 0
                        changed[r] = sub
        sub += 1
