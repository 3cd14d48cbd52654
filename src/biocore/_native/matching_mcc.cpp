// Minutia Cylinder-Code (bit-based) local descriptors and Local Similarity Sort with Relaxation.
//
// Each minutia gets a cylinder: a disc of radius R around it, in its own frame (so rotation and
// translation do not change it), cut into Ns x Ns cells and Nd direction sections. A cell's bit
// says whether neighbouring minutiae near the cell centre have a direction difference falling in
// that section (Gaussian spatial and directional contributions, thresholded). Cells outside the
// convex hull of the template's minutiae (grown by a margin) are invalid, so a cylinder at the
// edge of the print only compares the part both prints show. Two cylinders compare by popcounts
// over the cells valid in both. The global score (LSS-R) takes the best local pairs, lets each
// pair's weight relax towards the pairs geometrically compatible with it (distance, direction
// difference and radial angle agree), and averages the most efficient few.
//
// R. Cappelli, M. Ferrara, D. Maltoni, "Minutia Cylinder-Code: a new representation and matching
// technique for fingerprint recognition", IEEE TPAMI 32(12):2128-2141, 2010. Written from the
// paper; positions in 500 ppi pixels, angles as 16-bit steps of a full turn, image rows downward.
#include "matching_mcc.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define BIOCORE_MCC_AVX512 1
#endif

