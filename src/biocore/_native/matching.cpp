// 1:1 minutiae matching: edge tables, hashed root pairs, consistent-pair graph growth, scoring.
//
// Every template is turned into an *edge table*: for each minutia its nearest neighbours, each
// edge described by rotation/translation-invariant numbers (length, the edge's direction relative
// to both end minutiae). Probe edges are indexed in a hash over quantised edge shapes; candidate
// edges looked up there vote for minutia pairs. The best-voted pairs seed a breadth-first growth
// that only adds a pair when an edge of the probe and an edge of the candidate agree, so the
// correspondence follows the print locally and tolerates elastic distortion; a global transform
// is never assumed. The score is computed from the largest consistent pairing.
//
// Ideas from SourceAFIS (R. Vazan, "SourceAFIS algorithm", 2009-2023: edge tables, root pairs,
// pairing growth) and from local-structure matching (X. Jiang, W.-Y. Yau, "Fingerprint minutiae
// matching based on the local and global structures", ICPR 2000). Written from the descriptions.
//
// Python owns validation and units: positions arrive in 500 ppi pixels, angles as 16-bit steps
// of a full turn (the Template grid), counter-clockwise with image rows growing downward.
#include <cmath>
#include <cstring>
#include <functional>
#include <queue>

#include "common.hpp"
#include "matching_mcc.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define BIOCORE_MATCH_AVX512 1
#endif

namespace biocore {
namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kStepsPerRad = 65536.0 / kTwoPi;

// The tuned numbers, unpacked from the float64 vector Python builds from MatchingParameters
// (same order as matching/parameters.py: _NATIVE_FIELDS).
struct Params {
    int neighbors;
    float max_edge_px;
    float length_tolerance_px;
    float length_tolerance_rel;
    int angle_tolerance_steps;
    float hash_length_bin_px;
    int hash_angle_bits;
    int max_roots;
    int min_root_votes;
    float weight_pair;
    float weight_supported;
    float weight_edge;
    float weight_kind;
    float overlap_exponent;
    float min_support_edges;
    float direction_tolerance_px;
    int hash_neighbors;
    float global_distance_tolerance_px;
    float global_distance_tolerance_rel;
    int global_angle_tolerance_steps;
    int fixed_direction_tolerance;  // direction_tolerance() when it does not depend on length, else -1
    mcc::Params mcc;
    float weight_mcc;     // the fused score: edge evidence + weight_mcc * MCC LSS-R score
    bool roots_from_mcc;  // growth starts from the best cylinder pairs instead of edge votes
    float mcc_rotated_min_edges;  // cylinders also compare around the pairing's rotation from this edge evidence
    float mcc_min_edges;          // cylinders compare only from this edge evidence (the cascade)
    float overlap_cell_px;        // coverage counts minutiae near the other print's (0: all), see OccupancyGrid
    float overlap_min_minutiae;   // ... but never fewer than this many of a template
    float coverage_quality_ref;   // coverage weighs minutiae by quality / this, at most 1 (0: all 1)
    float coverage_quality_inverse;  // 1 / coverage_quality_ref
    static constexpr int kEdgeCount = 20;
    static constexpr int kCount = kEdgeCount + mcc::Params::kCount + 7;

    static Params from(const carray<double>& v) {
        if (v.ndim() != 1 || v.shape(0) != kCount)
            throw std::invalid_argument("matching params: expected " + std::to_string(kCount) + " values");
        const double* p = v.data();
        Params r;
        r.neighbors = std::clamp(static_cast<int>(p[0]), 1, 32);
        r.max_edge_px = static_cast<float>(p[1]);
        r.length_tolerance_px = static_cast<float>(p[2]);
        r.length_tolerance_rel = static_cast<float>(p[3]);
        r.angle_tolerance_steps = static_cast<int>(std::lround(p[4] * kStepsPerRad));
        r.hash_length_bin_px = static_cast<float>(std::max(1.0, p[5]));
        r.hash_angle_bits = std::clamp(static_cast<int>(p[6]), 2, 8);
        r.max_roots = std::max(1, static_cast<int>(p[7]));
        r.min_root_votes = std::max(1, static_cast<int>(p[8]));
        r.weight_pair = static_cast<float>(p[9]);
        r.weight_supported = static_cast<float>(p[10]);
        r.weight_edge = static_cast<float>(p[11]);
        r.weight_kind = static_cast<float>(p[12]);
        r.overlap_exponent = static_cast<float>(p[13]);
        r.min_support_edges = static_cast<float>(p[14]);
        r.direction_tolerance_px = static_cast<float>(p[15]);
        r.hash_neighbors = std::clamp(static_cast<int>(p[16]), 1, r.neighbors);
        r.global_distance_tolerance_px = static_cast<float>(p[17]);
        r.global_distance_tolerance_rel = static_cast<float>(p[18]);
        r.global_angle_tolerance_steps = static_cast<int>(std::lround(std::min(p[19], 3.2) * kStepsPerRad));
        r.fixed_direction_tolerance = -1;
        if (r.direction_tolerance_px == 0.0f) r.fixed_direction_tolerance = r.direction_tolerance(1.0f);
        r.mcc = mcc::Params::from(p + kEdgeCount);
        r.weight_mcc = static_cast<float>(p[kEdgeCount + mcc::Params::kCount]);
        r.roots_from_mcc = p[kEdgeCount + mcc::Params::kCount + 1] != 0.0;
        r.mcc_rotated_min_edges = static_cast<float>(p[kEdgeCount + mcc::Params::kCount + 2]);
        r.mcc_min_edges = static_cast<float>(p[kEdgeCount + mcc::Params::kCount + 3]);
        r.overlap_cell_px = static_cast<float>(p[kEdgeCount + mcc::Params::kCount + 4]);
        r.overlap_min_minutiae = static_cast<float>(p[kEdgeCount + mcc::Params::kCount + 5]);
        r.coverage_quality_ref = static_cast<float>(p[kEdgeCount + mcc::Params::kCount + 6]);
        r.coverage_quality_inverse = r.coverage_quality_ref > 0.0f ? 1.0f / r.coverage_quality_ref : 0.0f;
        return r;
    }
    float length_tolerance(float len) const { return length_tolerance_px + length_tolerance_rel * len; }
    // The edge's own direction is as uncertain as its end positions: the shorter, the worse.
    float length_tolerance_rel_guard() const { return std::max(1.0f - length_tolerance_rel, 0.05f); }
    int direction_tolerance(float len) const {
        if (fixed_direction_tolerance >= 0) return fixed_direction_tolerance;
        float t = angle_tolerance_steps + static_cast<float>(kStepsPerRad) * direction_tolerance_px / std::max(len, 1.0f);
        return static_cast<int>(std::min(t, 16384.0f));
    }
};

inline int angle_diff(uint16_t a, uint16_t b) {  // signed difference of two 16-bit angles, wrapped
    return static_cast<int16_t>(static_cast<uint16_t>(a - b));
}

inline uint16_t to_steps(float rad) {
    int s = static_cast<int>(std::floor(rad * static_cast<float>(kStepsPerRad) + 0.5f));
    return static_cast<uint16_t>(static_cast<uint32_t>(s) & 0xFFFFu);
}

struct Edge {
    float len;
    uint16_t j;   // neighbour index
    uint16_t a1;  // edge direction minus the owner's direction
    uint16_t a2;  // edge direction minus the neighbour's direction
    uint16_t spare;  // zero: keeps the 12-byte layout free of uninitialised padding
};

// Cells of a template's bounding box near its minutiae (see build, after grow's helpers).
struct OccupancyGrid {
    float left = 0, top = 0, cell = 1;
    int cols = 0, rows = 0;
    std::vector<uint8_t> marks;
    void build(int n, const float* x, const float* y, float cell_px);
    bool marked(float x, float y) const {
        const float fx = (x - left) / cell, fy = (y - top) / cell;
        if (!(fx >= 0.0f && fy >= 0.0f)) return false;
        const int cx = static_cast<int>(fx), cy = static_cast<int>(fy);
        return cx < cols && cy < rows && marks[static_cast<std::size_t>(cy) * cols + cx];
    }
};

// A read-only view of one template: minutiae and its edge table (K slots per minutia, by length).
struct View {
    int n = 0;
    int k = 0;
    const float* x = nullptr;
    const float* y = nullptr;
    const uint16_t* angle = nullptr;
    const uint8_t* kind = nullptr;
    const uint8_t* quality = nullptr;  // 0 = not rated
    const Edge* edges = nullptr;
    const uint8_t* count = nullptr;
    const uint64_t* cylinders = nullptr;  // 2 * mcc.words per minutia
    const uint32_t* mcc_keys = nullptr;   // the cylinders as mcc::arrange writes them, or null
    const uint64_t* mcc_words = nullptr;
    const OccupancyGrid* grid = nullptr;  // built once for a prepared template (else per comparison)
};

// Builds the edge table of n minutiae into edges[n*K] / count[n]: the K nearest neighbours
// within max_edge_px, by increasing length (ties: lower index first).
void build_edges(int n, const float* x, const float* y, const uint16_t* angle, const Params& prm, Edge* edges,
                 uint8_t* count, std::vector<uint64_t>& scratch) {
    const int K = prm.neighbors;
    const float max2 = prm.max_edge_px * prm.max_edge_px;
    scratch.resize(static_cast<std::size_t>(std::max(n, 1)));
    uint64_t* keys = scratch.data();
    for (int i = 0; i < n; ++i) {
        // key: the squared length's bits (monotonic for positive floats) over the neighbour index,
        // so ascending keys order by length, ties by lower index; collected without branches
        int m = 0;
        for (int j = 0; j < n; ++j) {
            float dx = x[j] - x[i], dy = y[j] - y[i];
            float d2 = dx * dx + dy * dy;
            uint32_t bits;
            std::memcpy(&bits, &d2, sizeof bits);
            keys[m] = (static_cast<uint64_t>(bits) << 32) | static_cast<uint32_t>(j);
            m += (j != i) & (d2 <= max2) & (d2 > 0.0f);
        }
        if (m > K) {
            std::nth_element(keys, keys + K, keys + m);
            m = K;
        }
        std::sort(keys, keys + m);
        Edge* out = edges + static_cast<std::size_t>(i) * K;
        for (int e = 0; e < m; ++e) {
            int j = static_cast<int>(keys[e] & 0xFFFFFFFFu);
            float dx = x[j] - x[i], dy = y[j] - y[i];
            float d2 = dx * dx + dy * dy;
            uint16_t dir = to_steps(fast_atan2(-dy, dx));
            out[e] = Edge{std::sqrt(d2), static_cast<uint16_t>(j),
                          static_cast<uint16_t>(dir - angle[i]), static_cast<uint16_t>(dir - angle[j]), 0};
        }
        for (int e = m; e < K; ++e) out[e] = Edge{0.0f, 0, 0, 0, 0};
        count[i] = static_cast<uint8_t>(m);
    }
}

// Owning storage for one template's derived structures (used for the probe and one-off pairs).
struct Owned {
    std::vector<float> x, y;
    std::vector<uint16_t> angle;
    std::vector<uint8_t> kind, quality;
    std::vector<Edge> edges;
    std::vector<uint8_t> count;
    std::vector<uint64_t> cylinders;
    std::vector<uint32_t> mcc_keys;
    std::vector<uint64_t> mcc_words;
    OccupancyGrid grid;  // when overlap_cell_px > 0
    bool has_grid = false;
    View view(int K) const {
        View v;
        v.n = static_cast<int>(x.size());
        v.k = K;
        v.x = x.data();
        v.y = y.data();
        v.angle = angle.data();
        v.kind = kind.data();
        v.quality = quality.data();
        v.edges = edges.data();
        v.count = count.data();
        v.cylinders = cylinders.data();
        v.mcc_keys = mcc_keys.data();
        v.mcc_words = mcc_words.data();
        v.grid = has_grid ? &grid : nullptr;
        return v;
    }
};

// Hash of probe edges over (length bin, a1 bin, a2 bin); each edge is filed under every bin its
// tolerance box touches, so a candidate edge needs one lookup. A batch votes through it only
// without the AVX-512 code (then it beats the EdgeGrid's scalar lookup); it is also the tests'
// independent second way to the votes (PreparedProbe.votes).
struct EdgeHash {
    int length_bins = 0;
    float lbin = 1.0f;
    int angle_bins = 0;
    int shift = 0;
    std::vector<uint32_t> start;    // CSR offsets, size buckets + 1
    std::vector<Edge> entries;  // copies of probe edges, owner index in `spare` (sequential scans)
    std::vector<uint32_t> cursor;
    std::vector<uint64_t> occupied;  // one bit per bucket: most lookups hit an empty one, and this fits in L1

