from __future__ import annotations

import csv
import json

import pytest

from biocore.errors import GalleryError
from biocore.search import Gallery
from biocore.search.dedup import CandidatePair, clusters, merge_pairs, run_job
from biocore.search.parameters import JobParameters, SearchParameters

from .persons import noisy_person, random_person

THRESHOLD = 1.5  # code-only scores: sum of 4 finger cosines; mates score ~3, others ~0


@pytest.fixture
def registry(tmp_path, rng):
    """30 persons; three of them enrolled again under a new identity, one of those twice (a cluster of 3)."""
    people = {f"ID{i:03d}": random_person(rng, fingers=(1, 2, 6, 7)) for i in range(30)}
    people["DUP-A"] = noisy_person(people["ID004"], rng)
    people["DUP-B"] = noisy_person(people["ID017"], rng)
    people["DUP-C"] = noisy_person(people["ID017"], rng)
    g = Gallery.open(tmp_path / "g", matcher=None, params=SearchParameters(shortlist_persons=6))
    g.enroll_many(people.items())
    yield g
    g.close()


def _planted(result) -> set[tuple[str, str]]:
    return {(p.a, p.b) for p in result.pairs}


def test_nn_sweep_finds_planted_duplicates_and_clusters(registry, tmp_path):
    result = run_job(registry, tmp_path / "job", threshold=THRESHOLD, params=JobParameters(batch_persons=8),
                     progress=False)
    assert _planted(result) == {("DUP-A", "ID004"), ("DUP-B", "ID017"), ("DUP-C", "ID017"), ("DUP-B", "DUP-C")}
    assert result.clusters == [["DUP-B", "DUP-C", "ID017"], ["DUP-A", "ID004"]]
    assert result.batches_run == 5 and result.batches_resumed == 0
    with open(tmp_path / "job" / "candidates.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and rows[0]["rank"] == "1" and float(rows[0]["score"]) >= float(rows[-1]["score"])
    doc = json.loads((tmp_path / "job" / "candidates.json").read_text())
    assert doc["clusters"] == result.clusters and doc["job"]["kind"] == "N:N"
    page = (tmp_path / "job" / "report.html").read_text()
    assert "DUP-A" in page and "<svg" in page


def test_killed_job_resumes_where_it_stopped(registry, tmp_path):
    params = JobParameters(batch_persons=4, threads=1)
    seen: list[int] = []

    def stop_after_three(b: int) -> None:
        seen.append(b)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_job(registry, tmp_path / "job", threshold=THRESHOLD, params=params, progress=False, on_batch=stop_after_three)
    done = sorted(p.name for p in (tmp_path / "job" / "batches").glob("*.json"))
    assert 3 <= len(done) <= 4  # the stop came after the third; at most one more was in flight
    resumed = run_job(registry, tmp_path / "job", threshold=THRESHOLD, params=params, progress=False)
    assert resumed.batches_resumed == len(done) and resumed.batches_run == 9 - len(done)
    fresh = run_job(registry, tmp_path / "job2", threshold=THRESHOLD, params=params, progress=False)
    assert resumed.pairs == fresh.pairs


def test_one_to_n_job_for_new_enrollments(registry, tmp_path):
    result = run_job(registry, tmp_path / "job", queries=["DUP-A", "ID010"], threshold=THRESHOLD, progress=False,
                     report=False)
    assert _planted(result) == {("DUP-A", "ID004")}
    assert not (tmp_path / "job" / "report.html").exists()


def test_job_folder_with_other_settings_is_refused(registry, tmp_path):
    run_job(registry, tmp_path / "job", threshold=THRESHOLD, progress=False, report=False)
    with pytest.raises(GalleryError, match="other settings"):
        run_job(registry, tmp_path / "job", threshold=THRESHOLD + 1, progress=False)


def test_merge_and_clusters_are_order_independent():
    p = [CandidatePair("a", "b", 1.0, 0, {1: 1.0}, "code"), CandidatePair("a", "b", 2.0, 0, {1: 2.0}, "code"),
         CandidatePair("c", "d", 0.5, 0, {}, "code"), CandidatePair("b", "e", 3.0, 0, {}, "code")]
    merged = merge_pairs(p)
    assert [(m.a, m.b, m.score) for m in merged] == [("b", "e", 3.0), ("a", "b", 2.0), ("c", "d", 0.5)]
    assert merge_pairs(reversed(p)) == merged
    assert clusters(merged, 1.0) == [["a", "b", "e"]]
    assert clusters(merged, 0.1) == [["a", "b", "e"], ["c", "d"]]