namespace biocore {
namespace mcc {
namespace {

constexpr double kPi = 3.141592653589793;
constexpr double kTwoPi = 6.283185307179586;
constexpr double kStepsPerRad = 65536.0 / kTwoPi;

inline int angle_diff(uint16_t a, uint16_t b) { return static_cast<int16_t>(static_cast<uint16_t>(a - b)); }

inline uint16_t to_steps(float rad) {
    int s = static_cast<int>(std::floor(rad * static_cast<float>(kStepsPerRad) + 0.5f));
    return static_cast<uint16_t>(static_cast<uint32_t>(s) & 0xFFFFu);
}

inline double sigmoid(double v, double mu, double tau) { return 1.0 / (1.0 + std::exp(-tau * (v - mu))); }

}  // namespace

constexpr int kDirBins = 1024;      // directional contribution by wrapped angle, 64 steps a bin
constexpr int kDistBins = 1024;     // rho distance term, 1/8 px a bin
constexpr float kDistBinPx = 0.125f;
constexpr int kAngleBins = 513;     // rho angle terms by |difference| >> 6
constexpr float kNegligibleRho = 1e-4f;  // compatibilities below this count as 0

struct Tables {
    std::vector<double> key;
    std::vector<float> dir;     // [section * kDirBins + bin]: integral of the direction Gaussian over the section
    std::vector<float> rho_d;   // Z(distance difference)
    std::vector<float> rho_a2;  // Z(|direction-difference difference|)
    std::vector<uint8_t> rho_a2_counts;  // rho_a2 >= kNegligibleRho: two pairs can be compatible
    int rho_a2_prefix = -1;  // those bins are exactly the first this many (-1: not a prefix)
    int rho_d_prefix = -1;   // the bins with rho_d >= kNegligibleRho are the first this many (or -1)
    std::vector<float> rho_a3;  // Z(|radial angle difference|)
    std::vector<float> sqrt_count;  // sqrt(k) for every cell count k a cylinder can have
};

namespace {

std::shared_ptr<const Tables> tables_for(const Params& p, const std::vector<double>& key) {
    static std::mutex mutex;
    static std::map<std::vector<double>, std::shared_ptr<const Tables>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    auto t = std::make_shared<Tables>();
    t->key = key;
    const double width = kTwoPi / p.sections;
    const double s = p.sigma_dir_rad * std::sqrt(2.0);
    t->dir.resize(static_cast<std::size_t>(p.sections) * kDirBins);
    for (int k = 0; k < p.sections; ++k) {
        const double centre = -kPi + (k + 0.5) * width;
        for (int b = 0; b < kDirBins; ++b) {
            // the relative direction this bin stands for (bin centre), minus the section centre, wrapped
            double rel = (b + 0.5) * kTwoPi / kDirBins;
            double alpha = std::remainder(centre - rel, kTwoPi);
            t->dir[static_cast<std::size_t>(k) * kDirBins + b] =
                static_cast<float>(0.5 * (std::erf((alpha + width / 2) / s) - std::erf((alpha - width / 2) / s)));
        }
    }
    t->rho_d.resize(kDistBins + 1);
    for (int b = 0; b <= kDistBins; ++b)
        t->rho_d[b] = static_cast<float>(sigmoid((b + 0.5) * kDistBinPx, p.rho_mu[0], p.rho_tau[0]));
    t->rho_a2.resize(kAngleBins);
    t->rho_a3.resize(kAngleBins);
    for (int b = 0; b < kAngleBins; ++b) {
        double rad = (b * 64 + 32) / kStepsPerRad;
        t->rho_a2[b] = static_cast<float>(sigmoid(rad, p.rho_mu[1], p.rho_tau[1]));
        t->rho_a2_counts.push_back(t->rho_a2[b] >= kNegligibleRho);
        t->rho_a3[b] = static_cast<float>(sigmoid(rad, p.rho_mu[2], p.rho_tau[2]));
    }
    const int counted = static_cast<int>(std::count(t->rho_a2_counts.begin(), t->rho_a2_counts.end(), 1));
    if (std::all_of(t->rho_a2_counts.begin(), t->rho_a2_counts.begin() + counted, [](uint8_t c) { return c == 1; }))
        t->rho_a2_prefix = counted;
    const auto negligible = [](float v) { return v < kNegligibleRho; };
    const auto first_negligible = std::find_if(t->rho_d.begin(), t->rho_d.end(), negligible);
    if (std::all_of(first_negligible, t->rho_d.end(), negligible))
        t->rho_d_prefix = static_cast<int>(first_negligible - t->rho_d.begin());
    t->sqrt_count.resize(static_cast<std::size_t>(p.cells) * p.cells * p.sections + 1);
    for (std::size_t k = 0; k < t->sqrt_count.size(); ++k) t->sqrt_count[k] = std::sqrt(static_cast<float>(k));
    cache.emplace(key, t);
    return t;
}

}  // namespace

Params Params::from(const double* v) {
    Params p;
    p.radius_px = static_cast<float>(std::max(1.0, v[0]));
    p.cells = std::clamp(static_cast<int>(v[1]), 2, 32);
    p.sections = std::clamp(static_cast<int>(v[2]), 1, 16);
    p.sigma_space_px = static_cast<float>(std::max(0.1, v[3]));
    p.sigma_dir_rad = static_cast<float>(std::max(1e-3, v[4]));
    p.bit_threshold = static_cast<float>(v[5]);
    p.hull_margin_px = static_cast<float>(v[6]);
    p.min_valid_cells = static_cast<float>(v[7]);
    p.min_neighbors = static_cast<int>(v[8]);
    p.min_matchable = static_cast<float>(v[9]);
    p.max_rotation_steps = static_cast<int>(std::lround(std::min(v[10], 3.2) * kStepsPerRad));
    p.pairs_min = std::max(1, static_cast<int>(v[11]));
    p.pairs_max = std::max(p.pairs_min, static_cast<int>(v[12]));
    p.pairs_mu = static_cast<float>(v[13]);
    p.pairs_tau = static_cast<float>(v[14]);
    p.relax_iterations = std::clamp(static_cast<int>(v[15]), 0, 100);
    p.relax_weight = static_cast<float>(v[16]);
    for (int k = 0; k < 3; ++k) {
        p.rho_mu[k] = static_cast<float>(v[17 + 2 * k]);
        p.rho_tau[k] = static_cast<float>(v[18 + 2 * k]);
    }
    p.max_relax_pairs = std::clamp(static_cast<int>(v[23]), 2, 4096);
    const int bits = p.cells * p.cells * p.sections;
    p.words = (bits + 63) / 64;
    p.word_per_section = p.cells * p.cells == 64;
    const float step = 2.0f * p.radius_px / p.cells;
    p.disc_cells = 0;
    for (int i = 0; i < p.cells; ++i)
        for (int j = 0; j < p.cells; ++j) {
            float u = (i - (p.cells - 1) * 0.5f) * step, w = (j - (p.cells - 1) * 0.5f) * step;
            p.disc_cells += (u * u + w * w <= p.radius_px * p.radius_px);
        }
    std::vector<double> key = {static_cast<double>(p.sections), p.sigma_dir_rad, static_cast<double>(p.cells)};
    for (int k = 0; k < 3; ++k) {
        key.push_back(p.rho_mu[k]);
        key.push_back(p.rho_tau[k]);
    }
    p.tables = tables_for(p, key);
    return p;
}

void build(int n, const float* x, const float* y, const uint16_t* angle, const Params& prm, uint64_t* out) {
    const int W = prm.words, Ns = prm.cells, Nd = prm.sections;
    std::memset(out, 0, sizeof(uint64_t) * 2 * W * static_cast<std::size_t>(n));
    if (n < 3) return;
    // convex hull (Andrew's monotone chain), then its edges as outward lines n.r - c
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]); });
    auto cross = [&](int o, int a, int b) {
        return (x[a] - x[o]) * (y[b] - y[o]) - (y[a] - y[o]) * (x[b] - x[o]);
    };
    std::vector<int> hull(2 * n);
    int h = 0;
    for (int k = 0; k < n; ++k) {
        while (h >= 2 && cross(hull[h - 2], hull[h - 1], order[k]) <= 0) --h;
        hull[h++] = order[k];
    }
    for (int k = n - 2, lower = h + 1; k >= 0; --k) {
        while (h >= lower && cross(hull[h - 2], hull[h - 1], order[k]) <= 0) --h;
        hull[h++] = order[k];
    }
    h = std::max(0, h - 1);
    if (h < 3) return;  // collinear minutiae: no area to trust
    float cx = 0, cy = 0;
    for (int k = 0; k < h; ++k) cx += x[hull[k]], cy += y[hull[k]];
    cx /= h;
    cy /= h;
    std::vector<float> lnx(h), lny(h), lc(h);
    for (int k = 0; k < h; ++k) {
        int a = hull[k], b = hull[(k + 1) % h];
        float nx = y[b] - y[a], ny = -(x[b] - x[a]);
        float len = std::sqrt(nx * nx + ny * ny);
        nx /= len;
        ny /= len;
        if (nx * (cx - x[a]) + ny * (cy - y[a]) > 0) nx = -nx, ny = -ny;
        lnx[k] = nx;
        lny[k] = ny;
        lc[k] = nx * x[a] + ny * y[a];
    }
    const float step = 2.0f * prm.radius_px / Ns;
    const float half = (Ns - 1) * 0.5f;
    const float sig = prm.sigma_space_px;
    const float reach = 3.0f * sig;
    const float inv2s2 = 1.0f / (2.0f * sig * sig);
    const float norm = 1.0f / (sig * std::sqrt(static_cast<float>(kTwoPi)));
    const float R2 = prm.radius_px * prm.radius_px;
    const float neighbour2 = (prm.radius_px + reach) * (prm.radius_px + reach);
    const float* dir = prm.tables->dir.data();
    const int NN = Ns * Ns;
    std::vector<float> acc(static_cast<std::size_t>(NN) * Nd);
    std::vector<uint64_t> cell_valid((NN + 63) / 64);
    std::vector<uint8_t> flags(static_cast<std::size_t>(W) * 64, 0);  // padded to whole words
    std::vector<int> near_edges;
    std::vector<float> gu(Ns), gv(Ns), du2(Ns), dv2(Ns);
    for (int m = 0; m < n; ++m) {
        uint64_t* val = out + static_cast<std::size_t>(m) * 2 * W;
        uint64_t* valid = val + W;
        const float th = static_cast<float>(angle[m] / kStepsPerRad);
        const float cs = std::cos(th), sn = std::sin(th);
        std::fill(cell_valid.begin(), cell_valid.end(), 0);
        // validity: cell centre within R, and within hull_margin of the hull (hull edges far from the disc skipped)
        near_edges.clear();
        for (int k = 0; k < h; ++k)
            if (lnx[k] * x[m] + lny[k] * y[m] - lc[k] + prm.radius_px > prm.hull_margin_px) near_edges.push_back(k);
        int valid_cells = 0;
        for (int i = 0; i < Ns; ++i) {
            const float u = (i - half) * step;
            for (int j = 0; j < Ns; ++j) {
                const float w = (j - half) * step;
                if (u * u + w * w > R2) continue;
                const float px = x[m] + u * cs - w * sn, py = y[m] - (u * sn + w * cs);
                bool ok = true;
                for (int k : near_edges)
                    if (lnx[k] * px + lny[k] * py - lc[k] > prm.hull_margin_px) {
                        ok = false;
                        break;
                    }
                if (!ok) continue;
                ++valid_cells;
                const int c = i * Ns + j;
                cell_valid[c >> 6] |= uint64_t{1} << (c & 63);
            }
        }
        if (valid_cells < prm.min_valid_cells * prm.disc_cells) continue;  // all-zero: never matchable
        // contributions of the neighbours (acc by section, then cell: the bit layout)
        std::fill(acc.begin(), acc.end(), 0.0f);
        int neighbours = 0;
        for (int t = 0; t < n; ++t) {
            if (t == m) continue;
            const float dX = x[t] - x[m], dY = -(y[t] - y[m]);
            if (dX * dX + dY * dY > neighbour2) continue;
            ++neighbours;
            const float ut = dX * cs + dY * sn, vt = -dX * sn + dY * cs;
            const int i0 = std::max(0, static_cast<int>(std::ceil((ut - reach) / step + half)));
            const int i1 = std::min(Ns - 1, static_cast<int>(std::floor((ut + reach) / step + half)));
            const int j0 = std::max(0, static_cast<int>(std::ceil((vt - reach) / step + half)));
            const int j1 = std::min(Ns - 1, static_cast<int>(std::floor((vt + reach) / step + half)));
            if (i0 > i1 || j0 > j1) continue;
            // the spatial Gaussian is separable: one exp per row and per column
            for (int i = i0; i <= i1; ++i) {
                float du = (i - half) * step - ut;
                du2[i] = du * du;
                gu[i] = norm * std::exp(-du2[i] * inv2s2);
            }
            for (int j = j0; j <= j1; ++j) {
                float dv = (j - half) * step - vt;
                dv2[j] = dv * dv;
                gv[j] = std::exp(-dv2[j] * inv2s2);
            }
            const uint16_t rel = static_cast<uint16_t>(angle[m] - angle[t]);
            float gd[16];
            for (int k = 0; k < Nd; ++k) gd[k] = dir[static_cast<std::size_t>(k) * kDirBins + (rel >> 6)];
            for (int i = i0; i <= i1; ++i) {
                for (int j = j0; j <= j1; ++j) {
                    if (du2[i] + dv2[j] > reach * reach) continue;
                    const float gs = gu[i] * gv[j];
                    float* cell = acc.data() + static_cast<std::size_t>(i) * Ns + j;
                    for (int k = 0; k < Nd; ++k) cell[static_cast<std::size_t>(k) * NN] += gs * gd[k];
                }
            }
        }
        if (neighbours < prm.min_neighbors) continue;
        // bits: compare into bytes (vectorised), then 8 bytes of 0/1 to 8 bits by one multiply
        const int total = NN * Nd;
        for (int b = 0; b < total; ++b) flags[b] = static_cast<uint8_t>(acc[b] > prm.bit_threshold);
        for (int w = 0; w < W; ++w) {
            uint64_t word = 0;
            for (int j = 0; j < 8; ++j) {
                uint64_t eight;
                std::memcpy(&eight, flags.data() + 64 * w + 8 * j, 8);
                word |= ((eight * 0x0102040810204080ull) >> 56) << (8 * j);
            }
            val[w] = word;
        }
        // validity repeats per section
        if (NN % 64 == 0) {
            for (int k = 0; k < Nd; ++k) std::memcpy(valid + k * (NN / 64), cell_valid.data(), NN / 8);
        } else {
            for (int b = 0; b < total; ++b) {
                const int c = b % NN;
                valid[b >> 6] |= ((cell_valid[c >> 6] >> (c & 63)) & 1u) << (b & 63);
            }
        }
        for (int w = 0; w < W; ++w) val[w] &= valid[w];
    }
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define BIOCORE_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define BIOCORE_POPCNT_CLONES
#endif
#if defined(__GNUC__)
#define BIOCORE_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define BIOCORE_ALWAYS_INLINE inline
#endif

