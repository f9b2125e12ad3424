#include "knit/nn/data_source.hpp"

#include "knit/core/bytes.hpp"

namespace knit::nn {
namespace detail {

std::string encode_order_state(const rng& engine, const std::vector<std::size_t>& order) {
    byte_writer out;
    out.string(engine.state());
    out.u64(order.size());
    for (std::size_t i : order) out.u64(i);
    return out.bytes();
}

void decode_order_state(const std::string& s, rng& engine, std::vector<std::size_t>& order) {
    const std::string source = "in_memory_source state";
    byte_reader r(source, "checkpoint", s);
    const std::string engine_text = r.string("engine bytes");
    const std::uint64_t n = r.count("rows", 8);
    KNIT_CHECK_AS(value_error, n == order.size(),
                  "in_memory_source::set_state: got an order of " << n << " rows, expected " << order.size()
                                                                  << " (the checkpoint was written for other data)");
    std::vector<std::size_t> restored(n);
    std::vector<bool> seen(n, false);
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t row = r.u64("order");
        KNIT_CHECK_AS(value_error, row < n && !seen[row],
                      "in_memory_source::set_state: got row " << row << " at position " << i
                                                              << ", expected a permutation of 0.." << n - 1);
        seen[row] = true;
        restored[i] = static_cast<std::size_t>(row);
    }
    r.expect_end("order");
    engine.set_state(engine_text);
    order = std::move(restored);
}

}  // namespace detail

template class in_memory_source<float>;
template class in_memory_source<double>;
template class generator_source<float>;
template class generator_source<double>;
}  // namespace knit::nn