    bool filled(std::size_t b) const { return (occupied[b >> 6] >> (b & 63)) & 1u; }
    int bucket(int lb, int b1, int b2) const { return (lb * angle_bins + b1) * angle_bins + b2; }

    // fine: bins half as wide (a prepared probe is built once and looked up many times; finer
    // bins mean fewer entries to reject per lookup). Results do not depend on the binning.
    void build(const View& p, const Params& prm, bool fine) {
        const int bits = std::min(prm.hash_angle_bits + (fine ? 1 : 0), 8);
        lbin = prm.hash_length_bin_px / (fine ? 2.0f : 1.0f);
        angle_bins = 1 << bits;
        shift = 16 - bits;
        length_bins = static_cast<int>(std::ceil(prm.max_edge_px / prm.length_tolerance_rel_guard() / lbin)) + 2;
        const std::size_t buckets = static_cast<std::size_t>(length_bins) * angle_bins * angle_bins;
        start.assign(buckets + 1, 0);
        for (int pass = 0; pass < 2; ++pass) {
            if (pass == 1) {
                occupied.assign((buckets + 63) / 64, 0);
                for (std::size_t b = 0; b < buckets; ++b) {
                    if (start[b + 1] != 0) occupied[b >> 6] |= uint64_t{1} << (b & 63);
                    start[b + 1] += start[b];
                }
                entries.resize(start[buckets]);
                cursor.assign(start.begin(), start.end() - 1);
            }
            for (int i = 0; i < p.n; ++i) {
                const int ne = std::min<int>(p.count[i], prm.hash_neighbors);
                for (int e = 0; e < ne; ++e) {
                    const Edge& ed = p.edges[static_cast<std::size_t>(i) * p.k + e];
                    // every candidate length L' with |L - L'| <= tolerance(max(L, L')) lies in [lo, hi]
                    float lo = ed.len - prm.length_tolerance(ed.len);
                    float hi = (ed.len + prm.length_tolerance_px) / prm.length_tolerance_rel_guard();
                    int l0 = std::max(0, static_cast<int>(lo / lbin));
                    int l1 = std::min(length_bins - 1, static_cast<int>(hi / lbin));
                    int td = prm.direction_tolerance(std::max(lo, 1.0f));
                    int a10 = static_cast<uint16_t>(ed.a1 - td) >> shift;
                    int a11 = static_cast<uint16_t>(ed.a1 + td) >> shift;
                    int a20 = static_cast<uint16_t>(ed.a2 - td) >> shift;
                    int a21 = static_cast<uint16_t>(ed.a2 + td) >> shift;
                    for (int lb = l0; lb <= l1; ++lb) {
                        for (int b1 = a10;; b1 = (b1 + 1) & (angle_bins - 1)) {
                            for (int b2 = a20;; b2 = (b2 + 1) & (angle_bins - 1)) {
                                std::size_t b = bucket(lb, b1, b2);
                                if (pass == 0) {
                                    start[b + 1]++;
                                } else {
                                    Edge copy = ed;
                                    copy.spare = static_cast<uint16_t>(i);
                                    entries[cursor[b]++] = copy;
                                }
                                if (b2 == a21) break;
                            }
                            if (b1 == a11) break;
                        }
                    }
                }
            }
        }
    }
};

// Evaluated without early exits: most edge pairs looked at disagree in an unpredictable one of
// the three tests, and a mispredicted branch costs more than the tests.
inline bool edges_agree(const Edge& a, const Edge& b, const Params& prm) {
    const float tol = prm.length_tolerance(std::max(a.len, b.len));
    const int dt = prm.direction_tolerance(std::min(a.len, b.len));
    return (std::fabs(a.len - b.len) <= tol) & (std::abs(angle_diff(a.a1, b.a1)) <= dt) &
           (std::abs(angle_diff(a.a2, b.a2)) <= dt);
}

#ifdef BIOCORE_MATCH_AVX512
// edges_agree(e, edge of lane l) for the lanes of `lanes`: edges by lane as length lb and 16-bit
// angles b1, b2 (in 32-bit lanes). For a fixed direction tolerance (prm.fixed_direction_tolerance
// >= 0). The same float operations as edges_agree (products and sums in the rounding-mode forms,
// which the compiler never fuses into a multiply-add), so the same answers.
__attribute__((target("avx512f"))) inline __mmask16 agree_avx512(const Edge& e, __mmask16 lanes, __m512 lb, __m512i b1,
                                                                  __m512i b2, const Params& prm) {
    const __m512i low16 = _mm512_set1_epi32(0xFFFF), sign16 = _mm512_set1_epi32(0x8000);
    const __m512 la = _mm512_set1_ps(e.len);
    const __m512 tol = _mm512_add_round_ps(_mm512_set1_ps(prm.length_tolerance_px),
                                           _mm512_mul_round_ps(_mm512_set1_ps(prm.length_tolerance_rel),
                                                               _mm512_max_ps(la, lb), _MM_FROUND_CUR_DIRECTION),
                                           _MM_FROUND_CUR_DIRECTION);
    __mmask16 ok = _mm512_mask_cmp_ps_mask(lanes, _mm512_abs_ps(_mm512_sub_ps(la, lb)), tol, _CMP_LE_OQ);
    // |int16(a - b)| of the 16-bit angles
    const __m512i dt = _mm512_set1_epi32(prm.fixed_direction_tolerance);
    const __m512i d1 = _mm512_and_si512(_mm512_sub_epi32(_mm512_set1_epi32(e.a1), b1), low16);
    const __m512i d2 = _mm512_and_si512(_mm512_sub_epi32(_mm512_set1_epi32(e.a2), b2), low16);
    ok = _mm512_mask_cmple_epi32_mask(ok, _mm512_abs_epi32(_mm512_sub_epi32(_mm512_xor_si512(d1, sign16), sign16)), dt);
    return _mm512_mask_cmple_epi32_mask(ok, _mm512_abs_epi32(_mm512_sub_epi32(_mm512_xor_si512(d2, sign16), sign16)),
                                        dt);
}

// Word 3 l + k of 48 words (w0, w1, w2) in lane l.
__attribute__((target("avx512f"))) inline __m512i word_of_lane_avx512(__m512i w0, __m512i w1, __m512i w2, int k) {
    const __m512i idx = _mm512_add_epi32(
        _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(3)),
        _mm512_set1_epi32(k));
    return _mm512_mask_permutexvar_epi32(_mm512_permutex2var_epi32(w0, idx, w1),
                                         _mm512_cmpge_epi32_mask(idx, _mm512_set1_epi32(32)), idx, w2);
}