namespace {

BIOCORE_ALWAYS_INLINE float similarity_bits(const uint64_t* a, const uint64_t* b, const Params& prm, int min_cells) {
    const int W = prm.words;
    int both = 0, na = 0, nb = 0, nx = 0;
    if (prm.word_per_section) {
        // every validity word is the same cell mask (one word per direction section): one AND,
        // and cylinder pairs with too few cells valid in both leave before the value words are read
        const uint64_t v = a[W] & b[W];
        both = W * __builtin_popcountll(v);
        if (both < min_cells) return 0.0f;
        for (int w = 0; w < W; ++w) {
            const uint64_t ca = a[w] & v, cb = b[w] & v;
            na += __builtin_popcountll(ca);
            nb += __builtin_popcountll(cb);
            nx += __builtin_popcountll(ca ^ cb);
        }
    } else {
        for (int w = 0; w < W; ++w) {
            const uint64_t v = a[W + w] & b[W + w];
            const uint64_t ca = a[w] & v, cb = b[w] & v;
            both += __builtin_popcountll(v);
            na += __builtin_popcountll(ca);
            nb += __builtin_popcountll(cb);
            nx += __builtin_popcountll(ca ^ cb);
        }
    }
    if (both < min_cells || na + nb == 0) return 0.0f;
    // square roots of cell counts from a table (the same correctly rounded floats std::sqrt gives)
    const float* r = prm.tables->sqrt_count.data();
    return 1.0f - r[nx] / (r[na] + r[nb]);
}

inline float similarity_inline(const uint64_t* a, uint16_t angle_a, const uint64_t* b, uint16_t angle_b,
                               const Params& prm, int min_cells, uint16_t rotation) {
    if (std::abs(angle_diff(static_cast<uint16_t>(angle_b - angle_a), rotation)) > prm.max_rotation_steps) return 0.0f;
    return similarity_bits(a, b, prm, min_cells);
}

inline int min_cells_of(const Params& prm) {
    return static_cast<int>(std::ceil(prm.min_matchable * prm.disc_cells * prm.sections - 1e-6f));
}

#ifdef BIOCORE_MCC_AVX512
// The min(n, cap) largest of n distinct keys, largest first, into keys[0 ...]; returns how many.
// Each key's rank (how many keys are larger) counted 8 keys at a time against every key: no
// unpredictable branch, unlike std::nth_element (about half the cylinder scan's time went there).
// out: room for cap + 1 keys.
__attribute__((target("avx512f"))) std::size_t top_by_rank_avx512(uint64_t* keys, std::size_t n, std::size_t cap,
                                                                   uint64_t* out) {
    const __m512i one = _mm512_set1_epi64(1);
    alignas(64) uint64_t rank[16];
    for (std::size_t i0 = 0; i0 < n; i0 += 16) {  // two vectors of 8 keys per pass over the keys
        const std::size_t left = n - i0;
        const __mmask8 l0 = left >= 8 ? 0xFF : static_cast<__mmask8>((1u << left) - 1u);
        const __mmask8 l1 = left >= 16 ? 0xFF : left <= 8 ? 0 : static_cast<__mmask8>((1u << (left - 8)) - 1u);
        const __m512i k0 = _mm512_maskz_loadu_epi64(l0, keys + i0);
        const __m512i k1 = _mm512_maskz_loadu_epi64(l1, keys + i0 + 8);
        __m512i c0 = _mm512_setzero_si512(), c1 = _mm512_setzero_si512();
        for (std::size_t j = 0; j < n; ++j) {
            const __m512i kj = _mm512_set1_epi64(static_cast<long long>(keys[j]));
            c0 = _mm512_mask_add_epi64(c0, _mm512_cmpgt_epu64_mask(kj, k0), c0, one);
            c1 = _mm512_mask_add_epi64(c1, _mm512_cmpgt_epu64_mask(kj, k1), c1, one);
        }
        _mm512_store_si512(rank, c0);
        _mm512_store_si512(rank + 8, c1);
        const std::size_t m = std::min<std::size_t>(left, 16);
        for (std::size_t l = 0; l < m; ++l) out[std::min<uint64_t>(rank[l], cap)] = keys[i0 + l];  // slot cap: dropped
    }
    const std::size_t kept = std::min(n, cap);
    std::copy(out, out + kept, keys);
    return kept;
}
#endif

#ifdef BIOCORE_MCC_AVX512
// The min(n, k) largest of n distinct keys into keys[0 ...], in no particular order; returns how
// many. A quickselect whose partitions compress 8 keys at a time (one unpredictable branch per
// partition, not per key), where top_by_rank compares every key with every other: the scan's cuts
// through it took match_packed 57.2k -> 58.8k comparisons/CPU-s (FVC2002 DB1 mindtct templates).
// keys and scratch: room for n + 8 keys.
// (Each partition writes its output runs in place behind its reads, or into the other buffer.)
__attribute__((target("avx512f"))) std::size_t largest_avx512(uint64_t* keys, std::size_t n, std::size_t k,
                                                               uint64_t* scratch) {
    uint64_t* out = scratch;  // out[0, taken): among the k largest
    std::size_t taken = 0, need = std::min(n, k);
    bool in_out = false;      // the window lies at out + taken (else at keys)
    std::size_t m = n;        // window size
    while (need > 0) {
        uint64_t* w = in_out ? out + taken : keys;
        if (m <= need) {
            if (!in_out) std::copy(w, w + m, out + taken);
            taken += m;
            break;
        }
        uint64_t a = w[0], b = w[m / 2], c = w[m - 1];  // the median of three as pivot
        if (a > b) std::swap(a, b);
        const uint64_t pivot = c < a ? a : c > b ? b : c;
        const __m512i pv = _mm512_set1_epi64(static_cast<long long>(pivot));
        uint64_t* g_out = out + taken;  // keys above the pivot
        uint64_t* l_out = keys;         // keys below it
        std::size_t g = 0, l = 0;
        for (std::size_t t = 0; t < m; t += 8) {
            const __mmask8 lanes = m - t >= 8 ? 0xFF : static_cast<__mmask8>((1u << (m - t)) - 1u);
            const __m512i v = _mm512_maskz_loadu_epi64(lanes, w + t);
            const __mmask8 gm = _mm512_mask_cmpgt_epu64_mask(lanes, v, pv);
            const __mmask8 lm = _mm512_mask_cmplt_epu64_mask(lanes, v, pv);
            _mm512_storeu_si512(g_out + g, _mm512_maskz_compress_epi64(gm, v));
            _mm512_storeu_si512(l_out + l, _mm512_maskz_compress_epi64(lm, v));
            g += static_cast<std::size_t>(__builtin_popcount(gm));
            l += static_cast<std::size_t>(__builtin_popcount(lm));
        }
        if (g >= need) {  // all k among those above the pivot
            m = g;
            in_out = true;
        } else {  // those above and the pivot are in; the rest among those below
            out[taken + g] = pivot;
            taken += g + 1;
            need -= g + 1;
            m = l;
            in_out = false;
        }
    }
    std::copy(out, out + taken, keys);
    return taken;
}
#endif

// Keeps the `cap` largest keys offered: a buffer of at most 2 cap keys, cut back to the best cap
// whenever it fills; a key not above the cap-th best so far is dropped at once (the same set as
// selecting from all the keys, whatever the order they come in: keys are distinct). With `ranked`
// (room for 2 cap + 16 keys; vector code only) the cuts rank the keys instead of nth_element, and
// scan_avx512 fills the buffer 8 lanes at a time itself (without offer, cutting by largest_avx512).
struct TopKeys {
    std::vector<uint64_t>& keys;
    std::size_t cap;
    uint64_t* ranked = nullptr;
    uint64_t kept_min = 0xFFFFFFFFu;  // also drops every pair not matchable (similarity 0: key < 2^32)
    BIOCORE_ALWAYS_INLINE void offer(uint64_t key) {
        if (key <= kept_min) return;
        keys.push_back(key);
        if (keys.size() == 2 * cap) {
#ifdef BIOCORE_MCC_AVX512
            if (ranked != nullptr)
                top_by_rank_avx512(keys.data(), keys.size(), cap, ranked);
            else
#endif
                std::nth_element(keys.begin(), keys.begin() + (cap - 1), keys.end(), std::greater<uint64_t>());
            keys.resize(cap);
            kept_min = keys[cap - 1];
        }
    }
};

// The direction window [from, to] of 16-bit angles within `delta` of `angle`: one range, or two when
// it wraps through zero. Returns how many.
inline int direction_window(uint16_t angle, int delta, uint32_t from[2], uint32_t to[2]) {
    from[0] = from[1] = 0;
    to[0] = 0xFFFF;
    to[1] = 0;
    if (delta >= 32768) return 1;
    const uint32_t lo = static_cast<uint16_t>(angle - delta), hi = static_cast<uint16_t>(angle + delta);
    from[0] = lo;
    to[0] = hi;
    if (lo <= hi) return 1;
    to[0] = 0xFFFF;  // the window wraps through zero
    to[1] = hi;
    return 2;
}

// The run of `order` positions [b, e) each probe minutia compares with (candidates turned within
// max_rotation_steps of it, less the rotation): one run, or two when the window wraps through zero.
inline int direction_runs(uint16_t angle, int delta, const std::vector<uint32_t>& order, int b[2], int e[2]) {
    uint32_t from[2], to[2];
    const int runs = direction_window(angle, delta, from, to);
    for (int run = 0; run < runs; ++run) {
        b[run] = static_cast<int>(std::lower_bound(order.begin(), order.end(), from[run] << 16) - order.begin());
        e[run] = static_cast<int>(std::upper_bound(order.begin(), order.end(), (to[run] << 16) | 0xFFFFu) - order.begin());
    }
    return runs;
}

#ifdef BIOCORE_MCC_AVX512
// direction_runs with each binary search replaced by a count: in the sorted `order`, a lower bound
// is the number of entries below the value. 16 entries at a time, without unpredictable branches.
__attribute__((target("avx512f"))) inline int direction_runs_avx512(uint16_t angle, int delta, const uint32_t* order,
                                                                    int n, int b[2], int e[2]) {
    uint32_t from[2], to[2];
    const int runs = direction_window(angle, delta, from, to);
    const __m512i f0 = _mm512_set1_epi32(static_cast<int>(from[0] << 16));
    const __m512i t0 = _mm512_set1_epi32(static_cast<int>((to[0] << 16) | 0xFFFFu));
    const __m512i f1 = _mm512_set1_epi32(static_cast<int>(from[1] << 16));
    const __m512i t1 = _mm512_set1_epi32(static_cast<int>((to[1] << 16) | 0xFFFFu));
    int c[4] = {0, 0, 0, 0};
    for (int q = 0; q < n; q += 16) {
        const __mmask16 lanes = n - q >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (n - q)) - 1u);
        const __m512i v = _mm512_maskz_loadu_epi32(lanes, order + q);
        c[0] += __builtin_popcount(_mm512_mask_cmplt_epu32_mask(lanes, v, f0));
        c[1] += __builtin_popcount(_mm512_mask_cmple_epu32_mask(lanes, v, t0));
        c[2] += __builtin_popcount(_mm512_mask_cmplt_epu32_mask(lanes, v, f1));
        c[3] += __builtin_popcount(_mm512_mask_cmple_epu32_mask(lanes, v, t1));
    }
    b[0] = c[0];
    e[0] = c[1];
    b[1] = c[2];
    e[1] = c[3];
    return runs;
}

