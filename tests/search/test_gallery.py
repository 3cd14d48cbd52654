from __future__ import annotations

import os
import sqlite3
import sys

import numpy as np
import pytest

import biocore
from biocore.errors import GalleryError, InvalidArgument, InvalidTemplate
from biocore.search import Candidate, Gallery
from biocore.search.parameters import SearchParameters

from .persons import noisy_person, point_matcher, random_person, random_template


@pytest.fixture
def people(rng):
    return {f"ID{i:03d}": random_person(rng) for i in range(40)}


@pytest.fixture
def gallery(tmp_path, people):
    g = Gallery.open(tmp_path / "g", matcher=point_matcher, params=SearchParameters(shortlist_persons=5))
    g.enroll_many(people.items())
    yield g
    g.close()


def test_public_name_is_wired():
    assert biocore.Gallery is Gallery


def test_enroll_get_update_remove_count(tmp_path, rng):
    with Gallery.open(tmp_path / "g", matcher=None) as g:
        a = random_person(rng, fingers=[2, 7])
        g.enroll("A", a, metadata={"station": 4})
        g.enroll(17, list(random_person(rng, fingers=[1]).values()))
        assert len(g) == g.count() == 2 and "A" in g and "17" in g and "B" not in g
        got = g.get("A")
        assert got.templates == a and got.metadata == {"station": 4}
        b = random_person(rng, fingers=[3])
        g.update("A", b)
        assert g.get("A").templates == b
        g.remove("17")
        assert g.identities() == ["A"]
        assert [p.identity for p in g] == ["A"]
        with pytest.raises(GalleryError, match="already enrolled"):
            g.enroll("A", a)
        with pytest.raises(GalleryError, match="not enrolled"):
            g.remove("nobody")
        with pytest.raises(GalleryError, match="not enrolled"):
            g.get("nobody")


def test_search_ranks_the_mate_first(gallery, people, rng):
    for identity in ("ID003", "ID027"):
        probe = noisy_person(people[identity], rng)
        result = gallery.search(probe, k=5)
        assert isinstance(result[0], Candidate)
        assert result[0].identity == identity and result[0].method == "matcher"
        assert [e.finger for e in result[0].fingers] == list(range(1, 11))
        assert result[0].score > result[1].score
        assert len(result) == 5


def test_search_with_a_few_fingers_and_threshold(gallery, people, rng):
    probe = {f: t for f, t in noisy_person(people["ID011"], rng).items() if f in (2, 7)}
    result = gallery.search(probe, k=3, threshold=0.7)
    assert [c.identity for c in result] == ["ID011"]
    assert [e.finger for e in result[0].fingers] == [2, 7]
    assert gallery.search(probe, k=3, threshold=100.0) == []


def test_code_only_search_without_a_matcher(tmp_path, people, rng):
    with Gallery.open(tmp_path / "g", matcher=None) as g:
        g.enroll_many(list(people.items())[:20])
        result = g.search(noisy_person(people["ID005"], rng), k=2)
        assert result[0].identity == "ID005" and result[0].method == "code"


def test_changes_are_seen_by_search_and_by_reopening(tmp_path, people, rng):
    path = tmp_path / "g"
    with Gallery.open(path, matcher=None) as g:
        g.enroll_many(list(people.items())[:10])
        assert g.search(people["ID004"], k=1)[0].identity == "ID004"
        g.remove("ID004")
        assert g.search(people["ID004"], k=1)[0].identity != "ID004"
        g.enroll_many(list(people.items())[10:20])
        g.save_cache()
        g.update("ID015", people["ID004"])
    with Gallery.open(path, matcher=None) as g:  # cache is one generation behind: refreshed incrementally
        assert len(g) == 19
        assert g.search(people["ID004"], k=1)[0].identity == "ID015"
        assert g.search(people["ID012"], k=1)[0].identity == "ID012"


def test_search_rows_excludes_self(gallery, people):
    rows = gallery.rows_of(["ID001", "ID002"])
    lists = gallery.search_rows(rows, k=3)
    assert all(c.identity not in ("ID001",) for c in lists[0])
    assert all(c.identity not in ("ID002",) for c in lists[1])


@pytest.mark.parametrize(
    "templates, error, message",
    [
        ({11: None}, InvalidTemplate, "expected a biocore.Template"),
        ("nope", InvalidTemplate, "expected a biocore.Template"),
        ({}, InvalidArgument, "at least one"),
        (42, InvalidArgument, "mapping"),
    ],
)
def test_bad_templates(tmp_path, templates, error, message):
    with Gallery.open(tmp_path / "g") as g:
        with pytest.raises(error, match=message):
            g.enroll("X", templates)
        assert len(g) == 0


def test_unknown_finger_positions(tmp_path, rng):
    with Gallery.open(tmp_path / "g") as g:
        with pytest.raises(InvalidArgument, match="finger position must be .* 1-10.*got 11"):
            g.enroll("X", {11: random_template(rng)})
        with pytest.raises(InvalidArgument, match="got 0 .unknown"):
            g.enroll("X", [random_template(rng, finger=0)])
        with pytest.raises(InvalidArgument, match="given twice"):
            g.enroll("X", [random_template(rng, finger=2), random_template(rng, finger=2)])
        with pytest.raises(InvalidArgument, match="identity"):
            g.enroll("", {1: random_template(rng)})