// edges_agree of every probe edge pe[u] (u < np) with every candidate edge ce[v] (v < nc <= 16) at
// once: bit v of masks[u] (see agree_avx512).
__attribute__((target("avx512f"))) void agree_masks_avx512(const Edge* pe, int np, const Edge* ce, int nc,
                                                            const Params& prm, uint16_t* masks) {
    static_assert(sizeof(Edge) == 12, "an edge is read as three 32-bit words");
    const __mmask16 lanes = static_cast<__mmask16>((1u << nc) - 1u);
    // the nc edges' 3 nc words in three vectors (zeros past them), then dealt out by lane: word
    // 3 l + k of lane l from the first two vectors or, from word 32 on, the third (permutes
    // instead of three gathers: match_packed 65.1k -> 66.5k comparisons/CPU-s on FVC2002 DB1)
    const int* base = reinterpret_cast<const int*>(ce);
    const int words = 3 * nc;
    const auto first = [](int w) {
        return w <= 0 ? __mmask16{0} : w >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << w) - 1u);
    };
    const __m512i w0 = _mm512_maskz_loadu_epi32(first(words), base);
    const __m512i w1 = _mm512_maskz_loadu_epi32(first(words - 16), base + 16);
    const __m512i w2 = _mm512_maskz_loadu_epi32(first(words - 32), base + 32);
    // candidate edges by lane: length, a1 (high half of word 1), a2 (low half of word 2)
    const __m512 lb = _mm512_castsi512_ps(word_of_lane_avx512(w0, w1, w2, 0));
    const __m512i b1 = _mm512_srli_epi32(word_of_lane_avx512(w0, w1, w2, 1), 16);
    const __m512i b2 = _mm512_and_si512(word_of_lane_avx512(w0, w1, w2, 2), _mm512_set1_epi32(0xFFFF));
    for (int u = 0; u < np; ++u) masks[u] = agree_avx512(pe[u], lanes, lb, b1, b2, prm);
}
#endif

inline float edge_error(const Edge& a, const Edge& b, const Params& prm) {
    float tol = prm.length_tolerance(std::max(a.len, b.len));
    return std::fabs(a.len - b.len) / tol +
           static_cast<float>(std::abs(angle_diff(a.a1, b.a1)) + std::abs(angle_diff(a.a2, b.a2))) /
               static_cast<float>(prm.direction_tolerance(std::min(a.len, b.len)));
}

constexpr uint16_t kCovered = 65535;  // vote value marking a pair already grown from

struct Pending {
    float err;
    uint16_t p, c;  // new pair to add
    bool operator<(const Pending& o) const { return err > o.err; }  // min-heap
};

// Per-thread scratch reused across comparisons.
struct Workspace {
    std::vector<uint16_t> votes;
    std::vector<int32_t> p2c, c2p;
    std::vector<uint16_t> support;  // per probe minutia: consistent edges touching its pair
    std::vector<uint16_t> paired;   // probe indices in pairing order
    std::vector<Pending> heap;
    std::vector<uint32_t> roots;
    std::vector<uint32_t> root_buffer;  // collect_roots: room for every pair
    std::vector<uint32_t> found;  // vote_grid_avx512: vote indices of agreeing edge pairs
    std::vector<uint64_t> root_keys;
    std::vector<uint64_t> scratch;  // build_edges; grow_roots (vector root selection)
    OccupancyGrid grid_p, grid_c;  // overlap_weights: where each template has minutiae ...
    bool grids_built = false;      // ... built on first use in a comparison (grow_roots resets this)
    float weight_p = 0, weight_c = 0;  // grow_roots: summed quality weights of each template
    std::vector<uint16_t> best_paired, best_partner;  // grow_roots: the best pairing (probe, candidate)
    bool record_pairing = false;  // keep the best pairing in best_paired / best_partner even without overlap
    mcc::Scratch mcc;
    bool vector = false;  // match_views: the AVX-512 code may run (mcc::vector_code_enabled)
    uint16_t best_rotation = 0;  // grow_roots: the rotation (candidate minus probe) of the best pairing's root
};

// One probe edge met one candidate edge: when they agree (`ok`), a vote for each of the two minutia
// pairs they imply (saturating below kCovered). About half the edges met agree, at random, so the
// agreement is added (0 or 1) rather than branched on.
inline void add_vote(uint16_t* votes, std::size_t q1, std::size_t q2, bool ok) {
    const uint16_t v1 = votes[q1];
    votes[q1] = static_cast<uint16_t>(v1 + (ok & (v1 < 65534)));
    const uint16_t v2 = votes[q2];
    votes[q2] = static_cast<uint16_t>(v2 + (ok & (v2 < 65534)));
}

// ws.roots: every pair with at least min_root_votes votes, collected after the voting (a set:
// grow_roots orders it by votes, then index), without a branch per pair.
#ifdef BIOCORE_MATCH_AVX512
// collect_roots' scan 16 votes at a time over the first `whole` (a multiple of 16) pairs: their
// indices in increasing order into roots[], returns how many (roots: room for whole + 16).
__attribute__((target("avx512f"))) std::size_t collect_roots_avx512(const uint16_t* votes, std::size_t whole,
                                                                     uint16_t mv, uint32_t* roots) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i least = _mm512_set1_epi32(mv);
    std::size_t m = 0;
    for (std::size_t q = 0; q < whole; q += 16) {
        const __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(votes + q)));
        const __mmask16 ok = _mm512_cmpge_epu32_mask(v, least);
        _mm512_storeu_si512(roots + m, _mm512_maskz_compress_epi32(
                                           ok, _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(q)), lane)));
        m += static_cast<std::size_t>(__builtin_popcount(ok));
    }
    return m;
}
#endif

void collect_roots(const View& p, const View& c, const Params& prm, Workspace& ws) {
    const std::size_t total = static_cast<std::size_t>(p.n) * c.n;
    const uint16_t mv = static_cast<uint16_t>(std::min(prm.min_root_votes, 65535));
    if (ws.root_buffer.size() < total + 16) ws.root_buffer.resize(total + 16);
    uint32_t* roots = ws.root_buffer.data();
    const uint16_t* votes = ws.votes.data();
    std::size_t m = 0, q = 0;
#ifdef BIOCORE_MATCH_AVX512
    if (ws.vector) {
        q = total & ~std::size_t{15};
        m = collect_roots_avx512(votes, q, mv, roots);
    }
#endif
    for (; q < total; ++q) {
        roots[m] = static_cast<uint32_t>(q);
        m += votes[q] >= mv;
    }
    ws.roots.assign(roots, roots + m);
}

// Fills ws.votes (p.n x c.n) with the number of agreeing edges each minutia pair takes part in.
void vote(const View& p, const EdgeHash& h, const View& c, const Params& prm, Workspace& ws) {
    ws.votes.assign(static_cast<std::size_t>(p.n) * c.n, 0);
    const float lbin = h.lbin;
    uint16_t* votes = ws.votes.data();
    for (int a = 0; a < c.n; ++a) {
        const int ne = std::min<int>(c.count[a], prm.hash_neighbors);
        for (int e = 0; e < ne; ++e) {
            const Edge& ce = c.edges[static_cast<std::size_t>(a) * c.k + e];
            int lb = static_cast<int>(ce.len / lbin);
            if (lb >= h.length_bins) continue;
            std::size_t b = h.bucket(lb, ce.a1 >> h.shift, ce.a2 >> h.shift);
            if (!h.filled(b)) continue;
            for (uint32_t q = h.start[b]; q < h.start[b + 1]; ++q) {
                const Edge& pe = h.entries[q];
                add_vote(votes, static_cast<std::size_t>(pe.spare) * c.n + a, static_cast<std::size_t>(pe.j) * c.n + ce.j,
                         edges_agree(pe, ce, prm));
            }
        }
    }
    collect_roots(p, c, prm, ws);
}

// Probe edges filed for voting in a small grid over their two relative angles (2^kGridBits bins of
// a1 by 2^kGridBits bins of a2), each cell sorted by length. Each edge is filed once per cell its
// tolerance box touches (about 5); a candidate edge reads the one cell of its own a1 and a2, and
// there only the run of lengths that can agree, so every agreeing probe edge is met exactly once
// and the votes equal vote()'s. About 50 kB, kept with every prepared template. (Filed once per a2
// bin only, with candidates reading the 2-3 a1 bins within tolerance: 15 kB, but twice the
// lookups: 34.1k comparisons/CPU-s in a batch.) Both one-off calls and batches vote through it: with the AVX-512 cell lookup
// (vote_grid_avx512) a batch runs 34.1k comparisons/CPU-s on FVC2002 DB1 mindtct templates against
// 32.7k through the EdgeHash, one-off calls 23.1k -> 31.0k (the scalar lookup lost to the hash,
// 17.7k vs 15.1k). kGridBits 3 and 5 were slower with the vector lookup too (32.8k, 30.8k).
struct EdgeGrid {
    static constexpr int kGridBits = 4;  // batch: 35.0k comparisons/CPU-s; 3: 34.5k, 5: 34.6k
    static constexpr int kBins = 1 << kGridBits;
    static constexpr int kShift = 16 - kGridBits;
    std::vector<uint32_t> start;  // CSR offsets by cell (a1 bin * kBins + a2 bin), size kBins^2 + 1
    std::vector<Edge> entries;    // copies of probe edges, owner index in `spare`
    // the same entries by field (for the vector lookup), padded by 16 for whole-vector loads
    std::vector<float> len;
    std::vector<uint16_t> a1, a2, owner, nbr;