// The local-similarity scan 8 candidate cylinders at a time (one word per direction section,
// prm.word_per_section): `order` and `tb` as arrange() writes them (word w of position k at
// tb[w * stride + k], validity words in row W, zero padding past nb). Offers the same keys as the
// scalar scan (similarity_bits): the counts are exact integers, and IEEE square root, sum and
// quotient of floats round the same in vector lanes as in scalar code.
__attribute__((target("avx512f,avx512vl,avx512dq,avx512vpopcntdq"))) void scan_avx512(
    int na, const uint16_t* aa, const uint64_t* ca, int nb, const uint32_t* order, const uint64_t* tb, int stride,
    const Params& prm, int min_cells, uint16_t rotation, TopKeys& top) {
    const int W = prm.words, W2 = 2 * W;
    const __m512i min_c = _mm512_set1_epi64(min_cells);
    const __m512i words = _mm512_set1_epi64(W);
    const __m512i zero = _mm512_setzero_si512();
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m512i low16 = _mm512_set1_epi64(0xFFFF);
    // keys kept as TopKeys::offer keeps them, but 8 lanes at a time without a branch per lane: the
    // lanes above the cap-th best so far are compressed onto the buffer, cut back to the best cap
    // once it holds 2 cap or more (the same set in the end: keys are distinct). Offering lane by
    // lane took a fifth of the scan: match_packed 45.0k -> 50.5k comparisons/CPU-s (FVC2002 DB1)
    const std::size_t cap = top.cap;
    std::vector<uint64_t>& keys = top.keys;
    keys.resize(2 * cap + 16);  // up to 2 cap + 7 keys, and room for largest_avx512's whole-vector stores
    uint64_t* buf = keys.data();
    std::size_t size = 0;
    __m512i floor = _mm512_set1_epi64(static_cast<long long>(top.kept_min));
    for (int i = 0; i < na; ++i) {
        const uint64_t* ci = ca + static_cast<std::size_t>(i) * W2;
        const __m512i av = _mm512_set1_epi64(static_cast<long long>(ci[W]));
        int rb[2], re[2];
        // `order` by the candidates' own directions: the window moves by the rotation instead (the
        // same candidates as ordering them by direction less the rotation, as the scalar scan does)
        const int runs = direction_runs_avx512(static_cast<uint16_t>(aa[i] + rotation), prm.max_rotation_steps, order, nb,
                                               rb, re);
        const __m512i base = _mm512_set1_epi64(0xFFFFFFFFu - static_cast<uint32_t>(i * nb));
        for (int run = 0; run < runs; ++run) {
            for (int k0 = rb[run]; k0 < re[run]; k0 += 8) {
                const int left = re[run] - k0;
                const __mmask8 lanes = left >= 8 ? 0xFF : static_cast<__mmask8>((1u << left) - 1);
                const __m512i v = _mm512_and_si512(av, _mm512_loadu_si512(tb + static_cast<std::size_t>(W) * stride + k0));
                const __m512i both = _mm512_mullo_epi64(_mm512_popcnt_epi64(v), words);
                __mmask8 ok = _mm512_mask_cmpge_epi64_mask(lanes, both, min_c);
                if (ok == 0) continue;
                __m512i cna = zero, cnb = zero, cnx = zero;
                for (int w = 0; w < W; ++w) {
                    const __m512i x = _mm512_loadu_si512(tb + static_cast<std::size_t>(w) * stride + k0);
                    const __m512i a = _mm512_and_si512(_mm512_set1_epi64(static_cast<long long>(ci[w])), v);
                    const __m512i b = _mm512_and_si512(x, v);
                    cna = _mm512_add_epi64(cna, _mm512_popcnt_epi64(a));
                    cnb = _mm512_add_epi64(cnb, _mm512_popcnt_epi64(b));
                    cnx = _mm512_add_epi64(cnx, _mm512_popcnt_epi64(_mm512_xor_si512(a, b)));
                }
                ok &= _mm512_cmpneq_epi64_mask(_mm512_add_epi64(cna, cnb), zero);
                if (ok == 0) continue;
                const __m256 sa = _mm256_sqrt_ps(_mm512_cvtepi64_ps(cna));
                const __m256 sb = _mm256_sqrt_ps(_mm512_cvtepi64_ps(cnb));
                const __m256 sx = _mm256_sqrt_ps(_mm512_cvtepi64_ps(cnx));
                const __m256 sim = _mm256_sub_ps(one, _mm256_div_ps(sx, _mm256_add_ps(sa, sb)));
                // (similarity bits, 0xFFFFFFFF - pair index) as the scalar scan offers them
                const __m512i j = _mm512_and_si512(_mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(lanes, order + k0)), low16);
                const __m512i key = _mm512_or_si512(_mm512_slli_epi64(_mm512_cvtepu32_epi64(_mm256_castps_si256(sim)), 32),
                                                    _mm512_sub_epi64(base, j));
                // lanes that cannot beat the best kept so far leave here
                const __mmask8 cand = ok & _mm512_cmpgt_epu64_mask(key, floor);
                _mm512_storeu_si512(buf + size, _mm512_maskz_compress_epi64(cand, key));
                size += static_cast<std::size_t>(__builtin_popcount(cand));
                if (size >= 2 * cap) {
                    size = largest_avx512(buf, size, cap, top.ranked);
                    top.kept_min = *std::min_element(buf, buf + cap);
                    floor = _mm512_set1_epi64(static_cast<long long>(top.kept_min));
                }
            }
        }
    }
    keys.resize(size);
}

