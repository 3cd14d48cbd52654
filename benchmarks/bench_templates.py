"""Template codecs: bulk decode rate of the compact format, per-record codec rates, NBIS interop.

Prints
  1. bulk decode of back-to-back ``biocore`` records from one buffer into PackedTemplates
     (``biocore.templates.decode_packed``): templates/s and MB/s, median of ``--repeat`` runs, for 1
     thread and all threads; the per-record Python decoder for comparison;
  2. per-record encode and decode rates of every standard format;
  3. interop with NBIS (nbis-python 0.1.8, skipped when not installed): biocore-encoded ISO/IEC
     19794-2:2005 records loaded with ``NbisExtractor.load_iso_19794_2_2005`` (as written, and in the
     layout that binding reads), minutia agreement, and bozorth3 scores on the FingerJetFX
     templates of ../shared/data (genuine = same finger on the 'a' and 'b' cards of a subject);
     and whether records NBIS writes decode here;
  4. FingerJetFX / NIST / SourceAFIS vectors decoded here, and scored with ``biocore.match`` when the
     matcher exists.

Usage::

    python benchmarks/bench_templates.py [--templates 1000000] [--repeat 7] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import struct
import time
from pathlib import Path

import numpy as np

import biocore
from biocore.errors import BiocoreError

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def random_templates(n: int, rng: np.random.Generator, mean_minutiae: int = 40) -> list[biocore.Template]:
    out = []
    for i in range(n):
        k = int(rng.integers(mean_minutiae // 2, mean_minutiae * 3 // 2 + 1))
        out.append(biocore.Template(
            x=rng.integers(0, 500, k), y=rng.integers(0, 500, k), angle=rng.uniform(0, 2 * np.pi, k),
            kind=rng.integers(1, 3, k), quality=rng.integers(0, 101, k), width=500, height=500, dpi=500,
            finger=i % 11, image_quality=int(rng.integers(0, 101)),
        ))
    return out


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def bench_bulk(n_templates: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    distinct = random_templates(10_000, rng)
    unit = biocore.templates.encode(distinct, "biocore")
    copies = max(1, n_templates // len(distinct))
    data = unit * copies  # records are independent: a tiled gallery decodes like a fresh one
    n = len(distinct) * copies
    print(f"[bulk] {n:,} biocore records, {len(data) / 1e6:.0f} MB, mean {np.mean([len(t) for t in distinct]):.1f} minutiae")
    packed = biocore.templates.decode_packed(data)
    assert len(packed) == n and packed[12_345 % n] == distinct[12_345 % len(distinct)]
    for threads, label in ((1, "1 thread"), (0, f"all threads ({biocore._native._core.hardware_threads()})")):
        t = median_time(lambda: biocore.templates.decode_packed(data, threads=threads), repeat)
        print(f"  decode_packed, {label:18s}: {n / t:12,.0f} templates/s  {len(data) / t / 1e6:7.0f} MB/s  ({t * 1000:.0f} ms, median of {repeat})")
    records = [t.to_bytes() for t in distinct[:2000]]
    t = median_time(lambda: [biocore.Template.from_bytes(r) for r in records], 3)
    print(f"  per-record Template.from_bytes (Python): {len(records) / t:,.0f} templates/s")
    print(f"  load while measuring: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())} (1/5/15 min) on "
          f"{__import__('os').cpu_count()} cores")


def bench_formats(repeat: int) -> None:
    rng = np.random.default_rng(1)
    ts = random_templates(2000, rng)
    print("[formats] per-record encode / decode, 2,000 single-view records of ~40 minutiae")
    for fmt in biocore.templates.formats():
        records = [biocore.templates.encode(t, fmt) for t in ts]
        te = median_time(lambda: [biocore.templates.encode(t, fmt) for t in ts], repeat)
        td = median_time(lambda: [biocore.templates.decode(r, fmt) for r in records], repeat)
        print(f"  {fmt:17s} {len(records[0]):4d} B  encode {len(ts) / te:9,.0f}/s  decode {len(ts) / td:9,.0f}/s")


def nbis_layout(record: bytes) -> bytes:
    """The layout nbis-python 0.1.8 reads: an ISO 2005 record without the view's finger-position/view bytes."""
    body = record[:24] + record[26:]
    return body[:8] + struct.pack(">I", len(body)) + body[12:]


