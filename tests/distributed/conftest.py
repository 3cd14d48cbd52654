"""Fixtures: the population in one gallery and in a 2-shard gallery (same persons), and a LocalCluster.

(No ``__init__.py`` here: as a package this folder would shadow the ``distributed`` library.)"""

from __future__ import annotations

import pytest
from dist_population import PARAMS, population

from biocore.search import Gallery


@pytest.fixture(scope="session")
def people():
    return population()


@pytest.fixture(scope="session")
def galleries(tmp_path_factory, people):
    """(single gallery folder, sharded gallery folder), both holding ``people``."""
    from biocore.distributed import ShardedGallery

    root = tmp_path_factory.mktemp("dist")
    with Gallery.open(root / "single", params=PARAMS) as g:
        g.enroll_many(people)
    with ShardedGallery.open(root / "sharded", shards=2, params=PARAMS) as s:
        s.enroll_many(people)
    return root / "single", root / "sharded"


@pytest.fixture(scope="session")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="session")
def reference(galleries, tmp_path_factory):
    """The in-process sharded N:N job (k=4, threshold 0: every top-4 candidate), for comparisons."""
    from biocore.distributed import ShardedGallery, run_dedup

    with ShardedGallery.open(galleries[1], params=PARAMS) as s:
        return run_dedup(s, tmp_path_factory.mktemp("ref"), k=4, threshold=0.0, batch_persons=16, progress=False,
                         report=False)