bool avx512_scan_available() {
    static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vpopcntdq");
    return ok;
}
#endif

std::atomic<bool> vector_scan_allowed{true};

#ifdef BIOCORE_MCC_AVX512
// fast_atan2 of 16 lanes, rounded as the scalar function (products and sums in the rounding-mode
// forms: the compiler never fuses those into a multiply-add, which would round differently).
__attribute__((target("avx512f,avx512dq"))) inline __m512 fast_atan2_avx512(__m512 y, __m512 x) {
    constexpr int kRound = _MM_FROUND_CUR_DIRECTION;
    const __m512 no_sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    const __m512 zero = _mm512_setzero_ps();
    const __m512 ax = _mm512_and_ps(x, no_sign), ay = _mm512_and_ps(y, no_sign);
    const __m512 mx = _mm512_max_ps(ax, ay), mn = _mm512_min_ps(ax, ay);
    const __m512 a = _mm512_maskz_div_ps(_mm512_cmp_ps_mask(mx, zero, _CMP_GT_OQ), mn, mx);
    const __m512 s = _mm512_mul_round_ps(a, a, kRound);
    __m512 r = _mm512_mul_round_ps(_mm512_set1_ps(-0.0464964749f), s, kRound);
    r = _mm512_mul_round_ps(_mm512_add_round_ps(r, _mm512_set1_ps(0.15931422f), kRound), s, kRound);
    r = _mm512_mul_round_ps(_mm512_sub_round_ps(r, _mm512_set1_ps(0.327622764f), kRound), s, kRound);
    r = _mm512_add_round_ps(_mm512_mul_round_ps(r, a, kRound), a, kRound);
    r = _mm512_mask_sub_ps(r, _mm512_cmp_ps_mask(ay, ax, _CMP_GT_OQ), _mm512_set1_ps(1.57079637f), r);
    r = _mm512_mask_sub_ps(r, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), _mm512_set1_ps(3.14159274f), r);
    return _mm512_castsi512_ps(_mm512_mask_xor_epi32(_mm512_castps_si512(r), _mm512_cmp_ps_mask(y, zero, _CMP_LT_OQ),
                                                     _mm512_castps_si512(r), _mm512_set1_epi32(INT32_MIN)));  // -r
}

// -v of 16 lanes (the sign flipped, as unary minus does: -(+0) is -0).
__attribute__((target("avx512f"))) inline __m512 negated_avx512(__m512 v) {
    return _mm512_castsi512_ps(_mm512_xor_epi32(_mm512_castps_si512(v), _mm512_set1_epi32(INT32_MIN)));
}

// to_steps of 16 lanes (as int32 in [0, 65535]).
__attribute__((target("avx512f"))) inline __m512i to_steps_avx512(__m512 rad) {
    constexpr int kRound = _MM_FROUND_CUR_DIRECTION;
    const __m512 v = _mm512_add_round_ps(_mm512_mul_round_ps(rad, _mm512_set1_ps(static_cast<float>(kStepsPerRad)), kRound),
                                         _mm512_set1_ps(0.5f), kRound);
    const __m512i s = _mm512_cvttps_epi32(_mm512_roundscale_ps(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC));
    return _mm512_and_si512(s, _mm512_set1_epi32(0xFFFF));
}

// |int16(a - b)| >> 6 of 16 lanes of 16-bit angles (held in int32 lanes): a rho table bin.
__attribute__((target("avx512f"))) inline __m512i angle_bin_avx512(__m512i a, __m512i b) {
    const __m512i low16 = _mm512_set1_epi32(0xFFFF), sign16 = _mm512_set1_epi32(0x8000);
    const __m512i d = _mm512_sub_epi32(_mm512_xor_si512(_mm512_and_si512(_mm512_sub_epi32(a, b), low16), sign16), sign16);
    return _mm512_srli_epi32(_mm512_abs_epi32(d), 6);
}

