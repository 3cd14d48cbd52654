// Bulk decoding of the compact biocore template format: many records from one buffer into flat
// struct-of-arrays columns. Two passes: a sequential scan that finds record boundaries (each record's
// size follows from its minutia count), then a parallel unpack that checks every record's CRC and
// fields and writes its minutiae. The layout is documented in biocore/templates/biocore_format.py.
#include "common.hpp"

#include <cmath>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define BIOCORE_CRC_CLMUL 1
#include <immintrin.h>
#endif

namespace biocore {

namespace {

constexpr std::size_t kHeader = 16;
constexpr std::size_t kCrc = 4;
constexpr std::size_t kMinutia = 8;
constexpr std::uint8_t kVersion = 1;

inline std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
inline std::uint32_t le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Slicing-by-8 CRC-32 (zlib polynomial): the bulk decoder checks every byte, so this is its hot loop.
struct Crc8Tables {
    std::uint32_t t[8][256];
    Crc8Tables() {
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
            t[0][i] = c;
        }
        for (std::uint32_t i = 0; i < 256; ++i)
            for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
    }
};

const Crc8Tables& crc8_tables() {
    static const Crc8Tables instance;
    return instance;
}

std::uint32_t crc32_tables(const std::uint8_t* data, std::size_t n, std::uint32_t crc) {
    // `crc` is the running (inverted) state; returns the running state.
    const auto& t = crc8_tables().t;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const std::uint32_t lo = le32(data + i) ^ crc;
        const std::uint32_t hi = le32(data + i + 4);
        crc = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
              t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
    }
    for (; i < n; ++i) crc = t[0][(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
    return crc;
}

#ifdef BIOCORE_CRC_CLMUL
// Carry-less multiplication folding (Gopal et al., "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ Instruction", Intel, 2009) for the bit-reflected zlib polynomial: four 128-bit
// lanes folded 64 bytes at a time, then to 128 bits, 64 bits and a Barrett reduction to 32 bits.
// The constants are x^k mod P(x) for the fold distances, P(x) itself and floor(x^64 / P(x)).
// Needs n >= 64 and n % 16 == 0; `crc` is the running (inverted) state, as returned.
__attribute__((target("pclmul,sse4.1"))) inline __m128i load16(const std::uint8_t* q) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i acc, __m128i k, __m128i next) {
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(acc, k, 0x11), _mm_clmulepi64_si128(acc, k, 0x00)), next);
}

__attribute__((target("pclmul,sse4.1"))) std::uint32_t crc32_clmul(const std::uint8_t* p, std::size_t n,
                                                                    std::uint32_t crc) {
    alignas(16) static const std::uint64_t k1k2[2] = {0x0154442bd4ULL, 0x01c6e41596ULL};
    alignas(16) static const std::uint64_t k3k4[2] = {0x01751997d0ULL, 0x00ccaa009eULL};
    alignas(16) static const std::uint64_t k5k0[2] = {0x0163cd6124ULL, 0ULL};
    alignas(16) static const std::uint64_t poly[2] = {0x01db710641ULL, 0x01f7011641ULL};
    __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(k1k2));
    __m128i a = _mm_xor_si128(load16(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
    __m128i b = load16(p + 16), c = load16(p + 32), d = load16(p + 48);
    p += 64;
    n -= 64;
    for (; n >= 64; p += 64, n -= 64) {
        a = fold(a, k, load16(p));
        b = fold(b, k, load16(p + 16));
        c = fold(c, k, load16(p + 32));
        d = fold(d, k, load16(p + 48));
    }
    k = _mm_load_si128(reinterpret_cast<const __m128i*>(k3k4));
    a = fold(a, k, b);
    a = fold(a, k, c);
    a = fold(a, k, d);
    for (; n >= 16; p += 16, n -= 16) a = fold(a, k, load16(p));
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
    __m128i x = _mm_xor_si128(_mm_srli_si128(a, 8), _mm_clmulepi64_si128(a, k, 0x10));
    const __m128i k5 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(k5k0));
    x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), k5, 0x00), _mm_srli_si128(x, 4));
    const __m128i pu = _mm_load_si128(reinterpret_cast<const __m128i*>(poly));
    __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, low32), pu, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), pu, 0x00);
    return static_cast<std::uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, t), 1));
}

