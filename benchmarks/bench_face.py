"""Portrait quality: speed on one core, cold start, and agreement with the MEDS-II notes.

    python benchmarks/bench_face.py            # speed + cold start (+ MEDS when ../shared/data is there)
    python benchmarks/bench_face.py --repeat 200

Speed: full ``biocore.face.assess`` of a 640 x 480 portrait (scikit-image's public-domain astronaut,
cropped to 4:3 and resized), OpenCV limited to one thread, after one warm-up call; prints the
median and the 90th percentile. Cold start: a fresh interpreter's ``import biocore`` plus the first
assessment. MEDS: the 50 development portraits in ../shared/data/faces/meds_dev, each note in
INDEX.csv turned into an expectation about the ICAO verdict of one or more measures.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MEDS = ROOT.parent / "shared" / "data" / "faces" / "meds_dev"


def portrait_640x480() -> np.ndarray:
    from skimage import data

    crop = data.astronaut()[0:288, 64:448]
    return cv2.resize(crop, (640, 480), interpolation=cv2.INTER_CUBIC)


def bench_speed(repeat: int) -> None:
    import biocore

    cv2.setNumThreads(1)
    img = portrait_640x480()
    biocore.face.assess(img)  # warm-up: loads the detector and the shape model
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        biocore.face.assess(img)
        times.append((time.perf_counter() - t) * 1000)
    p90 = float(np.percentile(times, 90))
    print(
        f"assess 640x480, one OpenCV thread: median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms ({repeat} runs)"
    )
    if MEDS.is_dir():
        files = sorted(MEDS.glob("*.jpg"))
        meds_t = []
        for f in files:
            rgb = cv2.imread(str(f))[:, :, ::-1].copy()
            t = time.perf_counter()
            biocore.face.assess(rgb)
            meds_t.append((time.perf_counter() - t) * 1000)
        print(
            f"assess MEDS-II portraits (mostly 480x600, decoded beforehand): median {statistics.median(meds_t):.1f} ms"
            f" over {len(files)}"
        )


def bench_cold_start() -> None:
    code = (
        "import time; t=time.perf_counter(); import numpy as np, cv2; cv2.setNumThreads(1); import biocore; "
        "from skimage import data; img=data.astronaut()[0:288,64:448]; img=cv2.resize(img,(640,480)); "
        "t1=time.perf_counter(); biocore.face.assess(img); t2=time.perf_counter(); "
        "print(f'{(t2-t)*1000:.0f} {(t2-t1)*1000:.0f}')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    print(
        f"cold start (imports + first assessment): {out[0]} ms, of which the first assessment {out[1]} ms"
    )


def _fails(r, *names: str) -> bool:
    return any(n in r.measures and not r.measures[n].passed for n in names)


RULES = [
    # (label, which notes, expectation on the ICAO report)
    (
        "profile view rejected (no frontal face, or yaw fails)",
        lambda n: "PROFILE" in n,
        lambda r: r.measures["face_count"].value == 0 or _fails(r, "yaw"),
    ),
    (
        "frontal, untilted: face found and pose (yaw/pitch/roll) passes",
        lambda n: "frontal" in n and "tilt" not in n and "turned" not in n,
        lambda r: r.measures["face_count"].value == 1 and not _fails(r, "yaw", "pitch", "roll"),
    ),
    (
        "tilted / turned head: pose fails",
        lambda n: "tilt" in n or "turned" in n,
        lambda r: _fails(r, "yaw", "pitch", "roll"),
    ),
    (
        "broad smile: mouth_open or smile fails",
        lambda n: "smile" in n,
        lambda r: _fails(r, "mouth_open", "smile"),
    ),
    (
        "eyes nearly closed: eyes_open fails",
        lambda n: "eyes nearly closed" in n,
        lambda r: _fails(r, "eyes_open"),
    ),
    (
        "colour cast: natural_colour fails",
        lambda n: "colour cast" in n,
        lambda r: _fails(r, "natural_colour"),
    ),
    (
        "dark: luminance or under-exposure fails",
        lambda n: n.startswith("dark"),
        lambda r: _fails(r, "luminance_mean", "under_exposure"),
    ),
    (
        "busy / office background: background_uniformity fails",
        lambda n: "busy" in n or "office" in n,
        lambda r: _fails(r, "background_uniformity"),
    ),
    (
        "plain wall: background_uniformity passes",
        lambda n: "plain wall" in n,
        lambda r: r.measures["face_count"].value == 1 and not _fails(r, "background_uniformity"),
    ),
    (
        "240x240 webcam shot: inter_eye_distance fails",
        lambda n: "240x240" in n,
        lambda r: _fails(r, "inter_eye_distance"),
    ),
]


def bench_meds() -> None:
    import biocore

    if not MEDS.is_dir():
        print(f"MEDS-II notes: skipped ({MEDS} not present)")
        return
    with open(MEDS / "INDEX.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    reports = {
        row["path"]: (row["visual_note"], biocore.face.assess(MEDS / row["path"])) for row in rows
    }
    print(f"MEDS-II development portraits ({len(reports)}), ICAO profile:")
    for label, which, expect in RULES:
        cases = [(p, r) for p, (n, r) in reports.items() if which(n)]
        if not cases:
            continue
        missed = [p.split("-t10")[0] for p, r in cases if not expect(r)]
        extra = f"  (disagree: {', '.join(missed)})" if missed else ""
        print(f"  {label:62s} {len(cases) - len(missed):2d}/{len(cases):2d}{extra}")
    found = [r for _, r in reports.values() if r.measures["face_count"].value == 1]
    print(
        f"  faces found {len(found)}/{len(reports)}; per-measure ICAO pass rate over found faces:"
    )
    names = list(biocore.face.PROFILES["icao"].limits)
    rates = [
        f"{n} {np.mean([r.measures[n].passed for r in found]):.0%}"
        for n in names
        if n != "face_count"
    ]
    for i in range(0, len(rates), 6):
        print("    " + ", ".join(rates[i : i + 6]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    bench_speed(args.repeat)
    bench_cold_start()
    bench_meds()


if __name__ == "__main__":
    main()
