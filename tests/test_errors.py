from __future__ import annotations

import pytest

import biocore
from biocore import errors


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (errors.InvalidArgument, ValueError),
        (errors.InvalidImage, ValueError),
        (errors.InvalidTemplate, ValueError),
        (errors.UnsupportedFormat, ValueError),
        (errors.GalleryError, OSError),
        (errors.MissingDependency, ImportError),
        (errors.ClusterError, ConnectionError),
    ],
)
def test_every_error_is_a_biocore_error_and_the_expected_builtin(cls, builtin):
    assert issubclass(cls, biocore.BiocoreError)
    assert issubclass(cls, builtin)
    assert biocore.errors.BiocoreError is biocore.BiocoreError
