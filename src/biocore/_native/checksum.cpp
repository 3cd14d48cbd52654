// CRC-32 (IEEE 802.3, the polynomial zlib uses) over single buffers and over many records of one buffer.
// Used by the compact template format to verify records in bulk without a Python call per record.
#include "common.hpp"

#include <array>

namespace biocore {
namespace {

// Slicing-by-4 tables, built once.
struct Crc32Tables {
    std::array<std::array<std::uint32_t, 256>, 4> t{};
    Crc32Tables() {
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
            t[0][i] = c;
        }
        for (std::uint32_t i = 0; i < 256; ++i) {
            for (int s = 1; s < 4; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
        }
    }
};

const Crc32Tables& tables() {
    static const Crc32Tables instance;
    return instance;
}

}  // namespace

std::uint32_t crc32_bytes(const std::uint8_t* data, std::size_t n, std::uint32_t crc) {
    const auto& t = tables().t;
    crc = ~crc;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        crc ^= static_cast<std::uint32_t>(data[i]) | (static_cast<std::uint32_t>(data[i + 1]) << 8) |
               (static_cast<std::uint32_t>(data[i + 2]) << 16) | (static_cast<std::uint32_t>(data[i + 3]) << 24);
        crc = t[3][crc & 0xFFu] ^ t[2][(crc >> 8) & 0xFFu] ^ t[1][(crc >> 16) & 0xFFu] ^ t[0][crc >> 24];
    }
    for (; i < n; ++i) crc = t[0][(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

namespace {

std::uint32_t py_crc32(const carray<std::uint8_t>& data, std::uint32_t start) {
    const std::uint8_t* p = data.data();
    std::size_t n = static_cast<std::size_t>(data.size());
    std::uint32_t out;
    {
        py::gil_scoped_release release;
        out = crc32_bytes(p, n, start);
    }
    return out;
}

// CRC of data[offsets[i] : offsets[i] + lengths[i]] for every i; ranges are checked against the buffer.
carray<std::uint32_t> py_crc32_many(const carray<std::uint8_t>& data, const carray<std::int64_t>& offsets,
                                    const carray<std::int64_t>& lengths, int threads) {
    if (offsets.ndim() != 1 || lengths.ndim() != 1 || offsets.size() != lengths.size())
        throw std::invalid_argument("offsets and lengths must be 1-D arrays of equal length");
    const std::size_t n = static_cast<std::size_t>(offsets.size());
    const std::int64_t size = static_cast<std::int64_t>(data.size());
    const std::int64_t* off = offsets.data();
    const std::int64_t* len = lengths.data();
    for (std::size_t i = 0; i < n; ++i) {
        if (off[i] < 0 || len[i] < 0 || off[i] > size || len[i] > size - off[i])
            throw std::out_of_range("record " + std::to_string(i) + " lies outside the buffer");
    }
    carray<std::uint32_t> out(static_cast<py::ssize_t>(n));
    std::uint32_t* o = out.mutable_data();
    const std::uint8_t* p = data.data();
    {
        py::gil_scoped_release release;
        parallel_for(n, threads, 4096, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) o[i] = crc32_bytes(p + off[i], static_cast<std::size_t>(len[i]), 0u);
        });
    }
    return out;
}

}  // namespace

void register_checksum(py::module_& m) {
    m.def("crc32", &py_crc32, py::arg("data"), py::arg("start") = 0u,
          "CRC-32 (zlib polynomial) of a uint8 buffer, continuing from `start`.");
    m.def("crc32_many", &py_crc32_many, py::arg("data"), py::arg("offsets"), py::arg("lengths"),
          py::arg("threads") = 0, "CRC-32 of many byte ranges of one uint8 buffer; returns uint32[n].");
}

}  // namespace biocore