bool has_clmul() {
    static const bool yes = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    return yes;
}
#endif

// CRC-32 (zlib polynomial) of one record: carry-less multiplication where the CPU has it, else tables.
std::uint32_t crc32_fast(const std::uint8_t* data, std::size_t n) {
    std::uint32_t crc = 0xFFFFFFFFu;
#ifdef BIOCORE_CRC_CLMUL
    if (n >= 64 && has_clmul()) {
        const std::size_t m = n & ~static_cast<std::size_t>(15);
        crc = crc32_clmul(data, m, crc);
        data += m;
        n -= m;
    }
#endif
    return ~crc32_tables(data, n, crc);
}

// Walks the record chain from the start, checking each record's CRC and header fields on the way;
// calls visit(record end, minutia count) per good record. Returns the byte where the chain stops
// (status 1: a truncated record or one that is not a biocore record; status 2: a record whose CRC
// or header fields are wrong), or size with status 0. The walk reads the buffer in order, so the
// next header is already in cache when the CRC of the previous record is done.
template <typename Visit>
std::size_t walk_records(const std::uint8_t* p, std::size_t size, int& status, Visit visit) {
    std::size_t at = 0;
    status = 0;
    while (at < size) {
        if (size - at < kHeader + kCrc || std::memcmp(p + at, "BCTM", 4) != 0 || p[at + 4] != kVersion) {
            status = 1;
            return at;
        }
        const std::size_t n = le16(p + at + 14);
        const std::size_t len = kHeader + kMinutia * n + kCrc;
        if (len > size - at) {
            status = 1;
            return at;
        }
        const std::uint8_t* r = p + at;
        if (crc32_fast(r, len - kCrc) != le32(r + len - kCrc) || r[7] != 0 || r[5] > 10 || r[6] > 100 ||
            le16(r + 12) == 0) {
            status = 2;
            return at;
        }
        at += len;
        visit(at, n);
    }
    return at;
}

// Record boundaries. Returns (record byte offsets [n + 1], minutia offsets [n + 1], status, where)
// for the n good records before `where`; status as walk_records.
py::tuple py_biocore_scan(const carray<std::uint8_t>& data) {
    const std::uint8_t* p = data.data();
    const std::size_t size = static_cast<std::size_t>(data.size());
    std::vector<std::int64_t> rec{0};
    std::vector<std::int64_t> mins{0};
    int status = 0;
    std::size_t stop;
    {
        py::gil_scoped_release release;
        crc8_tables();
#ifdef BIOCORE_CRC_CLMUL
        has_clmul();
#endif
        // Grown as records are verified present, never sized from a count in the data.
        stop = walk_records(p, size, status, [&](std::size_t end, std::size_t n) {
            rec.push_back(static_cast<std::int64_t>(end));
            mins.push_back(mins.back() + static_cast<std::int64_t>(n));
        });
    }
    carray<std::int64_t> rec_out(static_cast<py::ssize_t>(rec.size()));
    carray<std::int64_t> min_out(static_cast<py::ssize_t>(mins.size()));
    std::memcpy(rec_out.mutable_data(), rec.data(), rec.size() * sizeof(std::int64_t));
    std::memcpy(min_out.mutable_data(), mins.data(), mins.size() * sizeof(std::int64_t));
    return py::make_tuple(rec_out, min_out, static_cast<std::int64_t>(status), static_cast<std::int64_t>(stop));
}

