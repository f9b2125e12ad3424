#include "knit/nn/serialize.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "knit/core/atomic_file.hpp"
#include "knit/core/bytes.hpp"
#include "knit/core/error.hpp"

namespace knit::nn {
namespace {

constexpr char magic[8] = {'K', 'N', 'I', 'T', 'M', 'D', 'L', '1'};
constexpr const char* kind = "model file";

std::uint64_t fnv1a(const unsigned char* data, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t i = 0; i < n; ++i) {
        h ^= data[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace

void write_model_file(const std::string& path, const std::string& signature,
                      std::uint32_t scalar_size, const void* values, std::uint64_t count,
                      const std::string& training_state) {
    KNIT_CHECK(scalar_size == 4 || scalar_size == 8,
               "model file scalar size: got " << scalar_size << ", expected 4 or 8");
    byte_writer out;
    out.raw(std::string(magic, magic + 8));
    out.u32(model_format_version);
    out.u32(scalar_size);
    out.string(signature);
    out.u64(count);
    const auto* raw = static_cast<const unsigned char*>(values);
    for (std::uint64_t i = 0; i < count; ++i) {
        if (scalar_size == 4) {
            float v;
            std::memcpy(&v, raw + i * 4, 4);
            out.f32(v);
        } else {
            double v;
            std::memcpy(&v, raw + i * 8, 8);
            out.f64(v);
        }
    }
    out.string(training_state);
    out.u64(fnv1a(reinterpret_cast<const unsigned char*>(out.bytes().data()), out.bytes().size()));
    knit::write_file_atomically(path, out.bytes());
}

model_file read_model_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    KNIT_CHECK_AS(io_error, f.good(), path << ": cannot open model file for reading");
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    KNIT_CHECK_AS(io_error, bytes.size() >= 8 && std::memcmp(bytes.data(), magic, 8) == 0,
                  path << ": not a knit model file (got another magic number, expected \"KNITMDL1\")");
    KNIT_CHECK_AS(io_error, bytes.size() >= 8 + 8 + 8,
                  path << ": truncated model file: got " << bytes.size() << " bytes, expected at least 24");
    // The checksum covers everything before the last 8 bytes; check it before the lengths
    // so that a damaged length field is reported as damage. Every length is checked
    // against the bytes present anyway (byte_reader::count), in case the checksum matches.
    const std::size_t body = bytes.size() - 8;
    byte_reader header(path, kind, bytes, 8, body);
    model_file out;
    out.version = header.u32("format version");
    KNIT_CHECK_AS(io_error, out.version == 1 || out.version == model_format_version,
                  path << ": model format version " << out.version << ", expected 1 or " << model_format_version);
    out.scalar_size = header.u32("scalar size");
    KNIT_CHECK_AS(io_error, out.scalar_size == 4 || out.scalar_size == 8,
                  path << ": scalar size " << out.scalar_size << ", expected 4 or 8 (damaged file)");
    const std::uint64_t stored = byte_reader(path, kind, bytes, body).u64("checksum");
    const std::uint64_t actual = fnv1a(reinterpret_cast<const unsigned char*>(bytes.data()), body);
    KNIT_CHECK_AS(io_error, stored == actual, path << ": checksum mismatch (damaged or truncated model file)");

    byte_reader r = header;
    out.signature = r.string("signature bytes");
    const std::uint64_t count = r.count("parameters", out.scalar_size);
    out.values.resize(count);
    for (std::uint64_t i = 0; i < count; ++i) out.values[i] = r.scalar(out.scalar_size, "parameters");
    if (out.version >= 2) out.training_state = r.string("training-state bytes");
    r.expect_end(out.version >= 2 ? "training state" : "parameters");
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
