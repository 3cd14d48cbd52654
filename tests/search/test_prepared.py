"""Held gallery minutiae (second stage without per-search packing) against the packing path it replaces."""

from __future__ import annotations

import numpy as np
import pytest

import biocore
from biocore.search import Gallery
from biocore.search.parameters import SearchParameters
from biocore.search.prepared import GalleryMinutiae, HeldMinutiae
from biocore.search.rerank import BiocoreMatchFn, default_matcher, finger_scores, finger_scores_prepared

from .persons import noisy_person, random_person, random_template


def _persons(rng, n):
    out = []
    for i in range(n):
        fingers = sorted(rng.choice(np.arange(1, 11), size=int(rng.integers(1, 11)), replace=False).tolist())
        person = {f: random_template(rng, f, n=int(rng.integers(0, 50))) for f in fingers}
        if i % 3 != 2:  # other resolutions: positions are rescaled to 500 ppi as pack does
            person = {f: t.replace(dpi=1000 if i % 3 == 0 else 569) for f, t in person.items()}
        out.append(person)
    return out


def _pack_arrays(templates):
    return biocore.matching.pack(templates).minutiae_arrays()


def test_slots_equal_pack_of_the_same_templates(rng):
    persons = _persons(rng, 12)
    held = GalleryMinutiae.from_persons(persons)
    assert held.persons == 12 and held.held.sum() == sum(len(p) for p in persons)
    slots = [i * 10 + f - 1 for i, p in enumerate(persons) for f in sorted(p)]
    templates = [p[f] for p in persons for f in sorted(p)]
    pick = np.array(slots[::-1])  # any order, gathered
    got = held.prepare(pick).minutiae_arrays()
    want = _pack_arrays(templates[::-1])
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)
    assert all(got[k].dtype == want[k].dtype for k in want)
    np.testing.assert_array_equal(held.prepare(pick).edges, biocore.matching.pack(templates[::-1]).edges)


def test_take_and_concat_keep_each_persons_slots(rng):
    persons = _persons(rng, 9)
    a, b, c = (GalleryMinutiae.from_persons(persons[s]) for s in (slice(0, 4), slice(4, 5), slice(5, 9)))
    whole = GalleryMinutiae.concat_all([a, GalleryMinutiae.empty(), b, c])
    ref = GalleryMinutiae.from_persons(persons)
    for name, arr in ref.arrays().items():
        np.testing.assert_array_equal(whole.arrays()[name], arr, err_msg=name)
    order = np.array([7, 2, 2, 0])
    taken = whole.take(order)
    ref = GalleryMinutiae.from_persons([persons[i] for i in order])
    for name, arr in ref.arrays().items():
        np.testing.assert_array_equal(taken.arrays()[name], arr, err_msg=name)


def test_streamed_files_load_as_the_concatenation(rng, tmp_path):
    persons = _persons(rng, 9)
    blocks = [GalleryMinutiae.from_persons(persons[s]) for s in (slice(0, 4), slice(4, 4), slice(4, 5), slice(5, 9))]
    # blocks may be views into a larger array whose offsets do not start at 0 (a memory-mapped cache)
    shifted = blocks[2]
    blocks[2] = GalleryMinutiae(shifted.offsets + 5, shifted.held, *(np.concatenate([np.zeros(5, a.dtype), a])
                                                                  for a in (shifted.x, shifted.y, shifted.angle,
                                                                            shifted.kind, shifted.quality)))
    assert GalleryMinutiae.write_blocks(tmp_path, "m_", iter(blocks)) == 9
    loaded = GalleryMinutiae.load(tmp_path, "m_", 9)
    ref = GalleryMinutiae.from_persons(persons)
    for name, arr in ref.arrays().items():
        np.testing.assert_array_equal(loaded.arrays()[name], arr, err_msg=name)
        assert loaded.arrays()[name].dtype == arr.dtype
    assert GalleryMinutiae.write_blocks(tmp_path, "e_", []) == 0
    assert GalleryMinutiae.load(tmp_path, "e_", 0).persons == 0


def test_finger_scores_prepared_equal_finger_scores(rng):
    matcher = default_matcher()
    if not isinstance(matcher, BiocoreMatchFn):
        pytest.skip("native matcher unavailable")
    persons = _persons(rng, 15)
    probe = noisy_person(persons[4], rng) | {9: random_template(rng, 9)}
    held = GalleryMinutiae.from_persons(persons)
    order = np.array([4, 0, 14, 7, 3])
    want = finger_scores(probe, [persons[i] for i in order], matcher)
    got = finger_scores_prepared(probe, held, order, matcher)
    np.testing.assert_array_equal(got, want)
    # a candidate that is not a live person contributes no finger
    got = finger_scores_prepared(probe, held, np.array([4, -1]), matcher)
    np.testing.assert_array_equal(np.isnan(got[1]), np.ones(10, bool))
    np.testing.assert_array_equal(got[0], want[0])


def _old_path(probe, candidates):
    """biocore's matcher behind a plain callable: the gallery reads and packs templates per search."""
    return _MATCHER(probe, candidates)


_MATCHER = default_matcher()