    void build(const View& p, const Params& prm) {
        start.assign(kBins * kBins + 1, 0);
        std::vector<uint32_t> cursor;
        for (int pass = 0; pass < 2; ++pass) {
            if (pass == 1) {
                for (int b = 0; b < kBins * kBins; ++b) start[b + 1] += start[b];
                entries.resize(start[kBins * kBins]);
                cursor.assign(start.begin(), start.end() - 1);
            }
            for (int i = 0; i < p.n; ++i) {
                const int ne = std::min<int>(p.count[i], prm.hash_neighbors);
                for (int e = 0; e < ne; ++e) {
                    const Edge& ed = p.edges[static_cast<std::size_t>(i) * p.k + e];
                    // agreeing candidate edges are at least this long (see EdgeHash), so their
                    // direction tolerance is at most td
                    const float lo = ed.len - prm.length_tolerance(ed.len);
                    const int td = prm.direction_tolerance(std::max(lo, 1.0f));
                    const int b10 = static_cast<uint16_t>(ed.a1 - td) >> kShift;
                    const int b11 = static_cast<uint16_t>(ed.a1 + td) >> kShift;
                    const int b20 = static_cast<uint16_t>(ed.a2 - td) >> kShift;
                    const int b21 = static_cast<uint16_t>(ed.a2 + td) >> kShift;
                    for (int b1 = b10;; b1 = (b1 + 1) & (kBins - 1)) {
                        const int row = b1 * kBins;
                        for (int b2 = b20;; b2 = (b2 + 1) & (kBins - 1)) {
                            if (pass == 0) {
                                start[row + b2 + 1]++;
                            } else {
                                Edge copy = ed;
                                copy.spare = static_cast<uint16_t>(i);
                                entries[cursor[row + b2]++] = copy;
                            }
                            if (b2 == b21) break;
                        }
                        if (b1 == b11) break;
                    }
                }
            }
        }
        // each cell by length, so a lookup reads just the run of lengths that can agree
        for (int b = 0; b < kBins * kBins; ++b)
            std::sort(entries.begin() + start[b], entries.begin() + start[b + 1],
                      [](const Edge& u, const Edge& v) { return u.len < v.len; });
        const std::size_t n = entries.size();
        len.assign(n + 16, 0.0f);
        a1.assign(n + 16, 0);
        a2.assign(n + 16, 0);
        owner.assign(n + 16, 0);
        nbr.assign(n + 16, 0);
        for (std::size_t q = 0; q < n; ++q) {
            len[q] = entries[q].len;
            a1[q] = entries[q].a1;
            a2[q] = entries[q].a2;
            owner[q] = entries[q].spare;
            nbr[q] = entries[q].j;
        }
    }
};

#ifdef BIOCORE_MATCH_AVX512
// vote_grid's lookups with every entry of a cell tested 16 at a time (no length-run search: the
// length test is part of the agreement), adding the same votes. The vote indices of agreeing
// pairs are gathered into `found` first and counted after, without a branch per pair.
__attribute__((target("avx512f"))) void vote_grid_avx512(const EdgeGrid& g, const View& c, const Params& prm,
                                                          std::vector<uint32_t>& found, uint16_t* votes) {
    constexpr int kBins = EdgeGrid::kBins, kShift = EdgeGrid::kShift;
    const uint32_t* start = g.start.data();
    const float* len = g.len.data();
    const uint16_t *a1 = g.a1.data(), *a2 = g.a2.data(), *owner = g.owner.data(), *nbr = g.nbr.data();
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i cn = _mm512_set1_epi32(c.n);
    std::size_t n = 0;
    for (int a = 0; a < c.n; ++a) {
        const int ne = std::min<int>(c.count[a], prm.hash_neighbors);
        for (int e = 0; e < ne; ++e) {
            const Edge& ce = c.edges[static_cast<std::size_t>(a) * c.k + e];
            const __m512i va = _mm512_set1_epi32(a), vj = _mm512_set1_epi32(ce.j);
            // each probe edge is met at most once per lookup, so this many indices at most (and a
            // whole vector's slack): the stores below need no test
            if (found.size() < n + 2 * g.entries.size() + 32) found.resize(2 * found.size() + 2 * g.entries.size() + 64);
            uint32_t* out = found.data();  // (a local: the vector stores may alias the vector's own pointer)
            {
                const int cell = (ce.a1 >> kShift) * kBins + (ce.a2 >> kShift);
                const uint32_t end = start[cell + 1];
                uint32_t q = start[cell];
                do {  // (an empty cell too: a vector of no lanes costs less than a mispredicted branch)
                    const __mmask16 lanes =
                        _mm512_cmplt_epi32_mask(_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(q)), lane),
                                                _mm512_set1_epi32(static_cast<int>(end)));
                    const __m512 lb = _mm512_loadu_ps(len + q);
                    const __m512i b1v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a1 + q)));
                    const __m512i b2v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a2 + q)));
                    const __mmask16 ok = agree_avx512(ce, lanes, lb, b1v, b2v, prm);
                    const __m512i o = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(owner + q)));
                    const __m512i j = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(nbr + q)));
                    const int k = __builtin_popcount(ok);
                    // (compress into a register, then a plain store: faster than a compressing store)
                    _mm512_storeu_si512(out + n,
                                        _mm512_maskz_compress_epi32(ok, _mm512_add_epi32(_mm512_mullo_epi32(o, cn), va)));
                    _mm512_storeu_si512(out + n + k,
                                        _mm512_maskz_compress_epi32(ok, _mm512_add_epi32(_mm512_mullo_epi32(j, cn), vj)));
                    n += 2 * k;
                    q += 16;
                } while (q < end);
            }
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        const uint16_t v = votes[found[k]];
        votes[found[k]] = static_cast<uint16_t>(v + (v < 65534));
    }
}
#endif

// Fills ws.votes (p.n x c.n) with the number of agreeing edges each minutia pair takes part in,
// and ws.roots with the pairs that reach min_root_votes.
void vote_grid(const View& p, const EdgeGrid& g, const View& c, const Params& prm, Workspace& ws) {
    ws.votes.assign(static_cast<std::size_t>(p.n) * c.n, 0);
    constexpr int kBins = EdgeGrid::kBins, kShift = EdgeGrid::kShift;
    const uint32_t* start = g.start.data();
    const Edge* entries = g.entries.data();
    uint16_t* votes = ws.votes.data();
#ifdef BIOCORE_MATCH_AVX512
    if (ws.vector && prm.fixed_direction_tolerance >= 0) {
        vote_grid_avx512(g, c, prm, ws.found, votes);
        collect_roots(p, c, prm, ws);
        return;
    }
#endif
    const float guard = prm.length_tolerance_rel_guard();
    for (int a = 0; a < c.n; ++a) {
        const int ne = std::min<int>(c.count[a], prm.hash_neighbors);
        for (int e = 0; e < ne; ++e) {
            const Edge& ce = c.edges[static_cast<std::size_t>(a) * c.k + e];
            // probe edges that can agree have lengths within [lo, hi]
            const float lo = ce.len - prm.length_tolerance(ce.len) - 1e-3f;
            const float hi = (ce.len + prm.length_tolerance_px) / guard + 1e-3f;
            {
                const int cell = (ce.a1 >> kShift) * kBins + (ce.a2 >> kShift);
                uint32_t q = start[cell];
                const uint32_t end = start[cell + 1];
                while (q < end && entries[q].len < lo) ++q;
                for (; q < end && entries[q].len <= hi; ++q) {
                    const Edge& pe = entries[q];
                    add_vote(votes, static_cast<std::size_t>(pe.spare) * c.n + a, static_cast<std::size_t>(pe.j) * c.n + ce.j,
                             edges_agree(pe, ce, prm));
                }
            }
        }
    }
    collect_roots(p, c, prm, ws);
}

struct Pairing {
    int pairs = 0;
    int edges = 0;      // consistent edges among pairs (tree edges included)
    int supported = 0;  // pairs touched by at least min_support_edges consistent edges
    int kinds = 0;      // pairs whose minutia kinds agree
    float score = 0.0f;
    float evidence = 0.0f;
};