// Row r of the compatibility matrix against the pairs q > r, 16 at a time, straight into the
// dense column-major matrix (rho(r, q) at dense[q * ld + r], rho(q, r) at dense[r * ld + q]; the
// entries left alone stay zero). By pair index, padded by 16 zeros: the probe position (x1, y1)
// and direction (a1), the candidate position (x2, y2) and direction (a2), the rotation (turn).
// The same float operations as the scalar filter and radial-angle terms in score() (IEEE square
// roots, quotients, products; fast_atan2 and to_steps rounded alike), so the same values. (Only
// the filter in vector code, the survivors' radial terms then in scalar code and the matrix
// filled from there: match_packed 52.2k against 56.9k comparisons/CPU-s on FVC2002 DB1.)
__attribute__((target("avx512f,avx512vl,avx512dq,avx512vpopcntdq"))) void compatible_dense_avx512(
    int r, int nr, const float* x1, const float* y1, const float* x2, const float* y2, const uint16_t* a1,
    const uint16_t* a2, const uint16_t* turn, const Tables& T, float* dense, int ld) {
    constexpr int kRound = _MM_FROUND_CUR_DIRECTION;
    const __m512 ax = _mm512_set1_ps(x1[r]), ay = _mm512_set1_ps(y1[r]);
    const __m512 bx = _mm512_set1_ps(x2[r]), by = _mm512_set1_ps(y2[r]);
    const __m512i tr = _mm512_set1_epi32(turn[r]);
    const __m512i dir_a = _mm512_set1_epi32(a1[r]), dir_b = _mm512_set1_epi32(a2[r]);
    const __m512i half_turn = _mm512_set1_epi32(32768);
    const __m512i max_bin = _mm512_set1_epi32(kDistBins);
    const __m512 negligible = _mm512_set1_ps(kNegligibleRho), bin = _mm512_set1_ps(kDistBinPx);
    const __m512 no_sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    const __m512 zero = _mm512_setzero_ps();
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i ldv = _mm512_set1_epi32(ld);
    const __m512i prefix = _mm512_set1_epi32(T.rho_a2_prefix), prefix_d = _mm512_set1_epi32(T.rho_d_prefix);
    for (int q0 = r + 1; q0 < nr; q0 += 16) {
        const __m512i q = _mm512_add_epi32(_mm512_set1_epi32(q0), lane);
        const __mmask16 lanes = _mm512_cmplt_epi32_mask(q, _mm512_set1_epi32(nr));
        const __m512i tq = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(turn + q0)));
        const __m512i a2bin = angle_bin_avx512(tr, tq);
        // the direction-difference term not negligible: by its bin when those are the first few
        // (the usual decreasing sigmoid), without the gather most lanes of an impostor leave by
        // (55.0k -> 56.2k comparisons/CPU-s; with the distance bins below too, 62.1k -> 65.2k)
        __mmask16 ok = T.rho_a2_prefix >= 0 ? _mm512_mask_cmplt_epi32_mask(lanes, a2bin, prefix) : lanes;
        if (ok == 0) continue;
        const __m512 dxa = _mm512_sub_ps(_mm512_loadu_ps(x1 + q0), ax), dya = _mm512_sub_ps(_mm512_loadu_ps(y1 + q0), ay);
        const __m512 dxb = _mm512_sub_ps(_mm512_loadu_ps(x2 + q0), bx), dyb = _mm512_sub_ps(_mm512_loadu_ps(y2 + q0), by);
        const __m512 la = _mm512_sqrt_ps(_mm512_add_round_ps(_mm512_mul_round_ps(dxa, dxa, kRound),
                                                             _mm512_mul_round_ps(dya, dya, kRound), kRound));
        const __m512 lb = _mm512_sqrt_ps(_mm512_add_round_ps(_mm512_mul_round_ps(dxb, dxb, kRound),
                                                             _mm512_mul_round_ps(dyb, dyb, kRound), kRound));
        const __m512 t = _mm512_div_ps(_mm512_and_ps(_mm512_sub_ps(la, lb), no_sign), bin);
        const __m512i db = _mm512_min_epi32(max_bin, _mm512_cvttps_epi32(t));
        // the distance term alone negligible (by its bin, as above): so is the product, z2 <= 1
        if (T.rho_d_prefix >= 0) ok = _mm512_mask_cmplt_epi32_mask(ok, db, prefix_d);
        if (ok == 0) continue;
        const __m512 z2 = _mm512_mask_i32gather_ps(zero, ok, a2bin, T.rho_a2.data(), 4);
        ok = _mm512_mask_cmp_ps_mask(ok, z2, negligible, _CMP_NLT_UQ);
        const __m512 z12 = _mm512_mul_round_ps(_mm512_mask_i32gather_ps(zero, ok, db, T.rho_d.data(), 4), z2, kRound);
        ok = _mm512_mask_cmp_ps_mask(ok, z12, negligible, _CMP_NLT_UQ);
        if (ok == 0) continue;
        // radial angle of each end: its direction minus the direction towards the other end
        const __m512i dira = to_steps_avx512(fast_atan2_avx512(negated_avx512(dya), dxa));
        const __m512i dirb = to_steps_avx512(fast_atan2_avx512(negated_avx512(dyb), dxb));
        const __m512i qa = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a1 + q0)));
        const __m512i qb = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a2 + q0)));
        const __m512i bin1 = angle_bin_avx512(_mm512_sub_epi32(dir_a, dira), _mm512_sub_epi32(dir_b, dirb));
        const __m512i bin2 = angle_bin_avx512(_mm512_sub_epi32(_mm512_sub_epi32(qa, dira), half_turn),
                                              _mm512_sub_epi32(_mm512_sub_epi32(qb, dirb), half_turn));
        const __m512 v1 = _mm512_mul_round_ps(z12, _mm512_mask_i32gather_ps(zero, ok, bin1, T.rho_a3.data(), 4), kRound);
        const __m512 v2 = _mm512_mul_round_ps(z12, _mm512_mask_i32gather_ps(zero, ok, bin2, T.rho_a3.data(), 4), kRound);
        _mm512_mask_i32scatter_ps(dense, ok, _mm512_add_epi32(_mm512_mullo_epi32(q, ldv), _mm512_set1_epi32(r)), v1, 4);
        _mm512_mask_storeu_ps(dense + static_cast<std::size_t>(r) * ld + q0, ok, v2);
    }
}

// The relaxation on the dense compatibility matrix (column q at rho + q * ld, zeros where the
// sparse rows have no entry), 16 rows at a time: lam (ld values, zeros past nr) relaxes
// `iterations` times, next is scratch of the same size. Each row's sum adds its products in
// increasing column, as the scalar CSR loop does; the zeros it skips add exact zeros here (every
// weight and compatibility is finite and not negative), so the weights come out the same floats.
__attribute__((target("avx512f"))) void relax_dense_avx512(int nr, int ld, const float* rho, float* lam, float* next,
                                                          int iterations, float w, float spread) {
    const __m512 wv = _mm512_set1_ps(w), sv = _mm512_set1_ps(spread);
    for (int it = 0; it < iterations; ++it) {
        for (int r0 = 0; r0 < ld; r0 += 16) {
            __m512 sum = _mm512_setzero_ps();
            for (int q = 0; q < nr; ++q)
                sum = _mm512_add_round_ps(sum,
                                          _mm512_mul_round_ps(_mm512_loadu_ps(rho + static_cast<std::size_t>(q) * ld + r0),
                                                              _mm512_set1_ps(lam[q]), _MM_FROUND_CUR_DIRECTION),
                                          _MM_FROUND_CUR_DIRECTION);
            // w * lam[r] + spread * sum, rounded as the scalar expression (no fused multiply-add)
            _mm512_storeu_ps(next + r0, _mm512_add_round_ps(_mm512_mul_round_ps(wv, _mm512_loadu_ps(lam + r0), _MM_FROUND_CUR_DIRECTION),
                                                           _mm512_mul_round_ps(sv, sum, _MM_FROUND_CUR_DIRECTION),
                                                           _MM_FROUND_CUR_DIRECTION));
        }
        std::memcpy(lam, next, sizeof(float) * ld);
    }
}
#endif

// The relaxation on the sparse rows (s.triples, as score() collects them): s.lambda relaxes
// `iterations` times, rows summed in increasing column.
void relax_sparse(Scratch& s, int nr, int iterations, float w, float spread) {
    std::vector<uint32_t>& row_start = s.row_start;
    std::vector<uint32_t>& row_fill = s.row_fill;
    std::vector<uint16_t>& col = s.col;
    std::vector<float>& val = s.rho;
    // rows in CSR form, columns increasing within each row
    row_start.assign(static_cast<std::size_t>(nr) + 1, 0);
    for (const Scratch::Triple& t : s.triples) ++row_start[t.row + 1];
    for (int r = 0; r < nr; ++r) row_start[r + 1] += row_start[r];
    row_fill.assign(row_start.begin(), row_start.end() - 1);
    col.resize(s.triples.size());
    val.resize(s.triples.size());
    // triples come by increasing min(row, column) then max: within one row, columns below the row
    // arrive in increasing order (as the smaller index), then those above it, also increasing
    for (const Scratch::Triple& t : s.triples) {
        const uint32_t k = row_fill[t.row]++;
        col[k] = t.col;
        val[k] = t.value;
    }
    std::vector<float>& lam = s.lambda;
    for (int it = 0; it < iterations; ++it) {
        for (int r = 0; r < nr; ++r) {
            float sum = 0.0f;
            for (uint32_t k = row_start[r]; k < row_start[r + 1]; ++k) sum += val[k] * lam[col[k]];
            s.next[r] = w * lam[r] + spread * sum;
        }
        std::swap(lam, s.next);
    }
}

}  // namespace

