"""Outputs of a deduplication job: ranked candidate pairs as CSV, and an HTML adjudication report.

The HTML report is one self-contained file: the duplicate clusters, the ranked pairs with their
per-finger scores (a heat row, finger positions 1-10), and for the top pairs the minutiae of the
best-scoring finger of both sides drawn over the capture image when the person's metadata names
one (``metadata["images"] = {"<finger>": "<path>"}``), over a blank canvas otherwise.
"""

from __future__ import annotations

import base64
import csv
import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..templates import FINGER_POSITIONS, Template

if TYPE_CHECKING:  # pragma: no cover
    from .dedup import CandidatePair
    from .gallery import Gallery

__all__ = ["write_csv", "write_html", "minutiae_svg"]

_OVERLAY_PAIRS = 40


def write_csv(pairs: Sequence["CandidatePair"], path: str | os.PathLike[str]) -> None:
    """One row per pair: rank, identities, fused score, code score, method, score per finger 1-10."""
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["rank", "identity_a", "identity_b", "score", "code_score", "method", "fingers_compared"]
                   + [f"finger_{f}" for f in range(1, 11)])
        for rank, p in enumerate(pairs, 1):
            w.writerow([rank, p.a, p.b, f"{p.score:.6g}", f"{p.code_score:.6g}", p.method, len(p.fingers)]
                       + [("" if f not in p.fingers else f"{p.fingers[f]:.6g}") for f in range(1, 11)])
    os.replace(tmp, path)


def minutiae_svg(t: Template, image_path: str | None = None, *, height_px: int = 220) -> str:
    """An inline SVG of a template's minutiae (circle + direction tick), over the image when given."""
    w = t.width or int(max(t.x.max(initial=0), 1) + 20)
    h = t.height or int(max(t.y.max(initial=0), 1) + 20)
    parts = [f'<svg viewBox="0 0 {w} {h}" height="{height_px}" xmlns="http://www.w3.org/2000/svg">']
    if image_path and Path(image_path).is_file():
        data = base64.b64encode(Path(image_path).read_bytes()).decode()
        mime = "image/png" if image_path.lower().endswith(".png") else "image/jpeg"
        parts.append(f'<image href="data:{mime};base64,{data}" width="{w}" height="{h}"/>')
    else:
        parts.append(f'<rect width="{w}" height="{h}" fill="#f4f4f4"/>')
    for x, y, a, k in zip(t.x.tolist(), t.y.tolist(), t.angle.tolist(), t.kind.tolist()):
        colour = "#d62728" if k == 1 else "#1f77b4"
        x2, y2 = x + 10 * np.cos(a), y - 10 * np.sin(a)
        parts.append(f'<circle cx="{x}" cy="{y}" r="4" fill="none" stroke="{colour}" stroke-width="1.5"/>'
                     f'<line x1="{x}" y1="{y}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def _heat(score: float | None, top: float) -> str:
    if score is None:
        return '<td class="na">–</td>'
    level = 0.0 if top <= 0 else max(0.0, min(1.0, score / top))
    return f'<td style="background:rgba(214,39,40,{level:.2f})">{score:.3g}</td>'


def write_html(pairs: Sequence["CandidatePair"], groups: Sequence[Sequence[str]], gallery: "Gallery",
               path: str | os.PathLike[str], *, title: str = "biocore deduplication") -> None:
    """Write the self-contained adjudication report."""
    e = html.escape
    top = max((max(p.fingers.values(), default=0.0) for p in pairs), default=1.0)
    out = [f"<!doctype html><meta charset='utf-8'><title>{e(title)}</title><style>"
           "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
           "padding:2px 6px;text-align:right}td.na{color:#aaa;text-align:center}.pair{margin:1em 0}"
           "</style>", f"<h1>{e(title)}</h1>",
           f"<p>Gallery <code>{e(str(gallery.path))}</code>: {gallery.count()} persons. "
           f"{len(pairs)} candidate pairs, {len(groups)} duplicate clusters.</p>",
           "<h2>Duplicate clusters</h2><ol>"]
    out += [f"<li>{e(', '.join(g))}</li>" for g in groups] or ["<li>none</li>"]
    out.append("</ol><h2>Candidate pairs (ranked)</h2><table><tr><th>#</th><th>identity A</th><th>identity B</th>"
               "<th>fused score</th><th>fingers</th>" + "".join(f"<th>{f}</th>" for f in range(1, 11)) + "</tr>")
    for rank, p in enumerate(pairs, 1):
        out.append(f"<tr><td>{rank}</td><td>{e(p.a)}</td><td>{e(p.b)}</td><td><b>{p.score:.4g}</b></td>"
                   f"<td>{len(p.fingers)}</td>" + "".join(_heat(p.fingers.get(f), top) for f in range(1, 11)) + "</tr>")
    out.append("</table><h2>Evidence: best finger of the top pairs</h2>")
    for rank, p in enumerate(pairs[:_OVERLAY_PAIRS], 1):
        if not p.fingers:
            continue
        finger = max(p.fingers, key=lambda f: p.fingers[f])
        try:
            pa, pb = gallery.get(p.a), gallery.get(p.b)
        except Exception:  # noqa: BLE001 - a person removed since the job ran: skip its figure
            continue
        if finger not in pa.templates or finger not in pb.templates:
            continue
        svgs = [minutiae_svg(person.templates[finger], str(person.metadata.get("images", {}).get(str(finger), "")) or None)
                for person in (pa, pb)]
        out.append(f"<div class='pair'><h3>#{rank} {e(p.a)} ↔ {e(p.b)}: finger {finger} "
                   f"({FINGER_POSITIONS[finger]}), score {p.fingers[finger]:.4g}</h3>{svgs[0]} {svgs[1]}</div>")
    tmp = Path(str(path) + ".tmp")
    tmp.write_text("\n".join(out), encoding="utf-8")
    os.replace(tmp, path)