void expand(const View& p, const View& c, int i, int a, const Params& prm, Workspace& ws, Pairing& r) {
    const Edge* pe = p.edges + static_cast<std::size_t>(i) * p.k;
    const Edge* ce = c.edges + static_cast<std::size_t>(a) * c.k;
    int np = p.count[i], nc = c.count[a];
    // probe edge u agrees with candidate edge v: the two pairs they imply are consistent
    auto agreed = [&](int u, int v) {
        int pj = pe[u].j, cj = ce[v].j;
        int have = ws.p2c[pj];
        if (have == cj) {
            // an edge between two existing pairs (counted once: only from the later pair)
            ++r.edges;
            ++ws.support[pj];
            ++ws.support[i];
        } else if (have < 0 && ws.c2p[cj] < 0) {
            ws.heap.push_back(Pending{edge_error(pe[u], ce[v], prm), static_cast<uint16_t>(pj),
                                      static_cast<uint16_t>(cj)});
            std::push_heap(ws.heap.begin(), ws.heap.end());
        }
    };
#ifdef BIOCORE_MATCH_AVX512
    // every edge pair tested at once, without the unpredictable branches of the scalar loop;
    // agreeing pairs handled in the same order (u, then v, increasing)
    if (ws.vector && nc <= 16 && np <= 32 && prm.fixed_direction_tolerance >= 0) {
        uint16_t masks[32];
        agree_masks_avx512(pe, np, ce, nc, prm, masks);
        for (int u = 0; u < np; ++u)
            for (unsigned m = masks[u]; m != 0; m &= m - 1) agreed(u, __builtin_ctz(m));
        return;
    }
#endif
    int lo = 0;
    const float guard = prm.length_tolerance_rel_guard();
    for (int u = 0; u < np; ++u) {
        // candidate lengths L' that can agree with L lie in [L - tolerance(L), (L + px) / (1 - rel)]
        // (a hair wider against rounding); both lists are sorted by length
        const float len = pe[u].len;
        const float lower = len - prm.length_tolerance(len) - 1e-3f;
        const float upper = (len + prm.length_tolerance_px) / guard + 1e-3f;
        while (lo < nc && ce[lo].len < lower) ++lo;
        for (int v = lo; v < nc && ce[v].len <= upper; ++v)
            if (edges_agree(pe[u], ce[v], prm)) agreed(u, v);
    }
}

// Where a template has minutiae: a grid of overlap_cell_px cells over its bounding box (plus one
// cell of margin) with every cell in the 3 x 3 block around a minutia's cell marked, so any point
// within overlap_cell_px of a minutia falls in a marked cell (and no point further than about
// 2.8 cells does).
void OccupancyGrid::build(int n, const float* x, const float* y, float cell_px) {
    cell = cell_px;
    float x0 = x[0], y0 = y[0], x1 = x0, y1 = y0;
    for (int i = 1; i < n; ++i) {
        x0 = std::min(x0, x[i]), x1 = std::max(x1, x[i]);
        y0 = std::min(y0, y[i]), y1 = std::max(y1, y[i]);
    }
    left = x0 - cell, top = y0 - cell;
    cols = static_cast<int>((x1 - left) / cell) + 2;
    rows = static_cast<int>((y1 - top) / cell) + 2;
    marks.assign(static_cast<std::size_t>(cols) * rows, 0);
    for (int i = 0; i < n; ++i) {
        const int cx = static_cast<int>((x[i] - left) / cell), cy = static_cast<int>((y[i] - top) / cell);
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) marks[static_cast<std::size_t>(cy + dy) * cols + cx + dx] = 1;
    }
}

// The minutiae of each template that lie where both prints overlap under the pairing in ws (p2c
// of ws.paired): the rigid transform that best maps the paired probe minutiae onto their partners
// (least squares); a probe minutia overlaps when it lands in the candidate's occupancy grid, a
// candidate minutia when the inverse transform lands it in the probe's. Counts into p_in / c_in,
// weighted by w(quality).
template <class Weight>
void overlap_weights(const View& p, const View& c, const Params& prm, Workspace& ws, Weight w, float& p_in,
                     float& c_in) {
    if (!ws.grids_built) {
        if (!p.grid) ws.grid_p.build(p.n, p.x, p.y, prm.overlap_cell_px);
        if (!c.grid) ws.grid_c.build(c.n, c.x, c.y, prm.overlap_cell_px);
        ws.grids_built = true;
    }
    const OccupancyGrid& grid_p = p.grid ? *p.grid : ws.grid_p;
    const OccupancyGrid& grid_c = c.grid ? *c.grid : ws.grid_c;
    double pcx = 0, pcy = 0, ccx = 0, ccy = 0;
    for (uint16_t i : ws.paired) {
        pcx += p.x[i];
        pcy += p.y[i];
        ccx += c.x[ws.p2c[i]];
        ccy += c.y[ws.p2c[i]];
    }
    const double m = static_cast<double>(ws.paired.size());
    pcx /= m, pcy /= m, ccx /= m, ccy /= m;
    double sc = 0, ss = 0;
    for (uint16_t i : ws.paired) {
        const double ax = p.x[i] - pcx, ay = p.y[i] - pcy, bx = c.x[ws.p2c[i]] - ccx, by = c.y[ws.p2c[i]] - ccy;
        sc += ax * bx + ay * by;
        ss += ax * by - ay * bx;
    }
    const double h = std::hypot(sc, ss);
    const float cs = h > 0 ? static_cast<float>(sc / h) : 1.0f, sn = h > 0 ? static_cast<float>(ss / h) : 0.0f;
    const float fpx = static_cast<float>(pcx), fpy = static_cast<float>(pcy);
    const float fcx = static_cast<float>(ccx), fcy = static_cast<float>(ccy);
    p_in = 0.0f, c_in = 0.0f;
    for (int i = 0; i < p.n; ++i) {
        const float ax = p.x[i] - fpx, ay = p.y[i] - fpy;
        if (grid_c.marked(cs * ax - sn * ay + fcx, sn * ax + cs * ay + fcy)) p_in += w(p.quality[i]);
    }
    for (int a = 0; a < c.n; ++a) {
        const float bx = c.x[a] - fcx, by = c.y[a] - fcy;
        if (grid_p.marked(cs * bx + sn * by + fpx, -sn * bx + cs * by + fpy)) c_in += w(c.quality[a]);
    }
}

// A minutia's weight in coverage: quality / coverage_quality_ref, at most 1; unrated minutiae 1.
inline float quality_weight(uint8_t q, const Params& prm) {
    return prm.coverage_quality_ref <= 0.0f || q == 0 ? 1.0f : std::min(1.0f, q * prm.coverage_quality_inverse);
}

// Coverage of the pairing in ws: the geometric mean over both templates of the share of their
// minutiae that are paired, each minutia weighted by quality / coverage_quality_ref (at most 1;
// unrated minutiae weigh 1) and, with overlap_cell_px, counting only the minutiae where both
// prints overlap (overlap_weights), but never less than overlap_min_minutiae's worth of a template.
// Without `overlap` every minutia counts (how grow_roots ranks pairings).
float coverage(const View& p, const View& c, const Params& prm, Workspace& ws, bool overlap) {
    auto w = [&prm](uint8_t q) { return quality_weight(q, prm); };
    const float ap = ws.weight_p, ac = ws.weight_c;
    float pp = 0, pc = 0;
    for (uint16_t i : ws.paired) {
        pp += w(p.quality[i]);
        pc += w(c.quality[ws.p2c[i]]);
    }
    float tp = ap, tc = ac;
    if (overlap && prm.overlap_cell_px > 0.0f && ws.paired.size() >= 2) {
        overlap_weights(p, c, prm, ws, w, tp, tc);
        tp = std::clamp(tp, std::min(prm.overlap_min_minutiae, ap), ap);
        tc = std::clamp(tc, std::min(prm.overlap_min_minutiae, ac), ac);
    }
    return std::min(1.0f, std::sqrt((pp / std::max(tp, 1e-6f)) * (pc / std::max(tc, 1e-6f))));
}

// The pairing grown from (root_p, root_c), scored with every minutia counting in its coverage; when
// it beats `beat`, its pairs are kept in ws.best_paired / best_partner and its evidence in
// r.evidence.
Pairing grow(const View& p, const View& c, int root_p, int root_c, const Params& prm, Workspace& ws, float beat) {
    Pairing r;
    ws.heap.clear();
    ws.paired.clear();
    // A pair must also sit where the root says it should, within a loose rigid tolerance: local
    // agreement alone lets chains of chance agreements wander across unrelated prints.
    const float rpx = p.x[root_p], rpy = p.y[root_p], rcx = c.x[root_c], rcy = c.y[root_c];
    const uint16_t rot = static_cast<uint16_t>(c.angle[root_c] - p.angle[root_p]);
    auto consistent = [&](int i, int a) {
        if (std::abs(angle_diff(static_cast<uint16_t>(c.angle[a] - p.angle[i]), rot)) > prm.global_angle_tolerance_steps)
            return false;
        float dpx = p.x[i] - rpx, dpy = p.y[i] - rpy, dcx = c.x[a] - rcx, dcy = c.y[a] - rcy;
        float dp = std::sqrt(dpx * dpx + dpy * dpy), dc = std::sqrt(dcx * dcx + dcy * dcy);
        float tol = prm.global_distance_tolerance_px + prm.global_distance_tolerance_rel * std::max(dp, dc);
        if (std::fabs(dp - dc) > tol) return false;
        if (std::min(dp, dc) <= tol) return true;  // too close to the root for a direction to mean much
        uint16_t ap = static_cast<uint16_t>(to_steps(fast_atan2(-dpy, dpx)) - p.angle[root_p]);
        uint16_t ac = static_cast<uint16_t>(to_steps(fast_atan2(-dcy, dcx)) - c.angle[root_c]);
        float dir_tol = prm.global_angle_tolerance_steps + static_cast<float>(kStepsPerRad) * tol / std::min(dp, dc);
        return std::abs(angle_diff(ap, ac)) <= dir_tol;
    };
    auto add = [&](int i, int a) {
        ws.p2c[i] = a;
        ws.c2p[a] = i;
        ws.paired.push_back(static_cast<uint16_t>(i));
        ++r.pairs;
        if (p.kind[i] == c.kind[a]) ++r.kinds;
        expand(p, c, i, a, prm, ws, r);
    };
    add(root_p, root_c);
    while (!ws.heap.empty()) {
        std::pop_heap(ws.heap.begin(), ws.heap.end());
        Pending t = ws.heap.back();
        ws.heap.pop_back();
        if (ws.p2c[t.p] >= 0 || ws.c2p[t.c] >= 0) continue;
        if (!consistent(t.p, t.c)) continue;
        add(t.p, t.c);
    }
    for (uint16_t i : ws.paired) {
        if (ws.support[i] >= prm.min_support_edges) ++r.supported;
    }
    // score: evidence (pairs, supported pairs, edges, agreeing kinds) scaled by the fraction of
    // both templates it covers, so a few pairs out of many minutiae count for little.
    float evidence = prm.weight_pair * r.pairs + prm.weight_supported * r.supported + prm.weight_edge * r.edges +
                     prm.weight_kind * r.kinds;
    r.evidence = evidence;
    r.score = evidence * std::pow(coverage(p, c, prm, ws, false), prm.overlap_exponent);
    if (r.score > beat && (prm.overlap_cell_px > 0.0f || ws.record_pairing)) {
        ws.best_paired = ws.paired;
        ws.best_partner.resize(ws.paired.size());
        for (std::size_t k = 0; k < ws.paired.size(); ++k) ws.best_partner[k] = ws.p2c[ws.paired[k]];
    }
    // reset only what was touched; mark the pairs so later roots inside this pairing are skipped
    for (uint16_t i : ws.paired) {
        ws.votes[static_cast<std::size_t>(i) * c.n + ws.p2c[i]] = kCovered;
        ws.c2p[ws.p2c[i]] = -1;
        ws.p2c[i] = -1;
        ws.support[i] = 0;
    }
    return r;
}

