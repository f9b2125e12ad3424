// Classic all-pairs scores (see include/knit/grn/features.hpp).
#include "knit/grn/features.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "knit/core/blas.hpp"
#include "knit/core/error.hpp"

namespace knit::grn {

namespace {

void check_samples(const tensor<double>& samples, std::size_t min_rows, const char* what) {
    KNIT_CHECK_AS(shape_error, samples.dimension() == 2 && samples.shape(1) >= 1,
                  what << ": got samples of shape " << shape_to_string(samples.shape())
                       << ", expected (S, G)");
    KNIT_CHECK_AS(value_error, samples.shape(0) >= min_rows,
                  what << ": got " << samples.shape(0) << " samples, expected at least " << min_rows);
    for (std::size_t i = 0; i < samples.size(); ++i)
        KNIT_CHECK_AS(value_error, std::isfinite(samples.data()[i]),
                      what << ": got a non-finite value at flat index " << i
                           << ", expected finite values");
}

}  // namespace

// Columns centred and scaled to unit norm, so Z_a^T Z_b is the correlation matrix. A
// constant column stays all zero, which makes its correlations 0.
std::vector<double> correlation_columns(const tensor<double>& x) {
    const std::size_t rows = x.shape(0), cols = x.shape(1);
    std::vector<double> z(x.data(), x.data() + x.size());
    std::vector<double> mean(cols, 0.0), norm(cols, 0.0), scale(cols, 0.0);
    // Correlation is scale-free; dividing by max |x| first keeps sums of huge values finite.
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) scale[c] = std::max(scale[c], std::abs(z[r * cols + c]));
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            if (scale[c] > 0) z[r * cols + c] /= scale[c];
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) mean[c] += z[r * cols + c];
    for (auto& m : mean) m /= static_cast<double>(rows);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const double d = z[r * cols + c] -= mean[c];
            norm[c] += d * d;
        }
    for (auto& n : norm) n = std::sqrt(n);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            double& v = z[r * cols + c];
            // Deviations at rounding level (a constant column in floating point) count as 0.
            v = norm[c] > 0 ? v / norm[c] : 0.0;
        }
    return z;
}

namespace {

void clear_diagonal(tensor<double>& m) {
    for (std::size_t i = 0; i < m.shape(0); ++i) m(i, i) = 0.0;
}

}  // namespace

tensor<double> cross_correlation(const tensor<double>& sources, const tensor<double>& targets) {
    check_samples(sources, 2, "cross_correlation sources");
    check_samples(targets, 2, "cross_correlation targets");
    KNIT_CHECK_AS(shape_error, sources.shape() == targets.shape(),
                  "cross_correlation: got sources " << shape_to_string(sources.shape())
                                                    << " and targets " << shape_to_string(targets.shape())
                                                    << ", expected equal shapes");
    const std::size_t rows = sources.shape(0), genes = sources.shape(1);
    const std::vector<double> za = correlation_columns(sources);
    const std::vector<double> zb = correlation_columns(targets);
    tensor<double> out = tensor<double>::from_shape({genes, genes});
    // out = Za^T Zb: (G, S) x (S, G).
    gemm(transpose::yes, transpose::no, genes, genes, rows, 1.0, za.data(), genes, zb.data(), genes,
         0.0, out.data(), genes);
    for (auto& v : out) v = std::clamp(v, -1.0, 1.0);
    return out;
}

tensor<double> pearson_scores(const tensor<double>& samples) {
    tensor<double> out = cross_correlation(samples, samples);
    clear_diagonal(out);
    return out;
}

tensor<double> pearson_scores(const time_series_data& data) {
    data.validate();
    return pearson_scores(data.stacked());
}

tensor<double> lag_correlation_scores(const time_series_data& data, std::size_t lag) {
    data.validate();
    KNIT_CHECK_AS(value_error, lag >= 1, "lag_correlation_scores: got lag 0, expected lag >= 1");
    const std::size_t genes = data.gene_count();
    std::size_t rows = 0;
    for (const auto& e : data.experiments)
        if (e.time_points() > lag) rows += e.time_points() - lag;
    KNIT_CHECK_AS(value_error, rows >= 2,
                  "lag_correlation_scores: got " << rows << " lagged pairs of time points for lag "
                                                 << lag << ", expected at least 2");
    // Sources: x(t) for t < T_e - lag; targets: x(t + lag); consecutive within experiments.
    tensor<double> sources = tensor<double>::from_shape({rows, genes});
    tensor<double> targets = tensor<double>::from_shape({rows, genes});
    std::size_t row = 0;
    for (const auto& e : data.experiments) {
        if (e.time_points() <= lag) continue;
        const std::size_t n = e.time_points() - lag;
        const double* x = e.values.data();
        std::copy(x, x + n * genes, sources.data() + row * genes);
        std::copy(x + lag * genes, x + (lag + n) * genes, targets.data() + row * genes);
        row += n;
    }
    tensor<double> out = cross_correlation(sources, targets);
    clear_diagonal(out);
    return out;
}

