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