def bench_nbis(data: Path) -> None:
    try:
        import nbis
    except ImportError:
        print("[nbis] skipped: nbis-python not installed (pip install nbis-python==0.1.8)")
        return
    folder = data / "templates" / "fingerjetfx_ose_minex_samples"
    if not folder.exists():
        print(f"[nbis] skipped: {folder} absent")
        return
    settings = nbis.NbisExtractorSettings(min_quality=0.0, get_center=False, check_fingerprint=False,
                                          compute_nfiq2=False, ppi=500.0)
    ex = nbis.new_nbis_extractor(settings)
    files = sorted(folder.glob("*.ist"))
    ts = [biocore.templates.decode(p.read_bytes())[0] for p in files]
    ours = [biocore.templates.encode(t, "iso19794-2:2005") for t in ts]
    as_written = [len(ex.load_iso_19794_2_2005(r).get()) for r in ours]
    loaded = [ex.load_iso_19794_2_2005(nbis_layout(r)) for r in ours]
    print(f"[nbis] {len(ts)} FingerJetFX templates re-encoded by biocore as ISO 19794-2:2005")
    print(f"  standard record -> load_iso_19794_2_2005: {sum(as_written)} of {sum(map(len, ts))} minutiae load "
          "(nbis-python 0.1.8 reads views without the finger position / view bytes)")
    xy_equal, max_dangle, n_total = 0, 0.0, 0
    for t, ms in zip(ts, loaded):
        got = ms.get()
        n_total += len(t)
        for i, m in enumerate(got[: len(t)]):
            xy_equal += (m.x(), m.y()) == (int(t.x[i]), int(t.y[i]))
            d = abs((m.angle() - float(np.degrees(t.angle[i])) + 180.0) % 360.0 - 180.0)
            max_dangle = max(max_dangle, d)
    print(f"  in nbis-python's layout: {sum(len(m.get()) for m in loaded)} of {n_total} minutiae load, "
          f"{xy_equal} with identical x, y; largest angle difference {max_dangle:.2f} deg (NBIS keeps 11.25 deg steps)")
    names = [p.stem for p in files]
    scores = np.array([[a.compare(b) for b in loaded] for a in loaded])
    genuine, impostor = [], []
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if j <= i:
                continue
            same = a[1:] == b[1:] and a[0] != b[0]  # a001_04p vs b001_04p: same subject and finger
            (genuine if same else impostor).append((scores[i, j], f"{a}~{b}"))
    print("  bozorth3 on biocore-encoded records: genuine " + ", ".join(f"{n} {s}" for s, n in genuine)
          + f"; impostor max {max(s for s, _ in impostor)} over {len(impostor)} pairs; self-match median "
          f"{int(np.median(np.diag(scores)))}")
    img = data / "fingerprints" / "fvc2002_db1_b" / "101_1.tif"
    if img.exists():
        written = bytes(ex.extract_minutiae_from_image_file(str(img)).to_iso_19794_2_2005())
        theirs = ex.extract_minutiae_from_image_file(str(img)).get()
        try:
            report = biocore.templates.decode_report(written, strict=False)
            [t] = report.templates
            same = sum((m.x(), m.y()) == (int(t.x[i]), int(t.y[i])) and
                       abs((m.angle() - float(np.degrees(t.angle[i])) + 180) % 360 - 180) < 0.01
                       for i, m in enumerate(theirs[: len(t)]))
            print(f"  record written by nbis-python (mindtct on {img.name}): decodes leniently to {len(t)} minutiae, "
                  f"{same} of {len(theirs)} identical to NBIS's own (x, y, angle); repairs: "
                  + "; ".join(r.problem for r in report.repairs))
        except BiocoreError as exc:
            print(f"  record written by nbis-python (mindtct on {img.name}) is rejected: {exc}")


def bench_vectors(data: Path) -> None:
    folder = data / "templates"
    if not folder.exists():
        print(f"[vectors] skipped: {folder} absent")
        return
    print("[vectors] third-party records decoded here (strict, else lenient with the number of repairs)")
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".dat", ".raw", ".ist", ".ansi2004", ".ansi2007", ".iso2005"} and "gray" not in p.name)
    decoded = {}
    for p in paths:
        try:
            r = biocore.templates.decode_report(p.read_bytes())
            mode = "strict"
        except BiocoreError:
            r = biocore.templates.decode_report(p.read_bytes(), strict=False)
            mode = f"lenient, {len(r.repairs)} repairs"
        decoded[p.name] = r.templates
        print(f"  {p.relative_to(folder)!s:60s} {r.format:17s} views {[len(t) for t in r.templates]} ({mode})")
    match = getattr(biocore, "match", None)
    try:
        if match is None:
            raise AttributeError("biocore.match")
        probe = decoded["iso-probe.dat"][0]
        print(f"  biocore.match: SourceAFIS probe~matching {match(probe, decoded['iso-matching.dat'][0]):.1f}, "
              f"probe~nonmatching {match(probe, decoded['iso-nonmatching.dat'][0]):.1f}; FingerJetFX a001_04p~b001_04p "
              f"{match(decoded['a001_04p.ist'][0], decoded['b001_04p.ist'][0]):.1f}, a001_04p~a001_06p "
              f"{match(decoded['a001_04p.ist'][0], decoded['a001_06p.ist'][0]):.1f}")
    except (AttributeError, KeyError, BiocoreError, TypeError) as exc:
        print(f"  biocore.match not available yet ({exc}); matcher interop not measured")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--templates", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--skip", nargs="*", default=[], choices=["bulk", "formats", "nbis", "vectors"])
    args = p.parse_args(argv)
    if "bulk" not in args.skip:
        bench_bulk(args.templates, args.repeat)
    if "formats" not in args.skip:
        bench_formats(min(args.repeat, 3))
    if "nbis" not in args.skip:
        bench_nbis(args.data)
    if "vectors" not in args.skip:
        bench_vectors(args.data)


if __name__ == "__main__":
    main()
