"""Fuzz every template decoder with mutated records; report crashes, hangs and non-BiocoreError exceptions.

Seeds are records each codec writes (random templates, several views, extended data with ridge
counts, cores, deltas and vendor blocks) plus every record under ``../shared/data/templates`` when
present. Each mutant (bit flips, interesting bytes, overwritten length and count fields,
truncation, extension, deleted / duplicated / spliced chunks) goes through every decoder in strict
and lenient mode, through format detection, and through the native bulk decoder. A decode must
return templates or raise a :class:`biocore.errors.BiocoreError`; anything else is a crash, and a
call longer than ``--hang-seconds`` is a hang.

Usage::

    python benchmarks/fuzz_decoders.py [--records 1000000] [--workers 2] [--seed 0]

Prints per-decoder counts (accepted, rejected with BiocoreError, crashes, hangs), the slowest
call and the peak resident memory, then exits with status 1 if anything crashed or hung.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import signal
import sys
import time
import traceback
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

import biocore
from biocore.errors import BiocoreError
from biocore.templates import CaptureDevice, ExtendedData, SingularPoint, ViewInfo

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "templates"
INTERESTING = (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0F, 0x10, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFE, 0xFF)


class Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Hang()


def seeds(rng: np.random.Generator) -> list[bytes]:
    out: list[bytes] = []
    ext = ExtendedData(
        ridge_count_method=1, ridge_counts=((0, 1, 3), (2, 1, 4)),
        cores=(SingularPoint(10, 20, (1.0,)),), deltas=(SingularPoint(30, 40, (0.5, 1.5, 2.5)), SingularPoint(5, 6)),
        other_blocks=((0x0103, b"vendor!"),),
    )
    for fmt in biocore.templates.formats():
        for k in range(6):
            ts = []
            for v in range(1 + k % 3):
                n = int(rng.integers(0, 12 if k < 5 else 60))
                ts.append(biocore.Template(
                    x=rng.integers(0, 300, n), y=rng.integers(0, 400, n), angle=rng.uniform(0, 6.3, n),
                    kind=rng.integers(0, 3, n), quality=rng.integers(0, 101, n), width=300, height=400,
                    finger=v, image_quality=int(rng.integers(0, 101)),
                ))
            if fmt == "biocore":
                out.append(biocore.templates.encode(ts, fmt))
                continue
            views = [ViewInfo(view_number=0, extended=ext if k % 2 else ExtendedData(), device=CaptureDevice(device_id=7),
                              quality_blocks=((50, 1, 2),)) for _ in ts]
            out.append(biocore.templates.encode(ts, fmt, views=views))
    if DATA.exists():
        for path in sorted(DATA.rglob("*")):
            if path.is_file() and path.suffix in {".dat", ".raw", ".ist", ".ansi2004", ".ansi2007", ".iso2005"}:
                out.append(path.read_bytes())
    return out


def mutate(data: bytes, rng: np.random.Generator, pool: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        op = int(rng.integers(0, 9))
        n = len(b)
        if op == 0 and n:  # bit flips
            for _ in range(int(rng.integers(1, 5))):
                i = int(rng.integers(0, n))
                b[i] ^= 1 << int(rng.integers(0, 8))
        elif op == 1 and n:  # interesting byte
            b[int(rng.integers(0, n))] = INTERESTING[int(rng.integers(0, len(INTERESTING)))]
        elif op == 2 and n > 2:  # 16/32-bit field to a boundary value (lengths and counts)
            i = int(rng.integers(0, n - 1))
            width = 2 if rng.random() < 0.6 or i > n - 4 else 4
            v = int(rng.choice([0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0xFFFFFFFF, n, n - 1, n + 1]))
            b[i:i + width] = (v % (1 << (8 * width))).to_bytes(width, "big" if rng.random() < 0.8 else "little")
        elif op == 3 and n:  # truncate
            del b[int(rng.integers(0, n)):]
        elif op == 4:  # extend
            b += rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
        elif op == 5 and n > 1:  # delete a chunk
            i = int(rng.integers(0, n))
            del b[i:i + int(rng.integers(1, 16))]
        elif op == 6 and n > 1:  # duplicate a chunk
            i = int(rng.integers(0, n))
            chunk = b[i:i + int(rng.integers(1, 32))]
            j = int(rng.integers(0, n))
            b[j:j] = chunk
        elif op == 7 and n:  # splice another record's tail
            other = pool[int(rng.integers(0, len(pool)))]
            i = int(rng.integers(0, n))
            j = int(rng.integers(0, max(1, len(other))))
            b = b[:i] + bytearray(other[j:])
        elif op == 8 and n > 8:  # random bytes over a range
            i = int(rng.integers(0, n))
            k = min(n - i, int(rng.integers(1, 8)))
            b[i:i + k] = rng.integers(0, 256, k, dtype=np.uint8).tobytes()
    if b[:4] == b"BCTM" and rng.random() < 0.5:
        _fix_crcs(b)  # reach the field checks behind the checksum
    return bytes(b)


def _fix_crcs(b: bytearray) -> None:
    """Rewrite the CRC of each biocore record whose declared size fits the buffer."""
    at = 0
    while at + 20 <= len(b):
        size = 20 + 8 * int.from_bytes(b[at + 14:at + 16], "little")
        if at + size > len(b):
            return
        b[at + size - 4:at + size] = zlib.crc32(bytes(b[at:at + size - 4])).to_bytes(4, "little")
        at += size


def _calls():
    calls = []
    for fmt in biocore.templates.formats():
        for strict in (True, False):
            calls.append((f"{fmt}{'' if strict else ' lenient'}",
                          lambda d, f=fmt, s=strict: biocore.templates.decode_report(d, f, strict=s)))
    calls.append(("detect+decode", lambda d: biocore.templates.decode(d)))
    calls.append(("detect+decode lenient", lambda d: biocore.templates.decode(d, strict=False)))
    calls.append(("biocore bulk (native)", lambda d: biocore.templates.decode_packed(d, threads=1)))
    return calls


def worker(args: tuple[int, int, float]) -> dict:
    count, seed, hang_seconds = args
    rng = np.random.default_rng(seed)
    pool = seeds(np.random.default_rng(12345))
    calls = _calls()
    stats = {name: Counter() for name, _ in calls}
    crashes: list[str] = []
    slowest = (0.0, "")
    signal.signal(signal.SIGALRM, _alarm)
    for _ in range(count):
        data = mutate(pool[int(rng.integers(0, len(pool)))], rng, pool)
        for name, call in calls:
            t0 = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, hang_seconds)
            try:
                call(data)
                outcome = "accepted"
            except BiocoreError:
                outcome = "rejected"
            except Hang:
                outcome = "hang"
                crashes.append(f"HANG {name}: {data.hex()}")
            except Exception:  # noqa: BLE001 - this is what the fuzzer looks for
                outcome = "crash"
                if len(crashes) < 20:
                    crashes.append(f"CRASH {name}: {data.hex()}\n{traceback.format_exc()}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            dt = time.perf_counter() - t0
            if dt > slowest[0]:
                slowest = (dt, name)
            stats[name][outcome] += 1
    return {"stats": stats, "crashes": crashes, "slowest": slowest}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=1_000_000, help="mutated records (each through every decoder)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--hang-seconds", type=float, default=2.0)
    args = p.parse_args(argv)
    chunks = 64
    per = [args.records // chunks + (1 if i < args.records % chunks else 0) for i in range(chunks)]
    jobs = [(n, args.seed * 1000 + i, args.hang_seconds) for i, n in enumerate(per) if n]
    t0 = time.perf_counter()
    total: dict[str, Counter] = {}
    crashes: list[str] = []
    slowest = (0.0, "")
    with mp.get_context("fork").Pool(args.workers) as pool:
        for done, res in enumerate(pool.imap_unordered(worker, jobs), 1):
            for name, c in res["stats"].items():
                total.setdefault(name, Counter()).update(c)
            crashes += res["crashes"]
            slowest = max(slowest, res["slowest"])
            print(f"\r{done}/{len(jobs)} chunks", end="", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - t0
    print(file=sys.stderr)
    calls = sum(sum(c.values()) for c in total.values())
    print(f"fuzz: {args.records:,} mutated records x {len(total)} decoders = {calls:,} decode calls in {elapsed:.0f} s "
          f"({args.workers} workers, seed {args.seed})")
    print(f"{'decoder':28s} {'accepted':>10s} {'rejected':>10s} {'crashes':>8s} {'hangs':>6s}")
    for name, c in total.items():
        print(f"{name:28s} {c['accepted']:10,d} {c['rejected']:10,d} {c['crash']:8,d} {c['hang']:6,d}")
    n_crash = sum(c["crash"] for c in total.values())
    n_hang = sum(c["hang"] for c in total.values())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"total: {n_crash} crashes, {n_hang} hangs, {n_crash} non-BiocoreError exceptions; "
          f"slowest call {slowest[0] * 1000:.1f} ms ({slowest[1]}); peak worker RSS {peak:.0f} MiB")
    for text in crashes[:5]:
        print(text)
    return 1 if n_crash or n_hang else 0


if __name__ == "__main__":
    sys.exit(main())
