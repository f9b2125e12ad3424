#include "knit/nn/serialize.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "knit/core/atomic_file.hpp"
#include "knit/core/error.hpp"

namespace knit::nn {
namespace {

constexpr char magic[8] = {'K', 'N', 'I', 'T', 'M', 'D', 'L', '1'};

std::uint64_t fnv1a(const unsigned char* data, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t i = 0; i < n; ++i) {
        h ^= data[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

// Little-endian regardless of the host, so files move between machines.
template <class U>
void put(std::string& out, U v) {
    for (std::size_t i = 0; i < sizeof(U); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class reader {
public:
    reader(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}
    template <class U>
    U get(const char* what) {
        need(sizeof(U), what);
        U v = 0;
        for (std::size_t i = 0; i < sizeof(U); ++i)
            v |= static_cast<U>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
        pos_ += sizeof(U);
        return v;
    }
    std::string take(std::uint64_t n, const char* what) {
        need(n, what);
        std::string s = bytes_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    void need(std::uint64_t n, const char* what) const {
        KNIT_CHECK_AS(io_error, n <= bytes_.size() - pos_,
                      path_ << ": truncated model file: got " << bytes_.size() - pos_
                            << " bytes left, expected " << n << " for the " << what);
    }
    std::size_t pos() const { return pos_; }

private:
    const std::string& path_;
    const std::string& bytes_;
    std::size_t pos_ = 0;
};

}  // namespace

void write_model_file(const std::string& path, const std::string& signature,
                      std::uint32_t scalar_size, const void* values, std::uint64_t count) {
    KNIT_CHECK(scalar_size == 4 || scalar_size == 8,
               "model file scalar size: got " << scalar_size << ", expected 4 or 8");
    std::string out(magic, magic + 8);
    put<std::uint32_t>(out, model_format_version);
    put<std::uint32_t>(out, scalar_size);
    put<std::uint64_t>(out, signature.size());
    out += signature;
    put<std::uint64_t>(out, count);
    const auto* raw = static_cast<const unsigned char*>(values);
    for (std::uint64_t i = 0; i < count; ++i) {
        if (scalar_size == 4) {
            std::uint32_t bits;
            std::memcpy(&bits, raw + i * 4, 4);
            put(out, bits);
        } else {
            std::uint64_t bits;
            std::memcpy(&bits, raw + i * 8, 8);
            put(out, bits);
        }
    }
    put<std::uint64_t>(out, fnv1a(reinterpret_cast<const unsigned char*>(out.data()), out.size()));

    write_file_atomically(path, out);
}

model_file read_model_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    KNIT_CHECK_AS(io_error, f.good(), path << ": cannot open model file for reading");
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    KNIT_CHECK_AS(io_error, bytes.size() >= 8 && std::memcmp(bytes.data(), magic, 8) == 0,
                  path << ": not a knit model file (got another magic number, expected \"KNITMDL1\")");
    KNIT_CHECK_AS(io_error, bytes.size() >= 8 + 8,
                  path << ": truncated model file: got " << bytes.size() << " bytes, expected a header");
    // The checksum covers everything before the last 8 bytes; check it first so that a
    // damaged length field cannot send the parser astray.
    reader r(path, bytes);
    r.take(8, "magic");
    const auto version = r.get<std::uint32_t>("format version");
    KNIT_CHECK_AS(io_error, version == model_format_version,
                  path << ": model format version " << version << ", expected " << model_format_version);
    const auto scalar = r.get<std::uint32_t>("scalar size");
    KNIT_CHECK_AS(io_error, scalar == 4 || scalar == 8,
                  path << ": scalar size " << scalar << ", expected 4 or 8 (damaged file)");
    KNIT_CHECK_AS(io_error, bytes.size() >= 8 + 8 + 8,
                  path << ": truncated model file: got " << bytes.size() << " bytes, expected more");
    const std::size_t body = bytes.size() - 8;
    std::uint64_t stored = 0;
    for (std::size_t i = 0; i < 8; ++i)
        stored |= std::uint64_t(static_cast<unsigned char>(bytes[body + i])) << (8 * i);
    const std::uint64_t actual = fnv1a(reinterpret_cast<const unsigned char*>(bytes.data()), body);
    KNIT_CHECK_AS(io_error, stored == actual,
                  path << ": checksum mismatch (damaged or truncated model file)");

    model_file out;
    out.scalar_size = scalar;
    const auto sig_len = r.get<std::uint64_t>("signature length");
    out.signature = r.take(sig_len, "signature");
    const auto count = r.get<std::uint64_t>("parameter count");
    KNIT_CHECK_AS(io_error, count <= (body - r.pos()) / scalar,
                  path << ": got " << count << " parameters announced, expected at most "
                       << (body - r.pos()) / scalar << " (the bytes present)");
    out.values.resize(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        if (scalar == 4) {
            const auto bits = r.get<std::uint32_t>("parameters");
            float v;
            std::memcpy(&v, &bits, 4);
            out.values[i] = v;
        } else {
            const auto bits = r.get<std::uint64_t>("parameters");
            std::memcpy(&out.values[i], &bits, 8);
        }
    }
    KNIT_CHECK_AS(io_error, r.pos() == body,
                  path << ": got " << body - r.pos() << " unexpected bytes after the parameters");
    return out;
}

void check_signature(const std::string& path, const std::string& in_file, const std::string& in_model) {
    if (in_file == in_model) return;
    std::istringstream a(in_file), b(in_model);
    std::string la, lb;
    std::size_t line = 0;
    while (true) {
        ++line;
        const bool more_a = static_cast<bool>(std::getline(a, la));
        const bool more_b = static_cast<bool>(std::getline(b, lb));
        if (!more_a) la = "(end of architecture)";
        if (!more_b) lb = "(end of architecture)";
        if (la != lb || (!more_a && !more_b)) break;
    }
    KNIT_CHECK_AS(io_error, false,
                  path << ": the model in the file does not match this model at architecture line "
                       << line << ": got '" << la << "', expected '" << lb << "'");
}

}  // namespace knit::nn
