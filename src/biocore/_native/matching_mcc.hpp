// Minutia Cylinder-Code (bit-based) local descriptors and LSS-R scoring, used by matching.cpp.
//
// R. Cappelli, M. Ferrara, D. Maltoni, "Minutia Cylinder-Code: a new representation and matching
// technique for fingerprint recognition", IEEE TPAMI 32(12), 2010. Written from the paper.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace biocore {

// atan2 to ~1e-5 rad (a minimax polynomial on [0, 1]); minutia and edge directions need no more.
inline float fast_atan2(float y, float x) {
    float ax = std::fabs(x), ay = std::fabs(y);
    float mx = std::max(ax, ay), mn = std::min(ax, ay);
    float a = mx > 0.0f ? mn / mx : 0.0f;
    float s = a * a;
    float r = ((-0.0464964749f * s + 0.15931422f) * s - 0.327622764f) * s * a + a;
    if (ay > ax) r = 1.57079637f - r;
    if (x < 0.0f) r = 3.14159274f - r;
    return y < 0.0f ? -r : r;
}

namespace mcc {

// Tables derived from the parameters (built once per distinct parameter set, shared read-only).
struct Tables;

struct Params {
    float radius_px;         // R
    int cells;               // Ns (cells per side)
    int sections;            // Nd (direction sections)
    float sigma_space_px;    // sigma_S
    float sigma_dir_rad;     // sigma_D
    float bit_threshold;     // mu_Psi: a cell's bit is set when its contribution exceeds this
    float hull_margin_px;    // Omega
    float min_valid_cells;   // min_VC, fraction of the cells in the disc
    int min_neighbors;       // min_M
    float min_matchable;     // min_ME, fraction of the cells in the disc valid in both cylinders
    int max_rotation_steps;  // delta_theta, 16-bit angle steps
    int pairs_min, pairs_max;
    float pairs_mu, pairs_tau;
    int relax_iterations;
    float relax_weight;
    float rho_mu[3], rho_tau[3];  // distance (px), direction difference (rad), radial angle (rad)
    int max_relax_pairs;          // n_R is min(n_A, n_B, this)

    int words = 0;       // uint64 words per cylinder (values; the validity mask follows)
    bool word_per_section = false;  // cells * cells == 64: section k is word k, validity words all equal
    int disc_cells = 0;  // cells whose centre lies within R
    std::shared_ptr<const Tables> tables;

    // v: the MCC part of the float64 parameter vector (kCount values).
    static Params from(const double* v);
    static constexpr int kCount = 24;
};

// Cylinders of n minutiae (500 ppi positions, 16-bit angles) into out[n * 2 * words]:
// value bits then validity bits per minutia; an invalid cylinder has an all-zero validity mask.
void build(int n, const float* x, const float* y, const uint16_t* angle, const Params& prm, uint64_t* out);

// Candidate cylinders arranged for the AVX-512 scan (Params::word_per_section only), built once
// per template instead of once per comparison: keys[k] = (angle << 16) | index of the minutiae in
// increasing key (by direction), and words[w * stride + k] = word w (w <= words: the values, then
// the validity word all sections share) of the k-th minutia in that order, stride (n + 15) & ~7,
// zeros past n. arranged_words gives the size of `words` (0 when the scan cannot use them).
std::size_t arranged_words(int n, const Params& prm);
void arrange(int n, const uint16_t* angle, const uint64_t* cylinders, const Params& prm, uint32_t* keys,
             uint64_t* words);

struct Scratch {
    std::vector<uint64_t> keys;  // (similarity or efficiency bits, index), largest first
    std::vector<uint16_t> pa, pb;
    std::vector<uint32_t> order;  // candidate minutiae by direction (keys as arrange() writes them)
    std::vector<uint64_t> transposed;  // candidate cylinders as arrange() writes them, when not given
    std::vector<uint64_t> ranked;      // the vector scan's top-key selection
    std::vector<float> lambda, next, first;
    std::vector<uint16_t> turn, near;  // the relaxation's pairs: rotation, pairs compatible in it
    std::vector<float> z12, positions;  // their distance-and-direction compatibility; x1, y1, x2, y2 by pair
    std::vector<uint16_t> directions;   // a1, a2 by pair (vector code)
    // the relaxation's sparse compatibility matrix: rows in CSR form (rho holds the values)
    struct Triple {
        uint16_t row, col;
        float value;
    };
    std::vector<Triple> triples;
    std::vector<uint32_t> row_start, row_fill;
    std::vector<uint16_t> col;
    std::vector<float> rho;
    // the vector code's relaxation: the same matrix dense, column-major (column q at q * ld, ld the
    // pair count rounded up to 16), and its weights padded with zeros to ld
    std::vector<float> dense, lam16, next16;
};

// Lets score() scan cylinder pairs and filter the relaxation's compatible pairs with AVX-512 when
// the processor has it (the default) or not (tests: both give the same scores); returns whether
// the vector code is now in use.
bool use_vector_scan(bool allowed);

// Whether the AVX-512 code (here and in matching.cpp) is allowed and the processor has it.
bool vector_code_enabled();

// The min(n, k) largest of n distinct keys into keys[0 ...], in no particular order; returns how
// many. AVX-512 only (vector_code_enabled()); keys and scratch need room for n + 8 keys.
std::size_t largest_keys(uint64_t* keys, std::size_t n, std::size_t k, uint64_t* scratch);

// Similarity of two cylinders (0 when not matchable).
float similarity(const uint64_t* a, uint16_t angle_a, const uint64_t* b, uint16_t angle_b, const Params& prm);

// LSS-R global score in [0, 1] of two templates with their cylinders. Cylinder pairs compare when
// their minutiae turn by `rotation` (16-bit steps, b minus a) within max_rotation_steps. keys_b and
// words_b: b's cylinders as arrange() writes them, or null (then arranged here when needed).
float score(int na, const float* xa, const float* ya, const uint16_t* aa, const uint64_t* ca, int nb, const float* xb,
            const float* yb, const uint16_t* ab, const uint64_t* cb, const uint32_t* keys_b, const uint64_t* words_b,
            const Params& prm, Scratch& s, uint16_t rotation = 0);

}  // namespace mcc
}  // namespace biocore