def test_paths_that_are_not_galleries(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(GalleryError, match="got a file"):
        Gallery.open(tmp_path / "file")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("x")
    with pytest.raises(GalleryError, match="not a biocore gallery"):
        Gallery.open(tmp_path / "docs")
    with pytest.raises(GalleryError, match="does not exist"):
        Gallery.open(tmp_path / "missing", create=False)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "gallery.sqlite").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(GalleryError, match="not a readable SQLite"):
        Gallery.open(tmp_path / "junk")


def test_newer_gallery_version_is_refused(tmp_path):
    Gallery.open(tmp_path / "g").close()
    db = sqlite3.connect(tmp_path / "g" / "gallery.sqlite")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    db.commit()
    db.close()
    with pytest.raises(GalleryError, match="newer biocore.*format 99"):
        Gallery.open(tmp_path / "g")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores file permissions")
def test_permission_error_is_clear_and_gallery_intact(tmp_path, rng):
    path = tmp_path / "g"
    with Gallery.open(path) as g:
        g.enroll("A", random_person(rng, [1]))
    os.chmod(path / "gallery.sqlite", 0o444)
    try:
        with pytest.raises(GalleryError, match="permission|read-only|could not"):
            with Gallery.open(path) as g:
                g.enroll("B", random_person(rng, [1]))
    finally:
        os.chmod(path / "gallery.sqlite", 0o644)
    with Gallery.open(path) as g:
        assert g.identities() == ["A"]


def test_failed_write_leaves_the_gallery_intact(tmp_path, rng, monkeypatch):
    from biocore.search import storage

    path = tmp_path / "g"
    with Gallery.open(path) as g:
        g.enroll("A", random_person(rng, [1]))
        real_insert = storage.Store.insert

        def disk_full(db, identity, metadata, fingers):
            if identity == "C":
                raise sqlite3.OperationalError("database or disk is full")
            return real_insert(db, identity, metadata, fingers)

        monkeypatch.setattr(storage.Store, "insert", staticmethod(disk_full))
        with pytest.raises(GalleryError, match="disk is full.*unchanged"):
            g.enroll_many([("B", random_person(rng, [1])), ("C", random_person(rng, [1]))])
        assert g.identities() == ["A"]


def test_readonly_gallery(tmp_path, rng):
    with Gallery.open(tmp_path / "g") as g:
        g.enroll("A", random_person(rng, [1, 2]))
    with Gallery.open(tmp_path / "g", readonly=True, matcher=None) as g:
        assert g.search(g.get("A"), k=1)[0].identity == "A"
        with pytest.raises(GalleryError, match="read-only"):
            g.remove("A")


def test_bad_search_arguments(gallery, people):
    with pytest.raises(InvalidArgument, match="k: expected a positive integer"):
        gallery.search(people["ID001"], k=0)
    with pytest.raises(InvalidArgument, match="threshold"):
        gallery.search(people["ID001"], threshold=float("nan"))


def _mapped(a: np.ndarray) -> bool:
    """Whether ``a`` is (a view of) a memory map."""
    while a is not None:
        if isinstance(a, np.memmap):
            return True
        a = a.base
    return False


def test_large_gallery_uses_binary_scan_and_cache(tmp_path, rng):
    params = SearchParameters(exact_scan_max_persons=100, shortlist_persons=20, binary_candidates=50)
    exact = SearchParameters(shortlist_persons=20)
    people = {f"P{i}": random_person(rng, [1, 2, 3]) for i in range(300)}
    with Gallery.open(tmp_path / "g", matcher=None, params=params) as g:
        g.enroll_many(people.items())
        assert g.search(people["P42"], k=1)[0].identity == "P42"
        g.save_cache()
        assert (tmp_path / "g" / "cache" / "binary.npy").exists()
    with Gallery.open(tmp_path / "g", matcher=None, params=params) as g:
        assert _mapped(g._state.vectors.blocks[0])
        assert g.search(people["P7"], k=1)[0].identity == "P7"
        g.enroll("new", random_person(rng, [1, 2, 3]))
        assert g.search(g.get("new"), k=1)[0].identity == "new"
        # live enrollment appends in memory: the mapped cache is not copied
        assert _mapped(g._state.vectors.blocks[0]) and _mapped(g._state.index.bits.blocks[0])
        assert len(g._state.vectors) == len(g._state.index.bits) == 301
        probe = g.get("P99")
        binary = g.search(probe, k=3)
    # the binary scan's candidates are rescored exactly: the same answer as the exact scan
    with Gallery.open(tmp_path / "g", matcher=None, params=exact, readonly=True) as g:
        exact_found = g.search(probe, k=3)
    assert [c.identity for c in exact_found] == [c.identity for c in binary]
    # faiss and NumPy sum the same float16 products in different orders: equal to float32 rounding
    assert [c.code_score for c in exact_found] == pytest.approx([c.code_score for c in binary], abs=1e-5)