@pytest.mark.skipif(not isinstance(_MATCHER, BiocoreMatchFn), reason="native matcher unavailable")
def test_gallery_search_equals_the_packing_path(tmp_path, rng):
    people = {f"ID{i:03d}": random_person(rng, fingers=range(1, 11) if i % 4 else (2, 3, 7)) for i in range(50)}
    params = SearchParameters(shortlist_persons=8, min_shortlist_persons=8)
    new = Gallery.open(tmp_path / "g", params=params)
    new.enroll_many(people.items())
    ids = list(people)
    probes = [noisy_person(people[i], rng) for i in ids[:6]] + [random_person(rng, (1, 2))]
    probes += [{f: t for f, t in noisy_person(people[ids[7]], rng).items() if f in (2, 7)}]

    def compare(old_gallery):
        assert new.search_many(probes, k=5) == old_gallery.search_many(probes, k=5)
        rows = new.rows_of([i for i in ids[:6] if i in new])
        assert new.search_rows(rows, k=4) == old_gallery.search_rows(rows, k=4)

    with Gallery.open(tmp_path / "g", params=params, matcher=_old_path) as old:
        compare(old)
        assert new._state.minutiae is not None and new._state.minutiae.persons == 50  # held from the first batch
        assert new.search_many(probes, k=5)[0][0].method == "matcher"
        # changes: removal and update are seen by the held minutiae (incrementally)
        new.remove(ids[1])
        new.update(ids[2], noisy_person(people[ids[0]], rng))
        new.enroll("LATE", noisy_person(people[ids[3]], rng))
        compare(old)
        # written to the cache, memory-mapped on reopening
        new.save_cache()
        assert (tmp_path / "g" / "cache" / "minutiae_x.npy").exists()
        compare(old)
        new.close()
        new = Gallery.open(tmp_path / "g", params=params)
        assert isinstance(new._state.minutiae.blocks[0].x.base, np.memmap)
        compare(old)
        new.enroll("LIVE", noisy_person(people[ids[4]], rng))  # appended beside the map, not copied into memory
        compare(old)
        held = new._state.minutiae
        assert isinstance(held.blocks[0].x.base, np.memmap) and len(held.blocks) == 2
        assert held.persons == held.blocks[0].persons + 1
        for i in ids[10:20]:  # enough removals to compact the derived arrays
            new.remove(i)
        compare(old)
    new.close()


@pytest.mark.skipif(not isinstance(_MATCHER, BiocoreMatchFn), reason="native matcher unavailable")
def test_cache_without_held_minutiae_is_completed(tmp_path, rng):
    people = {f"ID{i:03d}": random_person(rng) for i in range(12)}
    with Gallery.open(tmp_path / "g", matcher=None) as g:
        g.enroll_many(people.items())
        g.save_cache()  # written by a code-only gallery: no minutiae
    probe = noisy_person(people["ID005"], rng)
    with Gallery.open(tmp_path / "g", matcher=_old_path) as old, Gallery.open(tmp_path / "g") as new:
        assert new._state.minutiae is None
        assert new.search(probe, k=3) == old.search(probe, k=3)
        assert new.search(probe, k=3)[0].identity == "ID005"
        assert new._state.minutiae.persons == 12


@pytest.mark.skipif(not isinstance(_MATCHER, BiocoreMatchFn), reason="native matcher unavailable")
def test_held_minutiae_are_built_once_queries_pay_for_them(tmp_path, rng):
    people = {f"ID{i:03d}": random_person(rng, fingers=(1, 2)) for i in range(130)}
    probes = [noisy_person(people[f"ID{i:03d}"], rng) for i in range(3)]
    with Gallery.open(tmp_path / "g") as new, Gallery.open(tmp_path / "g", matcher=_old_path) as old:
        new.enroll_many(people.items())
        assert new.search(probes[0], k=3) == old.search(probes[0], k=3)
        assert new._state.minutiae is None  # one query for 130 persons: packed from the store
        assert new.search_many(probes, k=3) == old.search_many(probes, k=3)
        assert new._state.minutiae is not None and new._state.minutiae.persons == 130
        new.enroll("LATE", noisy_person(people["ID001"], rng))  # held minutiae grow incrementally
        assert new.search_many(probes, k=3) == old.search_many(probes, k=3)
        assert new._state.minutiae.persons == 131


def test_held_minutiae_in_blocks_answer_as_one_block(rng):
    persons = _persons(rng, 23)
    held = HeldMinutiae(GalleryMinutiae.from_persons(persons[:10]))
    for start, stop in [(10, 11), (11, 12), (12, 15), (15, 16), (16, 23)]:
        held.append(GalleryMinutiae.from_persons(persons[start:stop]))
    held.append(GalleryMinutiae.empty())
    assert held.persons == 23 and len(held.blocks) > 1
    ref = GalleryMinutiae.from_persons(persons)
    slots = np.array([s for s in range(230) if ref.held[s]])
    pick = rng.permutation(slots)  # any order, across the blocks
    np.testing.assert_array_equal(held.held_at(np.arange(230)), ref.held)
    got, want = held.prepare(pick).minutiae_arrays(), ref.prepare(pick).minutiae_arrays()
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)
        assert got[name].dtype == want[name].dtype
    keep = np.array([0, 3, 10, 12, 13, 20, 22])
    for name, arr in ref.take(keep).arrays().items():
        np.testing.assert_array_equal(held.take(keep).blocks[0].arrays()[name], arr, err_msg=name)
    with pytest.raises(ValueError, match="ascending"):
        held.take(np.array([3, 1]))