bool vector_code_enabled() {
#ifdef BIOCORE_MCC_AVX512
    return vector_scan_allowed.load(std::memory_order_relaxed) && avx512_scan_available();
#else
    return false;
#endif
}

bool use_vector_scan(bool allowed) {
    vector_scan_allowed.store(allowed);
#ifdef BIOCORE_MCC_AVX512
    return allowed && avx512_scan_available();
#else
    return false;
#endif
}

std::size_t largest_keys(uint64_t* keys, std::size_t n, std::size_t k, uint64_t* scratch) {
#ifdef BIOCORE_MCC_AVX512
    return largest_avx512(keys, n, k, scratch);
#else
    (void)keys, (void)scratch;
    throw std::logic_error("largest_keys: no AVX-512 code in this build");
#endif
}

std::size_t arranged_words(int n, const Params& prm) {
    return prm.word_per_section ? static_cast<std::size_t>(prm.words + 1) * ((n + 15) & ~7) : 0;
}

void arrange(int n, const uint16_t* angle, const uint64_t* cylinders, const Params& prm, uint32_t* keys,
             uint64_t* words) {
    for (int j = 0; j < n; ++j) keys[j] = (static_cast<uint32_t>(angle[j]) << 16) | static_cast<uint32_t>(j);
    std::sort(keys, keys + n);
    if (!prm.word_per_section) return;
    const int W = prm.words, W2 = 2 * W;
    const std::size_t stride = static_cast<std::size_t>((n + 15) & ~7);  // room for a full 8-lane load below n
    std::fill(words, words + (W + 1) * stride, 0);
    for (int k = 0; k < n; ++k) {
        const uint64_t* cj = cylinders + static_cast<std::size_t>(keys[k] & 0xFFFFu) * W2;
        for (int w = 0; w <= W; ++w) words[w * stride + k] = cj[w];
    }
}

BIOCORE_POPCNT_CLONES
float similarity(const uint64_t* a, uint16_t angle_a, const uint64_t* b, uint16_t angle_b, const Params& prm) {
    return similarity_inline(a, angle_a, b, angle_b, prm, min_cells_of(prm), 0);
}

