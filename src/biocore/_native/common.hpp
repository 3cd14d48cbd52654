// Shared helpers for the native kernels: buffer checks and a small thread pool loop.
// Kernels take raw contiguous buffers with explicit sizes; Python owns validation and allocation.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace biocore {

namespace py = pybind11;

// Arrays crossing the boundary: C-contiguous, fixed dtype, no implicit conversion (Python converts).
template <typename T>
using carray = py::array_t<T, py::array::c_style>;

inline int resolve_threads(int threads) {
    if (threads > 0) return threads;
    unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

// Runs body(begin, end) over [0, n) in chunks on up to `threads` threads (0 = all cores).
// Work is handed out dynamically in chunks of `grain` so uneven items balance.
// The caller must have released the GIL; body must not touch Python objects.
template <typename Body>
void parallel_for(std::size_t n, int threads, std::size_t grain, Body body) {
    if (n == 0) return;
    grain = std::max<std::size_t>(1, grain);
    std::size_t chunks = (n + grain - 1) / grain;
    int workers = static_cast<int>(std::min<std::size_t>(resolve_threads(threads), chunks));
    if (workers <= 1) {
        body(std::size_t{0}, n);
        return;
    }
    std::atomic<std::size_t> next{0};
    auto run = [&]() {
        for (;;) {
            std::size_t begin = next.fetch_add(grain);
            if (begin >= n) return;
            body(begin, std::min(n, begin + grain));
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (int i = 0; i < workers - 1; ++i) pool.emplace_back(run);
    run();
    for (auto& t : pool) t.join();
}

}  // namespace biocore
