// Saving and loading a model's weights.
//
// File layout (little-endian), format version 1:
//   8 bytes   magic "KNITMDL1"
//   u32       format version (1)
//   u32       scalar size in bytes (4 = float, 8 = double)
//   u64       signature length S, then S bytes: the model's signature (sequential::signature:
//             input shape, and per layer its kind, config, output shape and parameter shapes)
//   u64       parameter count P, then P scalars: the flat parameter buffer
//   u64       FNV-1a 64 checksum of every byte before it
//
// load() refuses a file with another magic, version or checksum, a truncated file, and a
// file whose signature differs from the model's (naming the first differing line); a file
// written in double loads into a float model and vice versa, converting each value.
// save() writes to a temporary file beside the target and renames it, so a crash never
// leaves a half-written model behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "knit/nn/sequential.hpp"

namespace knit::nn {

inline constexpr std::uint32_t model_format_version = 1;

// The decoded content of a model file (non-template part, in src/nn/serialize.cpp).
struct model_file {
    std::uint32_t scalar_size = 0;
    std::string signature;
    std::vector<double> values;  // widened to double for either scalar size
};

void write_model_file(const std::string& path, const std::string& signature,
                      std::uint32_t scalar_size, const void* values, std::uint64_t count);
model_file read_model_file(const std::string& path);
// Throws io_error naming the path and the first line where two signatures differ.
void check_signature(const std::string& path, const std::string& in_file, const std::string& in_model);

template <class T>
void save(const sequential<T>& model, const std::string& path) {
    const auto& store = model.store();
    write_model_file(path, model.signature(), sizeof(T), store.values(), store.size());
}

template <class T>
void load(sequential<T>& model, const std::string& path) {
    model_file f = read_model_file(path);
    check_signature(path, f.signature, model.signature());
    auto& store = model.store();
    KNIT_CHECK_AS(io_error, f.values.size() == store.size(),
                  path << ": got " << f.values.size() << " parameters, expected " << store.size());
    for (std::size_t i = 0; i < store.size(); ++i) store.values()[i] = static_cast<T>(f.values[i]);
}

}  // namespace knit::nn
