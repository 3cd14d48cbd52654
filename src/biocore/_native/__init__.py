"""Private native kernels (C++17 via pybind11). Not part of the public API.

Every function here takes C-contiguous arrays of a fixed dtype and releases the GIL; the public
Python functions validate, coerce and allocate before calling in.
"""
