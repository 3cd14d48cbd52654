"""Fit the frozen whitening transform of the search codes on a synthetic reference population.

    python benchmarks/fit_code_whitening.py            # writes src/biocore/search/code_whitening.npz

Run once; the file is committed. Changing it changes every code: existing galleries then refuse to
open (their stored code id no longer matches) and must be re-enrolled.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from biocore.search.codes import codes_from_packed, fit_whitening
from biocore.synth.templates_only import iter_batches


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1000, help="reference persons (x 10 fingers)")
    ap.add_argument("--seed", type=int, default=20261123, help="population seed (not used by any benchmark)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "src/biocore/search/code_whitening.npz"))
    args = ap.parse_args()
    raw = []
    for b in iter_batches(args.persons, seed=args.seed, encounters=(0,)):
        scale = np.full(len(b), 500.0 / b.dpi, np.float32)
        raw.append(codes_from_packed(b.x, b.y, b.angle, b.offsets, scale, whiten=False))
    mean, projection = fit_whitening(np.concatenate(raw))
    np.savez(args.out, mean=mean, projection=projection)
    print(f"fitted on {sum(len(r) for r in raw)} fingers -> {args.out}")


if __name__ == "__main__":
    main()
