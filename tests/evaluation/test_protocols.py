"""real_fvc_sets: which data folders count as real FVC sets."""


def test_real_fvc_sets_leaves_out_synthetic_and_foreign_folders(tmp_path):
    from biocore.evaluation.protocols import real_fvc_sets

    for name in ("fvc2002_db2_b", "fvc2000_db1_b", "fvc2000_db4_b_SYNTHETIC", "nist_sd4"):
        (tmp_path / name).mkdir()
    assert real_fvc_sets(tmp_path) == ["fvc2000_db1_b", "fvc2002_db2_b"]
