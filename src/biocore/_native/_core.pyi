"""Type stubs for the private native module (kept beside the sources; one section per area)."""

import numpy as np
import numpy.typing as npt

__version__: str

def hardware_threads() -> int: ...

# checksum.cpp
def crc32(data: npt.NDArray[np.uint8], start: int = 0) -> int: ...
def crc32_many(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    threads: int = 0,
) -> npt.NDArray[np.uint32]: ...

# template_codec.cpp
def biocore_scan(
    data: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, int]: ...
def biocore_unpack(
    data: npt.NDArray[np.uint8],
    rec_offsets: npt.NDArray[np.int64],
    min_offsets: npt.NDArray[np.int64],
    x: npt.NDArray[np.int32],
    y: npt.NDArray[np.int32],
    angle: npt.NDArray[np.float32],
    kind: npt.NDArray[np.uint8],
    quality: npt.NDArray[np.uint8],
    width: npt.NDArray[np.int32],
    height: npt.NDArray[np.int32],
    dpi: npt.NDArray[np.int32],
    finger: npt.NDArray[np.uint8],
    image_quality: npt.NDArray[np.uint8],
    threads: int = 0,
) -> int: ...

# matching.cpp
class PreparedProbe:
    def __init__(
        self,
        x: npt.NDArray[np.int32],
        y: npt.NDArray[np.int32],
        angle: npt.NDArray[np.float32],
        kind: npt.NDArray[np.uint8],
        quality: npt.NDArray[np.uint8],
        scale: float,
        params: npt.NDArray[np.float64],
    ) -> None: ...
    def match_packed(
        self,
        offsets: npt.NDArray[np.int64],
        x: npt.NDArray[np.float32],
        y: npt.NDArray[np.float32],
        angle: npt.NDArray[np.uint16],
        kind: npt.NDArray[np.uint8],
        quality: npt.NDArray[np.uint8],
        edges: npt.NDArray[np.uint8],
        count: npt.NDArray[np.uint8],
        cylinders: npt.NDArray[np.uint64],
        threads: int = 0,
        parts: bool = False,
        mcc_keys: npt.NDArray[np.uint32] | None = None,
        mcc_words: npt.NDArray[np.uint64] | None = None,
    ) -> npt.NDArray[np.float32]: ...
    def votes(
        self,
        x: npt.NDArray[np.int32],
        y: npt.NDArray[np.int32],
        angle: npt.NDArray[np.float32],
        kind: npt.NDArray[np.uint8],
        quality: npt.NDArray[np.uint8],
        scale: float,
        one_off: bool = False,
    ) -> npt.NDArray[np.uint16]: ...
    def match_prepared(self, other: PreparedProbe) -> float: ...
    def explain(
        self, other: PreparedProbe
    ) -> tuple[float, float, float, npt.NDArray[np.int32], int]: ...
    def edge_table(self) -> npt.NDArray[np.uint8]: ...

def match_pair(
    x1: npt.NDArray[np.int32],
    y1: npt.NDArray[np.int32],
    angle1: npt.NDArray[np.float32],
    kind1: npt.NDArray[np.uint8],
    quality1: npt.NDArray[np.uint8],
    scale1: float,
    x2: npt.NDArray[np.int32],
    y2: npt.NDArray[np.int32],
    angle2: npt.NDArray[np.float32],
    kind2: npt.NDArray[np.uint8],
    quality2: npt.NDArray[np.uint8],
    scale2: float,
    params: npt.NDArray[np.float64],
) -> float: ...
def mcc_cylinders(
    x: npt.NDArray[np.float32],
    y: npt.NDArray[np.float32],
    angle: npt.NDArray[np.uint16],
    params: npt.NDArray[np.float64],
) -> npt.NDArray[np.uint64]: ...
def mcc_vector_scan(allowed: bool) -> bool: ...
def pack_edges(
    offsets: npt.NDArray[np.int64],
    x: npt.NDArray[np.float32],
    y: npt.NDArray[np.float32],
    angle: npt.NDArray[np.uint16],
    params: npt.NDArray[np.float64],
    threads: int = 0,
) -> tuple[
    npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.uint64], npt.NDArray[np.uint32], npt.NDArray[np.uint64]
]: ...