BIOCORE_POPCNT_CLONES
float score(int na, const float* xa, const float* ya, const uint16_t* aa, const uint64_t* ca, int nb, const float* xb,
            const float* yb, const uint16_t* ab, const uint64_t* cb, const uint32_t* keys_b, const uint64_t* words_b,
            const Params& prm, Scratch& s, uint16_t rotation) {
    s.pa.clear();
    s.pb.clear();
    if (na == 0 || nb == 0) return 0.0f;
    const int W2 = 2 * prm.words;
    const int min_cells = min_cells_of(prm);
    // local similarities; candidates for the relaxation kept as (similarity bits, pair index) keys
    std::vector<uint64_t>& k64 = s.keys;
    k64.clear();
    // candidate minutiae by direction, so each probe minutia scans just the run turned within
    // max_rotation_steps: no unpredictable direction test per pair
    std::vector<uint32_t>& order = s.order;
    // only the n_R best pairs go on to the relaxation
    const std::size_t cap = static_cast<std::size_t>(std::min({na, nb, prm.max_relax_pairs}));
    k64.reserve(2 * cap);
    TopKeys top{k64, cap};
#ifdef BIOCORE_MCC_AVX512
    if (prm.word_per_section && vector_scan_allowed.load(std::memory_order_relaxed) && avx512_scan_available()) {
        // the candidate's cylinders arranged once per template (packed galleries, prepared
        // templates), else here: ordering and transposing them every comparison took ~7 % of its
        // time (match_packed 42.3k -> 46.6k comparisons/CPU-s on FVC2002 DB1 mindtct templates)
        if (keys_b == nullptr || words_b == nullptr) {
            order.resize(nb);
            s.transposed.resize(arranged_words(nb, prm));
            arrange(nb, ab, cb, prm, order.data(), s.transposed.data());
            keys_b = order.data();
            words_b = s.transposed.data();
        }
        s.ranked.resize(2 * cap + 16);
        top.ranked = s.ranked.data();
        scan_avx512(na, aa, ca, nb, keys_b, words_b, (nb + 15) & ~7, prm, min_cells, rotation, top);
    } else
#endif
    {
        // by direction less the rotation (the scalar reference orders them here every time)
        order.resize(nb);
        for (int j = 0; j < nb; ++j) order[j] = (static_cast<uint32_t>(static_cast<uint16_t>(ab[j] - rotation)) << 16) | j;
        std::sort(order.begin(), order.end());
        // (plain loops, no lambda: the popcount instruction set of this clone must reach the loop)
        for (int i = 0; i < na; ++i) {
            int rb[2], re[2];
            const int runs = direction_runs(aa[i], prm.max_rotation_steps, order, rb, re);
            const uint64_t* ci = ca + static_cast<std::size_t>(i) * W2;
            for (int run = 0; run < runs; ++run) {
                for (int k = rb[run]; k < re[run]; ++k) {
                    const int j = static_cast<int>(order[k] & 0xFFFFu);
                    float v = similarity_bits(ci, cb + static_cast<std::size_t>(j) * W2, prm, min_cells);
                    uint32_t bits;
                    std::memcpy(&bits, &v, sizeof bits);
                    top.offer((static_cast<uint64_t>(bits) << 32) | (0xFFFFFFFFu - static_cast<uint32_t>(i * nb + j)));
                }
            }
        }
    }
    // the best cap, largest first
#ifdef BIOCORE_MCC_AVX512
    if (top.ranked != nullptr) {
        // the best cap first, then ranked among themselves: the ranking is quadratic
        const std::size_t n = k64.size();
        k64.resize(n + 8);  // room for whole-vector stores
        k64.resize(largest_avx512(k64.data(), n, cap, top.ranked));
        k64.resize(top_by_rank_avx512(k64.data(), k64.size(), cap, top.ranked));
    } else
#endif
    {
        if (k64.size() > cap) {
            std::nth_element(k64.begin(), k64.begin() + (cap - 1), k64.end(), std::greater<uint64_t>());
            k64.resize(cap);
        }
        std::sort(k64.begin(), k64.end(), std::greater<uint64_t>());
    }
    if (k64.empty()) return 0.0f;
    const int n_min = std::min(na, nb);
    const double z = sigmoid(n_min, prm.pairs_mu, prm.pairs_tau);
    const int np = prm.pairs_min + static_cast<int>(std::lround(z * (prm.pairs_max - prm.pairs_min)));
    const int nr = static_cast<int>(k64.size());  // min(n_min, max_relax_pairs, pairs found)
    s.pa.resize(nr);
    s.pb.resize(nr);
    s.lambda.resize(nr);
    s.next.resize(nr);
    for (int r = 0; r < nr; ++r) {
        uint32_t idx = 0xFFFFFFFFu - static_cast<uint32_t>(k64[r]);
        uint32_t bits = static_cast<uint32_t>(k64[r] >> 32);
        float v;
        std::memcpy(&v, &bits, sizeof v);
        s.pa[r] = static_cast<uint16_t>(idx / nb);
        s.pb[r] = static_cast<uint16_t>(idx % nb);
        s.lambda[r] = v;
    }
    // compatibility rho(r, q) of every two selected pairs, kept sparse by the scalar code: in an
    // impostor comparison most pairs of pairs are incompatible, and the relaxation only needs the
    // others. Entries of a row stay in increasing q, so the sums add the same terms in the same
    // order as a dense row would (a dense row's zeros add exact zeros). The vector code fills a
    // dense matrix instead and relaxes 16 rows at a time (relax_dense_avx512: same weights;
    // match_packed 41.8k -> 42.3k and 43.7k comparisons/CPU-s in
    // two A/B runs on FVC2002 DB1 mindtct templates).
    const Tables& T = *prm.tables;
    // pass 1: the nonzero entries (r, q) and (q, r) for r < q, as (row, column, value) triples
    s.triples.clear();
    // each pair's rotation: the direction-difference term of two pairs depends on theirs alone
    std::vector<uint16_t>& turn = s.turn;
    std::vector<uint16_t>& near = s.near;
    turn.resize(nr);
    near.resize(nr);
    for (int r = 0; r < nr; ++r) turn[r] = static_cast<uint16_t>(aa[s.pa[r]] - ab[s.pb[r]]);
    const uint8_t* counts = T.rho_a2_counts.data();
    std::vector<float>& z12s = s.z12;
    z12s.resize(nr);
#ifdef BIOCORE_MCC_AVX512
    const bool vector = vector_scan_allowed.load(std::memory_order_relaxed) && avx512_scan_available();
    if (vector) {
        std::vector<float>& pos = s.positions;  // x1, y1, x2, y2 by pair, each padded by 16
        std::vector<uint16_t>& dirs = s.directions;  // a1, a2 by pair, each padded by 16
        const int stride = nr + 16;
        pos.assign(4 * static_cast<std::size_t>(stride), 0.0f);
        dirs.assign(2 * static_cast<std::size_t>(stride), 0);
        for (int r = 0; r < nr; ++r) {
            pos[r] = xa[s.pa[r]];
            pos[stride + r] = ya[s.pa[r]];
            pos[2 * stride + r] = xb[s.pb[r]];
            pos[3 * stride + r] = yb[s.pb[r]];
            dirs[r] = aa[s.pa[r]];
            dirs[stride + r] = ab[s.pb[r]];
        }
        turn.resize(nr + 16, 0);
    }
    const int ld = (nr + 15) & ~15;
    float* dense = nullptr;
    if (vector) {
        s.dense.assign(static_cast<std::size_t>(ld) * ld, 0.0f);
        dense = s.dense.data();
    }
#endif
    for (int r = 0; r < nr; ++r) {
        const int i1 = s.pa[r], j1 = s.pb[r];
        int m = 0;
#ifdef BIOCORE_MCC_AVX512
        if (vector) {
            const float* pos = s.positions.data();
            const uint16_t* dirs = s.directions.data();
            const int stride = nr + 16;
            compatible_dense_avx512(r, nr, pos, pos + stride, pos + 2 * stride, pos + 3 * stride, dirs, dirs + stride,
                                    turn.data(), T, dense, ld);
            continue;
        }
#endif
        {
            // the direction-difference term first: z1 <= 1, so when z2 alone is negligible the
            // product is too. Most pairs of an impostor comparison are out here, and at random: the
            // pairs q left are collected without a branch (in increasing q, the order of the rows)
            int n2 = 0;
            for (int q = r + 1; q < nr; ++q) {
                near[n2] = static_cast<uint16_t>(q);
                n2 += counts[std::abs(angle_diff(turn[r], turn[q])) >> 6];
            }
            for (int t = 0; t < n2; ++t) {
                const int q = near[t];
                const int i2 = s.pa[q], j2 = s.pb[q];
                const float z2 = T.rho_a2[std::abs(angle_diff(turn[r], turn[q])) >> 6];
                const float dxa = xa[i2] - xa[i1], dya = ya[i2] - ya[i1];
                const float dxb = xb[j2] - xb[j1], dyb = yb[j2] - yb[j1];
                const float la = std::sqrt(dxa * dxa + dya * dya), lb = std::sqrt(dxb * dxb + dyb * dyb);
                const int db = std::min(kDistBins, static_cast<int>(std::fabs(la - lb) / kDistBinPx));
                const float z12 = T.rho_d[db] * z2;
                // incompatible already (most pairs of an impostor comparison): skip the two atan2s;
                // the weight left out is below kNegligibleRho of one pair's
                if (z12 < kNegligibleRho) continue;
                near[m] = static_cast<uint16_t>(q);
                z12s[m++] = z12;
            }
        }
        for (int t = 0; t < m; ++t) {
            const int q = near[t];
            const int i2 = s.pa[q], j2 = s.pb[q];
            const float z12 = z12s[t];
            const float dxa = xa[i2] - xa[i1], dya = ya[i2] - ya[i1];
            const float dxb = xb[j2] - xb[j1], dyb = yb[j2] - yb[j1];
            const uint16_t dira = to_steps(fast_atan2(-dya, dxa)), dirb = to_steps(fast_atan2(-dyb, dxb));
            // radial angle of each end: its direction minus the direction towards the other end
            const uint16_t ra1 = static_cast<uint16_t>(aa[i1] - dira), rb1 = static_cast<uint16_t>(ab[j1] - dirb);
            const uint16_t ra2 = static_cast<uint16_t>(aa[i2] - dira - 32768), rb2 = static_cast<uint16_t>(ab[j2] - dirb - 32768);
            const float v1 = z12 * T.rho_a3[std::abs(angle_diff(ra1, rb1)) >> 6];
            const float v2 = z12 * T.rho_a3[std::abs(angle_diff(ra2, rb2)) >> 6];
#ifdef BIOCORE_MCC_AVX512
            if (vector) {
                dense[static_cast<std::size_t>(q) * ld + r] = v1;  // row r, column q
                dense[static_cast<std::size_t>(r) * ld + q] = v2;  // row q, column r
                continue;
            }
#endif
            if (v1 != 0.0f) s.triples.push_back(Scratch::Triple{static_cast<uint16_t>(r), static_cast<uint16_t>(q), v1});
            if (v2 != 0.0f) s.triples.push_back(Scratch::Triple{static_cast<uint16_t>(q), static_cast<uint16_t>(r), v2});
        }
    }
    const float w = prm.relax_weight;
    const float spread = nr > 1 ? (1.0f - w) / (nr - 1) : 0.0f;
    std::vector<float>& lam = s.lambda;
    s.first.assign(lam.begin(), lam.end());
    const std::vector<float>& first = s.first;
#ifdef BIOCORE_MCC_AVX512
    if (vector) {
        // at most 64 x 64 floats (relax_max_pairs): the dense matrix beats the sparse rows' bookkeeping
        s.lam16.assign(ld, 0.0f);
        s.next16.resize(ld);
        std::copy(lam.begin(), lam.end(), s.lam16.begin());
        relax_dense_avx512(nr, ld, dense, s.lam16.data(), s.next16.data(), prm.relax_iterations, w, spread);
        std::copy(s.lam16.begin(), s.lam16.begin() + nr, lam.begin());
    } else
#endif
    {
        relax_sparse(s, nr, prm.relax_iterations, w, spread);
    }
    // the np most efficient pairs (relaxed over initial weight), ties by rank
    k64.resize(nr);
    for (int r = 0; r < nr; ++r) {
        float e = lam[r] / first[r];
        uint32_t bits;
        std::memcpy(&bits, &e, sizeof bits);
        k64[r] = (static_cast<uint64_t>(bits) << 32) | (0xFFFFFFFFu - static_cast<uint32_t>(r));
    }
    const int take = std::min(np, nr);
    std::nth_element(k64.begin(), k64.begin() + (take - 1), k64.end(), std::greater<uint64_t>());
    float total = 0.0f;
    for (int r = 0; r < take; ++r) total += lam[0xFFFFFFFFu - static_cast<uint32_t>(k64[r])];
    return total / np;
}

}  // namespace mcc
}  // namespace biocore