std::size_t default_mutual_information_bins(std::size_t samples) {
    const auto b = static_cast<std::size_t>(std::floor(std::sqrt(static_cast<double>(samples) / 5.0)));
    return std::clamp<std::size_t>(b, 2, 256);
}

tensor<double> mutual_information_scores(const tensor<double>& samples,
                                         const mutual_information_options& options) {
    check_samples(samples, 1, "mutual_information_scores");
    const std::size_t rows = samples.shape(0), genes = samples.shape(1);
    const std::size_t bins = options.bins ? options.bins : default_mutual_information_bins(rows);
    KNIT_CHECK_AS(value_error, bins >= 2 && bins <= 256,
                  "mutual_information_scores: got " << bins << " bins, expected 2..256");

    // Bin every gene once; codes are stored gene-major so a pair walks two contiguous rows.
    std::vector<std::uint8_t> codes(genes * rows);
    for (std::size_t g = 0; g < genes; ++g) {
        double lo = samples(0, g), hi = samples(0, g);
        for (std::size_t s = 1; s < rows; ++s) {
            lo = std::min(lo, samples(s, g));
            hi = std::max(hi, samples(s, g));
        }
        // Halves keep hi - lo finite for any finite input.
        const double span = hi / 2 - lo / 2;
        for (std::size_t s = 0; s < rows; ++s) {
            std::size_t b = 0;
            if (span > 0) {
                const double position = (samples(s, g) / 2 - lo / 2) / span * static_cast<double>(bins);
                // The maximum lands in the last bin; the guard also keeps the cast defined.
                b = position >= 0 ? std::min(static_cast<std::size_t>(std::min(position, 1e9)), bins - 1) : 0;
            }
            codes[g * rows + s] = static_cast<std::uint8_t>(b);
        }
    }
    // I = (1/S) [sum_ab c_ab ln c_ab - sum_a c_a ln c_a - sum_b c_b ln c_b] + ln S.
    std::vector<double> c_ln_c(rows + 1, 0.0);
    for (std::size_t c = 2; c <= rows; ++c)
        c_ln_c[c] = static_cast<double>(c) * std::log(static_cast<double>(c));
    std::vector<double> marginal(genes, 0.0);  // sum_a c_a ln c_a per gene
    {
        std::vector<std::uint32_t> counts(bins);
        for (std::size_t g = 0; g < genes; ++g) {
            std::fill(counts.begin(), counts.end(), 0);
            for (std::size_t s = 0; s < rows; ++s) ++counts[codes[g * rows + s]];
            for (auto c : counts) marginal[g] += c_ln_c[c];
        }
    }
    const double n = static_cast<double>(rows);
    const double ln_n = std::log(n);
    tensor<double> out = xt::zeros<double>({genes, genes});
    std::vector<std::uint32_t> joint(bins * bins);
    for (std::size_t i = 0; i < genes; ++i) {
        const std::uint8_t* a = codes.data() + i * rows;
        for (std::size_t j = i + 1; j < genes; ++j) {
            const std::uint8_t* b = codes.data() + j * rows;
            std::fill(joint.begin(), joint.end(), 0);
            for (std::size_t s = 0; s < rows; ++s) ++joint[a[s] * bins + b[s]];
            double sum = 0;
            for (auto c : joint) sum += c_ln_c[c];
            // Clamp rounding below zero: the plug-in estimate is >= 0 exactly.
            const double mi = std::max(0.0, (sum - marginal[i] - marginal[j]) / n + ln_n);
            out(i, j) = mi;
            out(j, i) = mi;
        }
    }
    return out;
}

tensor<double> mutual_information_scores(const time_series_data& data,
                                         const mutual_information_options& options) {
    data.validate();
    return mutual_information_scores(data.stacked(), options);
}

}  // namespace knit::grn
