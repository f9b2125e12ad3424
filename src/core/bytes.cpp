#include "knit/core/bytes.hpp"

#include <cstring>

#include "knit/core/error.hpp"

namespace knit {

void byte_writer::f32(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    u32(bits);
}

void byte_writer::f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
}

byte_reader::byte_reader(const std::string& source, const std::string& kind, const std::string& bytes,
                         std::size_t begin, std::size_t end)
    : source_(source), kind_(kind), bytes_(bytes), pos_(begin), end_(end == std::string::npos ? bytes.size() : end) {
    KNIT_CHECK(pos_ <= end_ && end_ <= bytes.size(),
               "byte_reader: got the range [" << begin << ", " << end << ") of " << bytes.size()
                                              << " bytes, expected a range inside them");
}

void byte_reader::need(std::uint64_t n, const char* what) const {
    KNIT_CHECK_AS(io_error, n <= end_ - pos_,
                  source_ << ": truncated " << kind_ << ": got " << end_ - pos_ << " bytes left, expected "
                          << n << " for the " << what);
}

std::uint64_t byte_reader::get(int n, const char* what) {
    need(static_cast<std::uint64_t>(n), what);
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v |= std::uint64_t(static_cast<unsigned char>(bytes_[pos_ + static_cast<std::size_t>(i)])) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
}

float byte_reader::f32(const char* what) {
    const std::uint32_t bits = u32(what);
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
}

double byte_reader::f64(const char* what) {
    const std::uint64_t bits = u64(what);
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
}

std::string byte_reader::take(std::uint64_t n, const char* what) {
    need(n, what);
    std::string s = bytes_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
}

std::string byte_reader::string(const char* what) {
    const std::uint64_t n = count(what, 1);
    return take(n, what);
}

std::uint64_t byte_reader::count(const char* what, std::size_t element_size) {
    const std::uint64_t n = u64(what);
    const std::uint64_t fits = element_size == 0 ? n : (end_ - pos_) / element_size;
    KNIT_CHECK_AS(io_error, n <= fits,
                  source_ << ": " << kind_ << " announces " << n << " " << what << ", expected at most "
                          << fits << " (the bytes present)");
    return n;
}

void byte_reader::expect_end(const char* after) const {
    KNIT_CHECK_AS(io_error, pos_ == end_,
                  source_ << ": got " << end_ - pos_ << " unexpected bytes in the " << kind_ << " after the "
                          << after);
}

}  // namespace knit
