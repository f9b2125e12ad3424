// Little-endian binary encoding for knit's files (model files, checkpoints), the same on
// every host. byte_reader checks every length against the bytes that are present before
// anything is allocated, so a damaged or hostile file gets a knit::io_error naming the
// source and the field, never an out-of-memory error or a read past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace knit {

class byte_writer {
public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) { put(v, 4); }
    void u64(std::uint64_t v) { put(v, 8); }
    void f32(float v);
    void f64(double v);
    // A u64 length, then the bytes.
    void string(const std::string& s) {
        u64(s.size());
        out_ += s;
    }
    void raw(const std::string& bytes) { out_ += bytes; }
    const std::string& bytes() const { return out_; }
    std::string& bytes() { return out_; }

private:
    void put(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    std::string out_;
};

class byte_reader {
public:
    // source names the data in messages (a file path); kind says what it is ("model file").
    // The reader refers to bytes, which must outlive it.
    byte_reader(const std::string& source, const std::string& kind, const std::string& bytes,
                std::size_t begin = 0, std::size_t end = std::string::npos);

    std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(get(1, what)); }
    std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(get(4, what)); }
    std::uint64_t u64(const char* what) { return get(8, what); }
    float f32(const char* what);
    double f64(const char* what);
    std::string string(const char* what);
    std::string take(std::uint64_t n, const char* what);
    // A u64 count of elements of element_size bytes each, refused when the elements
    // cannot all be present; read it before sizing a container.
    std::uint64_t count(const char* what, std::size_t element_size);
    // `scalar_size` bytes (4 or 8) as a float or double, widened to double.
    double scalar(std::uint32_t scalar_size, const char* what) {
        return scalar_size == 4 ? static_cast<double>(f32(what)) : f64(what);
    }

    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return end_ - pos_; }
    // Refuses bytes left over before the end.
    void expect_end(const char* after) const;

private:
    std::uint64_t get(int n, const char* what);
    void need(std::uint64_t n, const char* what) const;

    const std::string& source_;
    std::string kind_;
    const std::string& bytes_;
    std::size_t pos_, end_;
};

}  // namespace knit
