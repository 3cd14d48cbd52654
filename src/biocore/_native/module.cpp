// biocore._native._core: registers one area per source file. Nothing else lives here.
#include "common.hpp"

namespace biocore {
void register_checksum(py::module_& m);
void register_template_codec(py::module_& m);
void register_matching(py::module_& m);
}  // namespace biocore

PYBIND11_MODULE(_core, m) {
    m.doc() = "biocore native kernels (private: use the biocore Python API)";
#ifdef BIOCORE_VERSION_INFO
    m.attr("__version__") = BIOCORE_VERSION_INFO;
#endif
    m.def("hardware_threads", []() { return biocore::resolve_threads(0); },
          "Number of threads the kernels use when asked for 0 (all cores).");
    biocore::register_checksum(m);
    biocore::register_template_codec(m);
    biocore::register_matching(m);
}