// Grows the best roots of ws.votes / ws.roots (as vote() leaves them); returns the best score.
float grow_roots(const View& p, const View& c, const Params& prm, Workspace& ws) {
    // roots: the best-voted pairs (ties: lower index), at least min_root_votes votes
    if (ws.roots.empty()) return 0.0f;
    // ordered by one integer key, largest first: votes, then lower pair index
    ws.root_keys.resize(ws.roots.size());
    for (std::size_t k = 0; k < ws.roots.size(); ++k)
        ws.root_keys[k] = (static_cast<uint64_t>(ws.votes[ws.roots[k]]) << 32) | (0xFFFFFFFFu - ws.roots[k]);
    std::size_t r = std::min<std::size_t>(prm.max_roots, ws.roots.size());
    auto& keys = ws.root_keys;
    if (r < keys.size()) {
        if (ws.vector) {
            // the r largest by vector partitions (nth_element's branches were ~3 % of a comparison)
            const std::size_t n = keys.size();
            keys.resize(n + 8);
            ws.scratch.resize(n + 8);
            keys.resize(mcc::largest_keys(keys.data(), n, r, ws.scratch.data()));
        } else {
            std::nth_element(keys.begin(), keys.begin() + r, keys.end(), std::greater<uint64_t>());
        }
    }
    std::sort(keys.begin(), keys.begin() + r, std::greater<uint64_t>());  // distinct keys: the same r as a full sort
    for (std::size_t k = 0; k < r; ++k) ws.roots[k] = 0xFFFFFFFFu - static_cast<uint32_t>(keys[k]);
    ws.p2c.assign(p.n, -1);
    ws.c2p.assign(c.n, -1);
    ws.support.assign(p.n, 0);
    ws.best_rotation = 0;
    ws.grids_built = false;
    ws.weight_p = ws.weight_c = 0.0f;  // every minutia's weight (coverage)
    for (int i = 0; i < p.n; ++i) ws.weight_p += quality_weight(p.quality[i], prm);
    for (int a = 0; a < c.n; ++a) ws.weight_c += quality_weight(c.quality[a], prm);
    ws.best_paired.clear();
    ws.best_partner.clear();
    float best = 0.0f, best_evidence = 0.0f;
    for (std::size_t k = 0; k < r; ++k) {
        if (ws.votes[ws.roots[k]] == kCovered) continue;  // already in an earlier pairing: same growth
        int i = static_cast<int>(ws.roots[k] / c.n), a = static_cast<int>(ws.roots[k] % c.n);
        const Pairing g = grow(p, c, i, a, prm, ws, best);
        if (g.score > best) {
            best = g.score;
            best_evidence = g.evidence;
            ws.best_rotation = static_cast<uint16_t>(c.angle[a] - p.angle[i]);
        }
    }
    // the best pairing's coverage again, counting only the minutiae where both prints overlap
    if (prm.overlap_cell_px > 0.0f && best > 0.0f) {
        ws.paired = ws.best_paired;
        for (std::size_t k = 0; k < ws.paired.size(); ++k) ws.p2c[ws.paired[k]] = ws.best_partner[k];
        best = best_evidence * std::pow(coverage(p, c, prm, ws, true), prm.overlap_exponent);
        for (uint16_t i : ws.paired) ws.p2c[i] = -1;
    }
    return best;
}

float mcc_score(const View& p, const View& c, const Params& prm, Workspace& ws, uint16_t rotation) {
    return mcc::score(p.n, p.x, p.y, p.angle, p.cylinders, c.n, c.x, c.y, c.angle, c.cylinders, c.mcc_keys, c.mcc_words,
                      prm.mcc, ws.mcc, rotation);
}

struct Parts {
    float edges = 0.0f, mcc = 0.0f;
    float fused(const Params& prm) const { return edges + prm.weight_mcc * mcc; }
};

// Roots from the MCC pass: its best local pairs (mcc::score leaves them in ws.mcc.pa / pb, most
// similar first), ranked into ws.votes so grow_roots keeps that order.
void mcc_roots(const View& p, const View& c, const Params& prm, Workspace& ws) {
    ws.votes.assign(static_cast<std::size_t>(p.n) * c.n, 0);
    ws.roots.clear();
    const std::size_t r = std::min<std::size_t>(ws.mcc.pa.size(), static_cast<std::size_t>(prm.max_roots));
    for (std::size_t k = 0; k < r; ++k) {
        const uint32_t q = static_cast<uint32_t>(ws.mcc.pa[k]) * c.n + ws.mcc.pb[k];
        if (ws.votes[q] != 0) continue;
        ws.votes[q] = static_cast<uint16_t>(60000 - k);
        ws.roots.push_back(q);
    }
}

// Both evidences for one pair: votes from the probe hash `h` (match_many) or, when it is null, from
// the probe's small grid `g` (one-off calls); both find the same votes.
Parts match_views(const View& p, const EdgeHash* h, const EdgeGrid* g, const View& c, const Params& prm,
                  Workspace& ws) {
    Parts r;
    if (p.n == 0 || c.n == 0) return r;
    ws.vector = mcc::vector_code_enabled();
    if (prm.roots_from_mcc) {
        r.mcc = mcc_score(p, c, prm, ws, 0);
        mcc_roots(p, c, prm, ws);
        r.edges = grow_roots(p, c, prm, ws);
        return r;
    }
    if (h != nullptr)
        vote(p, *h, c, prm, ws);
    else
        vote_grid(p, *g, c, prm, ws);
    r.edges = grow_roots(p, c, prm, ws);
    // a pairing this weak says the prints differ: the cylinders (half the time) are left out
    if (r.edges < prm.mcc_min_edges) return r;
    // Cylinders compare only minutiae turned by at most mcc.max_rotation_steps: around no rotation
    // (plain impressions are near upright) and, when the best pairing says the print is turned
    // further, around its rotation too; the better of the two counts.
    r.mcc = mcc_score(p, c, prm, ws, 0);
    const uint16_t rot = ws.best_rotation;
    if (r.edges >= prm.mcc_rotated_min_edges && std::abs(angle_diff(rot, 0)) > prm.mcc.max_rotation_steps / 2)
        r.mcc = std::max(r.mcc, mcc_score(p, c, prm, ws, rot));
    return r;
}

// --- Python-facing helpers --------------------------------------------------------------------

void fill_owned(Owned& o, const carray<int32_t>& x, const carray<int32_t>& y, const carray<float>& angle,
                const carray<uint8_t>& kind, const carray<uint8_t>& quality, double scale, const Params& prm,
                Workspace& ws) {
    const std::size_t n = static_cast<std::size_t>(x.shape(0));
    if (static_cast<std::size_t>(y.shape(0)) != n || static_cast<std::size_t>(angle.shape(0)) != n ||
        static_cast<std::size_t>(kind.shape(0)) != n || static_cast<std::size_t>(quality.shape(0)) != n)
        throw std::invalid_argument("minutia arrays differ in length");
    o.x.resize(n);
    o.y.resize(n);
    o.angle.resize(n);
    o.kind.assign(kind.data(), kind.data() + n);
    o.quality.assign(quality.data(), quality.data() + n);
    const int32_t* px = x.data();
    const int32_t* py = y.data();
    const float* pa = angle.data();
    for (std::size_t i = 0; i < n; ++i) {
        o.x[i] = static_cast<float>(px[i] * scale);
        o.y[i] = static_cast<float>(py[i] * scale);
        o.angle[i] = to_steps(pa[i]);
    }
    o.edges.resize(n * prm.neighbors);
    o.count.resize(n);
    build_edges(static_cast<int>(n), o.x.data(), o.y.data(), o.angle.data(), prm, o.edges.data(), o.count.data(),
                ws.scratch);
    o.cylinders.resize(n * 2 * prm.mcc.words);
    mcc::build(static_cast<int>(n), o.x.data(), o.y.data(), o.angle.data(), prm.mcc, o.cylinders.data());
    o.mcc_keys.resize(n);
    o.mcc_words.resize(mcc::arranged_words(static_cast<int>(n), prm.mcc));
    mcc::arrange(static_cast<int>(n), o.angle.data(), o.cylinders.data(), prm.mcc, o.mcc_keys.data(), o.mcc_words.data());
    o.has_grid = prm.overlap_cell_px > 0.0f && n > 0;
    if (o.has_grid) o.grid.build(static_cast<int>(n), o.x.data(), o.y.data(), prm.overlap_cell_px);
}