// Unpacks records [0, n) found (and CRC-checked) by the scan into the preallocated columns. Returns
// the index of the first record whose minutiae fail their range checks, or -1 when all pass.
std::int64_t py_biocore_unpack(const carray<std::uint8_t>& data, const carray<std::int64_t>& rec_offsets,
                               const carray<std::int64_t>& min_offsets, carray<std::int32_t>& x,
                               carray<std::int32_t>& y, carray<float>& angle, carray<std::uint8_t>& kind,
                               carray<std::uint8_t>& quality, carray<std::int32_t>& width,
                               carray<std::int32_t>& height, carray<std::int32_t>& dpi,
                               carray<std::uint8_t>& finger, carray<std::uint8_t>& image_quality, int threads) {
    const std::size_t n = static_cast<std::size_t>(rec_offsets.size()) - 1;
    if (rec_offsets.size() < 1 || min_offsets.size() != rec_offsets.size() || width.size() != static_cast<py::ssize_t>(n) ||
        height.size() != width.size() || dpi.size() != width.size() || finger.size() != width.size() ||
        image_quality.size() != width.size())
        throw std::invalid_argument("per-record arrays must have one entry per record");
    const std::int64_t total = min_offsets.data()[n];
    if (x.size() != total || y.size() != total || angle.size() != total || kind.size() != total || quality.size() != total)
        throw std::invalid_argument("minutia arrays must hold min_offsets[-1] entries");
    if (rec_offsets.data()[n] > static_cast<std::int64_t>(data.size()))
        throw std::out_of_range("records extend past the buffer");
    const std::uint8_t* p = data.data();
    const std::int64_t* ro = rec_offsets.data();
    const std::int64_t* mo = min_offsets.data();
    std::int32_t* xs = x.mutable_data();
    std::int32_t* ys = y.mutable_data();
    float* as = angle.mutable_data();
    std::uint8_t* ks = kind.mutable_data();
    std::uint8_t* qs = quality.mutable_data();
    std::int32_t* ws = width.mutable_data();
    std::int32_t* hs = height.mutable_data();
    std::int32_t* ds = dpi.mutable_data();
    std::uint8_t* fs = finger.mutable_data();
    std::uint8_t* iqs = image_quality.mutable_data();
    const double step = 2.0 * M_PI / 65536.0;  // same grid and float64 -> float32 rounding as Template
    std::atomic<std::int64_t> first_bad{static_cast<std::int64_t>(n)};
    {
        py::gil_scoped_release release;
        parallel_for(n, threads, 2048, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) {
                const std::uint8_t* r = p + ro[i];
                const std::uint8_t fin = r[5], iq = r[6];
                const std::uint16_t w = le16(r + 8), h = le16(r + 10), d = le16(r + 12);
                bool ok = true;
                const std::int64_t m0 = mo[i], m = mo[i + 1] - mo[i];
                const std::uint8_t* mp = r + kHeader;
                for (std::int64_t k = 0; k < m && ok; ++k, mp += kMinutia) {
                    const std::uint16_t mx = le16(mp), my = le16(mp + 2), ma = le16(mp + 4);
                    const std::uint8_t mk = mp[6], mq = mp[7];
                    ok = (w == 0 || mx < w) && (h == 0 || my < h) && mk <= 2 && mq <= 100;
                    xs[m0 + k] = mx;
                    ys[m0 + k] = my;
                    as[m0 + k] = static_cast<float>(static_cast<double>(ma) * step);
                    ks[m0 + k] = mk;
                    qs[m0 + k] = mq;
                }
                if (!ok) {
                    std::int64_t cur = first_bad.load();
                    while (static_cast<std::int64_t>(i) < cur && !first_bad.compare_exchange_weak(cur, static_cast<std::int64_t>(i))) {
                    }
                    continue;
                }
                ws[i] = w;
                hs[i] = h;
                ds[i] = d;
                fs[i] = fin;
                iqs[i] = iq;
            }
        });
    }
    const std::int64_t bad = first_bad.load();
    return bad == static_cast<std::int64_t>(n) ? -1 : bad;
}

}  // namespace

void register_template_codec(py::module_& m) {
    m.def("biocore_scan", &py_biocore_scan, py::arg("data"),
          "Record boundaries of back-to-back biocore records: (record offsets, minutia offsets, status, where).");
    m.def("biocore_unpack", &py_biocore_unpack, py::arg("data"), py::arg("rec_offsets"), py::arg("min_offsets"),
          py::arg("x"), py::arg("y"), py::arg("angle"), py::arg("kind"), py::arg("quality"), py::arg("width"),
          py::arg("height"), py::arg("dpi"), py::arg("finger"), py::arg("image_quality"), py::arg("threads") = 0,
          "Unpack scanned biocore records into flat columns; returns the first failing record or -1.");
}

}  // namespace biocore