def test_first_stage_then_rerank_equals_search_many(gallery, people, rng):
    from biocore.search.codes import finger_codes, person_vectors

    probes = [noisy_person(people[i], rng) for i in ("ID003", "ID011")]
    codes = np.zeros((2, 10, 144), np.float32)
    present = np.zeros((2, 10), bool)
    for q, p in enumerate(probes):
        for f, t in p.items():
            codes[q, f - 1], present[q, f - 1] = finger_codes([t])[0], True
    vectors = person_vectors(codes, present)
    found = gallery.first_stage(vectors, want=5)
    assert all(r.size == 5 and np.all(np.diff(sc) <= 0) for r, sc in found)
    two_steps, one_call = gallery.rerank(vectors, probes, found, k=3), gallery.search_many(probes, k=3, shortlist=5)
    key = lambda lists: [[(c.identity, c.score, c.fingers) for c in lst] for lst in lists]  # noqa: E731
    assert key(two_steps) == key(one_call)
    # code scores of a batch and of one query may differ in the last float bits (faiss)
    assert [c.code_score for lst in two_steps for c in lst] == pytest.approx(
        [c.code_score for lst in one_call for c in lst], abs=1e-5)
    # a query's own row left out; rows given in any order come back ranked
    me = gallery.rows_of(["ID003"])[0]
    assert me not in gallery.first_stage(vectors[:1], want=5, exclude_rows=[me])[0][0]
    rows, sc = found[0]
    assert gallery.rerank(vectors[:1], probes[:1], [(rows[::-1], sc[::-1])]) == gallery.rerank(vectors[:1], probes[:1], [(rows, sc)])
    with pytest.raises(InvalidArgument, match="vectors"):
        gallery.first_stage(vectors[:, :10], want=3)
    with pytest.raises(InvalidArgument, match="one of each per query"):
        gallery.rerank(vectors, probes[:1], found)


def test_copy_from_another_gallery(tmp_path, people, rng):
    with Gallery.open(tmp_path / "a") as a, Gallery.open(tmp_path / "b") as b:
        a.enroll_many(people.items())
        a.remove("ID002")
        b.enroll("first", random_person(rng, [1, 2]))
        b.search(people["ID001"], k=1)  # derived state built before the copy: refreshed incrementally
        assert b.copy_from(a, where=lambda identity: identity != "ID005") == len(people) - 2
        assert b.identities() == ["first"] + [i for i in people if i not in ("ID002", "ID005")]
        assert b.get("ID007") == a.get("ID007")
        assert b.search(people["ID007"], k=1)[0].identity == "ID007"
        with pytest.raises(GalleryError, match="already enrolled.*nothing was copied"):
            b.copy_from(a)
        assert len(b) == len(people) - 1
        with pytest.raises(InvalidArgument, match="source"):
            b.copy_from(str(tmp_path / "a"))


def test_gallery_with_other_codes_is_refused(tmp_path):
    Gallery.open(tmp_path / "g").close()
    db = sqlite3.connect(tmp_path / "g" / "gallery.sqlite")
    db.execute("UPDATE meta SET value = 'pairhist-old' WHERE key = 'code_id'")
    db.commit()
    db.close()
    with pytest.raises(GalleryError, match="search codes 'pairhist-old'.*re-enroll"):
        Gallery.open(tmp_path / "g")


def test_search_many_equals_single_searches_and_excludes(gallery, people, rng):
    probes = [noisy_person(people[i], rng) for i in ("ID001", "ID020")]
    many = gallery.search_many(probes, k=4)
    single = [gallery.search(p, k=4) for p in probes]
    # batched and single faiss scans may differ in the last float bits of code scores
    assert [[c.identity for c in r] for r in many] == [[c.identity for c in r] for r in single]
    for r_many, r_single in zip(many, single):
        assert [c.score for c in r_many] == pytest.approx([c.score for c in r_single], abs=1e-4)
    excluded = gallery.search_many(probes, k=4, exclude=["ID001", None])
    assert "ID001" not in [c.identity for c in excluded[0]]
    assert [c.identity for c in excluded[1]] == [c.identity for c in many[1]]


@pytest.mark.parametrize("matcher", [None, "default"])
def test_equal_scores_rank_by_identity_not_by_enrollment_order(tmp_path, rng, matcher):
    # the same person under three names, enrolled against name order: equal fused scores, so the
    # order is the identities' (as the shards' merge ranks them), not the store rows'
    person = random_person(rng, [1, 2, 3])
    with Gallery.open(tmp_path / "g", matcher=matcher) as g:
        for identity in ("C", "A", "B"):
            g.enroll(identity, person)
        g.enroll("Z", random_person(rng, [1, 2, 3]))
        found = g.search(person, k=3)
        assert len({c.score for c in found}) == 1
        assert [c.identity for c in found] == ["A", "B", "C"]
        assert [c.identity for c in g.search(person, k=4, threshold=found[0].score)] == ["A", "B", "C"]