// Packed templates (struct of arrays + offsets) with their edge tables, as Python keeps them.
struct PackedView {
    const int64_t* offsets;
    std::size_t templates;
    const float* x;
    const float* y;
    const uint16_t* angle;
    const uint8_t* kind;
    const uint8_t* quality;
    const Edge* edges;
    const uint8_t* count;
    const uint64_t* cylinders;
    int k;
    int cylinder_words;  // 2 * mcc.words
    const uint32_t* mcc_keys = nullptr;  // the cylinders as mcc::arrange writes them (or null), template t's
    const uint64_t* mcc_words = nullptr;  // words from word_offsets[t]
    std::vector<int64_t> word_offsets;
    View at(std::size_t t) const {
        View v;
        int64_t b = offsets[t];
        v.n = static_cast<int>(offsets[t + 1] - b);
        v.k = k;
        v.x = x + b;
        v.y = y + b;
        v.angle = angle + b;
        v.kind = kind + b;
        v.quality = quality + b;
        v.edges = edges + b * k;
        v.count = count + b;
        v.cylinders = cylinders + b * cylinder_words;
        if (mcc_keys != nullptr) {
            v.mcc_keys = mcc_keys + b;
            v.mcc_words = mcc_words + word_offsets[t];
        }
        return v;
    }
};

static_assert(sizeof(Edge) == 12, "Edge must be 12 bytes (Python views it as a (n, K, 3) float32-sized record)");

PackedView packed_view(const carray<int64_t>& offsets, const carray<float>& x, const carray<float>& y,
                       const carray<uint16_t>& angle, const carray<uint8_t>& kind, const carray<uint8_t>& quality,
                       const carray<uint8_t>& edges, const carray<uint8_t>& count, const carray<uint64_t>& cylinders,
                       const Params& prm) {
    const int K = prm.neighbors;
    PackedView pv;
    if (offsets.ndim() != 1 || offsets.shape(0) < 1) throw std::invalid_argument("offsets: expected at least one value");
    pv.offsets = offsets.data();
    pv.templates = static_cast<std::size_t>(offsets.shape(0) - 1);
    const std::size_t total = static_cast<std::size_t>(x.shape(0));
    if (static_cast<std::size_t>(pv.offsets[pv.templates]) != total || pv.offsets[0] != 0)
        throw std::invalid_argument("offsets: must start at 0 and end at the number of minutiae");
    if (static_cast<std::size_t>(edges.size()) != total * K * sizeof(Edge) ||
        static_cast<std::size_t>(count.shape(0)) != total || static_cast<std::size_t>(y.shape(0)) != total ||
        static_cast<std::size_t>(angle.shape(0)) != total || static_cast<std::size_t>(kind.shape(0)) != total ||
        static_cast<std::size_t>(quality.shape(0)) != total || static_cast<std::size_t>(cylinders.size()) != total * 2 * prm.mcc.words)
        throw std::invalid_argument("packed arrays disagree in size");
    for (std::size_t t = 0; t < pv.templates; ++t)
        if (pv.offsets[t + 1] < pv.offsets[t]) throw std::invalid_argument("offsets: must not decrease");
    pv.x = x.data();
    pv.y = y.data();
    pv.angle = angle.data();
    pv.kind = kind.data();
    pv.quality = quality.data();
    pv.edges = reinterpret_cast<const Edge*>(edges.data());
    pv.count = count.data();
    pv.cylinders = cylinders.data();
    pv.k = K;
    pv.cylinder_words = 2 * prm.mcc.words;
    return pv;
}

// Where each template's arranged cylinder words start (T + 1 values, the last the total).
std::vector<int64_t> arranged_offsets(const int64_t* offsets, std::size_t templates, const mcc::Params& prm) {
    std::vector<int64_t> out(templates + 1, 0);
    for (std::size_t t = 0; t < templates; ++t)
        out[t + 1] = out[t] + static_cast<int64_t>(mcc::arranged_words(static_cast<int>(offsets[t + 1] - offsets[t]), prm));
    return out;
}

// Builds the edge tables and cylinders of packed templates: returns (edges bytes (total*K*12),
// count (total), cylinders (total, 2 * words) uint64, cylinder keys (total) uint32 and arranged
// cylinder words uint64, as mcc::arrange writes them template by template).
py::tuple pack_edges(const carray<int64_t>& offsets, const carray<float>& x, const carray<float>& y,
                     const carray<uint16_t>& angle, const carray<double>& params, int threads) {
    Params prm = Params::from(params);
    const std::size_t total = static_cast<std::size_t>(x.shape(0));
    const std::size_t T = static_cast<std::size_t>(offsets.shape(0)) - 1;
    if (offsets.shape(0) < 1 || offsets.data()[T] != static_cast<int64_t>(total) ||
        static_cast<std::size_t>(y.shape(0)) != total || static_cast<std::size_t>(angle.shape(0)) != total)
        throw std::invalid_argument("packed arrays disagree in size");
    carray<uint8_t> edges(static_cast<py::ssize_t>(total * prm.neighbors * sizeof(Edge)));
    carray<uint8_t> count(static_cast<py::ssize_t>(total));
    const int cw = 2 * prm.mcc.words;
    carray<uint64_t> cylinders({static_cast<py::ssize_t>(total), static_cast<py::ssize_t>(cw)});
    uint64_t* pcyl = cylinders.mutable_data();
    const std::vector<int64_t> woff = arranged_offsets(offsets.data(), T, prm.mcc);
    carray<uint32_t> keys(static_cast<py::ssize_t>(total));
    carray<uint64_t> words(static_cast<py::ssize_t>(woff[T]));
    uint32_t* pkeys = keys.mutable_data();
    uint64_t* pwords = words.mutable_data();
    Edge* pe = reinterpret_cast<Edge*>(edges.mutable_data());
    uint8_t* pc = count.mutable_data();
    const int64_t* off = offsets.data();
    const float* px = x.data();
    const float* py_ = y.data();
    const uint16_t* pa = angle.data();
    {
        py::gil_scoped_release release;
        parallel_for(T, threads, 256, [&](std::size_t b, std::size_t e) {
            std::vector<uint64_t> scratch;
            for (std::size_t t = b; t < e; ++t) {
                int64_t s = off[t];
                build_edges(static_cast<int>(off[t + 1] - s), px + s, py_ + s, pa + s, prm, pe + s * prm.neighbors,
                            pc + s, scratch);
                mcc::build(static_cast<int>(off[t + 1] - s), px + s, py_ + s, pa + s, prm.mcc, pcyl + s * cw);
                mcc::arrange(static_cast<int>(off[t + 1] - s), pa + s, pcyl + s * cw, prm.mcc, pkeys + s, pwords + woff[t]);
            }
        });
    }
    return py::make_tuple(edges, count, cylinders, keys, words);
}

// A probe prepared once (edge table + hash) for many comparisons.
class PreparedProbe {
   public:
    PreparedProbe(const carray<int32_t>& x, const carray<int32_t>& y, const carray<float>& angle,
                  const carray<uint8_t>& kind, const carray<uint8_t>& quality, double scale,
                  const carray<double>& params)
        : prm_(Params::from(params)) {
        Workspace ws;
        fill_owned(own_, x, y, angle, kind, quality, scale, prm_, ws);
        grid_.build(own_.view(prm_.neighbors), prm_);
    }

    // The probe hash (see EdgeHash), built on first use (~1 MB). Called with the GIL
    // held, so only one thread ever builds it.
    const EdgeHash& hash() const {
        if (!hash_built_) {
            hash_.build(own_.view(prm_.neighbors), prm_, true);
            hash_built_ = true;
        }
        return hash_;
    }

    py::array_t<float> match_packed(const carray<int64_t>& offsets, const carray<float>& x, const carray<float>& y,
                                    const carray<uint16_t>& angle, const carray<uint8_t>& kind,
                                    const carray<uint8_t>& quality, const carray<uint8_t>& edges,
                                    const carray<uint8_t>& count, const carray<uint64_t>& cylinders, int threads,
                                    bool parts, const py::object& mcc_keys, const py::object& mcc_words) const {
        PackedView pv = packed_view(offsets, x, y, angle, kind, quality, edges, count, cylinders, prm_);
        // the cylinders arranged at pack time (pack_edges), when given: else arranged per comparison
        carray<uint32_t> keys;
        carray<uint64_t> words;
        if (!mcc_keys.is_none() && !mcc_words.is_none()) {
            keys = mcc_keys.cast<carray<uint32_t>>();
            words = mcc_words.cast<carray<uint64_t>>();
            pv.word_offsets = arranged_offsets(pv.offsets, pv.templates, prm_.mcc);
            if (keys.ndim() != 1 || static_cast<std::size_t>(keys.shape(0)) != static_cast<std::size_t>(x.shape(0)) ||
                words.ndim() != 1 || words.shape(0) != pv.word_offsets.back())
                throw std::invalid_argument("mcc_keys, mcc_words: sizes disagree with the packed templates");
            pv.mcc_keys = keys.data();
            pv.mcc_words = words.data();
        }
        // parts: (T, 2) edge evidence and MCC score instead of the fused (T,) scores (tuning, tests)
        py::array_t<float> out = parts ? py::array_t<float>({static_cast<py::ssize_t>(pv.templates), py::ssize_t{2}})
                                       : py::array_t<float>(static_cast<py::ssize_t>(pv.templates));
        float* po = out.mutable_data();
        View probe = own_.view(prm_.neighbors);
        const EdgeHash* h = mcc::vector_code_enabled() ? nullptr : &hash();  // see EdgeGrid
        {
            py::gil_scoped_release release;
            parallel_for(pv.templates, threads, 64, [&](std::size_t b, std::size_t e) {
                thread_local Workspace ws;
                for (std::size_t t = b; t < e; ++t) {
                    Parts r = match_views(probe, h, &grid_, pv.at(t), prm_, ws);
                    if (parts) {
                        po[2 * t] = r.edges;
                        po[2 * t + 1] = r.mcc;
                    } else {
                        po[t] = r.fused(prm_);
                    }
                }
            });
        }
        return out;
    }

    // Vote matrix against one candidate (for tests: compared with a slow reference in Python).
    // one_off: through the probe's EdgeGrid (the votes every comparison uses) instead of its EdgeHash.
    py::array_t<uint16_t> votes(const carray<int32_t>& x, const carray<int32_t>& y, const carray<float>& angle,
                                const carray<uint8_t>& kind, const carray<uint8_t>& quality, double scale,
                                bool one_off) const {
        Workspace ws;
        Owned c;
        fill_owned(c, x, y, angle, kind, quality, scale, prm_, ws);
        ws.vector = mcc::vector_code_enabled();
        if (one_off)
            vote_grid(own_.view(prm_.neighbors), grid_, c.view(prm_.neighbors), prm_, ws);
        else
            vote(own_.view(prm_.neighbors), hash(), c.view(prm_.neighbors), prm_, ws);
        py::array_t<uint16_t> out({static_cast<py::ssize_t>(own_.x.size()), static_cast<py::ssize_t>(c.x.size())});
        std::copy(ws.votes.begin(), ws.votes.end(), out.mutable_data());
        return out;
    }

    // Score another prepared template (the one-off path when both sides are cached); equals
    // match_packed on that template (the same votes through the probe's EdgeGrid, then the same
    // growth and cylinders).
    float match_prepared(const PreparedProbe& other) const {
        if (other.prm_.kCount != prm_.kCount || other.prm_.neighbors != prm_.neighbors ||
            other.prm_.mcc.words != prm_.mcc.words)
            throw std::invalid_argument("prepared templates differ in parameters");
        thread_local Workspace ws;
        py::gil_scoped_release release;
        return match_views(own_.view(prm_.neighbors), nullptr, &grid_, other.own_.view(prm_.neighbors), prm_, ws)
            .fused(prm_);
    }

    // match_prepared with its parts and the best pairing: (edge evidence, MCC score, fused score,
    // pairs (k, 2) int32 minutia indices probe / other, rotation of the best pairing's root in
    // 16-bit steps, other minus probe).
    py::tuple explain(const PreparedProbe& other) const {
        if (other.prm_.kCount != prm_.kCount || other.prm_.neighbors != prm_.neighbors ||
            other.prm_.mcc.words != prm_.mcc.words)
            throw std::invalid_argument("prepared templates differ in parameters");
        Workspace ws;
        ws.record_pairing = true;
        Parts r;
        {
            py::gil_scoped_release release;
            r = match_views(own_.view(prm_.neighbors), nullptr, &grid_, other.own_.view(prm_.neighbors), prm_, ws);
        }
        const bool any = r.edges > 0.0f;  // no pairing was grown (or an empty template)
        const py::ssize_t k = any ? static_cast<py::ssize_t>(ws.best_paired.size()) : 0;
        py::array_t<int32_t> pairs({k, py::ssize_t{2}});
        int32_t* out = pairs.mutable_data();
        for (py::ssize_t j = 0; j < k; ++j) {
            out[2 * j] = ws.best_paired[j];
            out[2 * j + 1] = ws.best_partner[j];
        }
        return py::make_tuple(r.edges, r.mcc, r.fused(prm_), pairs, any ? static_cast<int>(ws.best_rotation) : 0);
    }

    py::array_t<uint8_t> edge_table() const {
        py::array_t<uint8_t> out(static_cast<py::ssize_t>(own_.edges.size() * sizeof(Edge)));
        std::memcpy(out.mutable_data(), own_.edges.data(), own_.edges.size() * sizeof(Edge));
        return out;
    }

   private:
    Params prm_;
    Owned own_;
    EdgeGrid grid_;
    mutable EdgeHash hash_;
    mutable bool hash_built_ = false;
};

float match_pair(const carray<int32_t>& x1, const carray<int32_t>& y1, const carray<float>& a1,
                 const carray<uint8_t>& k1, const carray<uint8_t>& q1, double s1, const carray<int32_t>& x2,
                 const carray<int32_t>& y2, const carray<float>& a2, const carray<uint8_t>& k2,
                 const carray<uint8_t>& q2, double s2, const carray<double>& params) {
    Params prm = Params::from(params);
    if (x1.shape(0) == 0 || x2.shape(0) == 0) return 0.0f;
    thread_local Workspace ws;
    thread_local Owned p, c;
    thread_local EdgeGrid g;
    fill_owned(p, x1, y1, a1, k1, q1, s1, prm, ws);
    fill_owned(c, x2, y2, a2, k2, q2, s2, prm, ws);
    py::gil_scoped_release release;
    g.build(p.view(prm.neighbors), prm);
    return match_views(p.view(prm.neighbors), nullptr, &g, c.view(prm.neighbors), prm, ws).fused(prm);
}

// Cylinders of one template (500 ppi float positions, 16-bit angles): (n, 2 * words) uint64.
carray<uint64_t> mcc_cylinders(const carray<float>& x, const carray<float>& y, const carray<uint16_t>& angle,
                               const carray<double>& params) {
    Params prm = Params::from(params);
    const py::ssize_t n = x.shape(0);
    if (y.shape(0) != n || angle.shape(0) != n) throw std::invalid_argument("minutia arrays differ in length");
    carray<uint64_t> out({n, static_cast<py::ssize_t>(2 * prm.mcc.words)});
    mcc::build(static_cast<int>(n), x.data(), y.data(), angle.data(), prm.mcc, out.mutable_data());
    return out;
}

}  // namespace

void register_matching(py::module_& m) {
    py::class_<PreparedProbe>(m, "PreparedProbe", "A probe template prepared for many comparisons (private).")
        .def(py::init<const carray<int32_t>&, const carray<int32_t>&, const carray<float>&, const carray<uint8_t>&,
                      const carray<uint8_t>&, double, const carray<double>&>(),
             py::arg("x"), py::arg("y"), py::arg("angle"), py::arg("kind"), py::arg("quality"), py::arg("scale"),
             py::arg("params"))
        .def("match_packed", &PreparedProbe::match_packed, py::arg("offsets"), py::arg("x"), py::arg("y"),
             py::arg("angle"), py::arg("kind"), py::arg("quality"), py::arg("edges"), py::arg("count"),
             py::arg("cylinders"), py::arg("threads") = 0, py::arg("parts") = false, py::arg("mcc_keys") = py::none(),
             py::arg("mcc_words") = py::none())
        .def("votes", &PreparedProbe::votes, py::arg("x"), py::arg("y"), py::arg("angle"), py::arg("kind"),
             py::arg("quality"), py::arg("scale"), py::arg("one_off") = false)
        .def("match_prepared", &PreparedProbe::match_prepared, py::arg("other"))
        .def("explain", &PreparedProbe::explain, py::arg("other"))
        .def("edge_table", &PreparedProbe::edge_table);
    m.def("match_pair", &match_pair, py::arg("x1"), py::arg("y1"), py::arg("angle1"), py::arg("kind1"),
          py::arg("quality1"), py::arg("scale1"), py::arg("x2"), py::arg("y2"), py::arg("angle2"), py::arg("kind2"),
          py::arg("quality2"), py::arg("scale2"),
          py::arg("params"), "Score one pair of templates (arrays in Template dtypes; scale to 500 ppi).");
    m.def("mcc_cylinders", &mcc_cylinders, py::arg("x"), py::arg("y"), py::arg("angle"), py::arg("params"),
          "Minutia Cylinder-Code bits of one template: (n, 2 * words) uint64, values then validity.");
    m.def("mcc_vector_scan", &mcc::use_vector_scan, py::arg("allowed"),
          "Allow (default) or forbid the AVX-512 code (cylinder scan, compatibility filter, edge agreement); returns\n"
          "whether it is in use (for tests).");
    m.def("pack_edges", &pack_edges, py::arg("offsets"), py::arg("x"), py::arg("y"), py::arg("angle"),
          py::arg("params"), py::arg("threads") = 0,
          "Edge tables of packed templates (500 ppi float positions, 16-bit angles): (edges bytes, counts).");
}

}  // namespace biocore
