// Saving and loading a model's weights (and, in checkpoints, its training state).
//
// File layout (little-endian), format version 2:
//   8 bytes   magic "KNITMDL1"
//   u32       format version (2; version 1 files still load)
//   u32       scalar size in bytes (4 = float, 8 = double)
//   u64       signature length S, then S bytes: the model's signature (sequential::signature:
//             input shape, and per layer its kind, config, output shape and parameter shapes)
//   u64       parameter count P, then P scalars: the flat parameter buffer
//   u64       training-state length L, then L bytes (version 2 only; L = 0 for save(),
//             a checkpoint's optimiser, data order, engines, history and callbacks
//             otherwise: layout in nn/checkpoint.hpp)
//   u64       FNV-1a 64 checksum of every byte before it
// Version 1 is the same without the training-state field.
//
// load() refuses a file with another magic, version or checksum, a truncated file, and a
// file whose signature differs from the model's (naming the first differing line); a file
// written in double loads into a float model and vice versa, converting each value. Every
// length is checked against the bytes present before anything is allocated, so a damaged
// file whose checksum happens to match still gets an io_error, never an allocation failure.
// save() writes to a temporary file beside the target and renames it, so a crash never
// leaves a half-written model behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "knit/nn/sequential.hpp"

namespace knit::nn {

inline constexpr std::uint32_t model_format_version = 2;

// The decoded content of a model file (non-template part, in src/nn/serialize.cpp).
struct model_file {
    std::uint32_t version = 0;  // the format version it was written in
    std::uint32_t scalar_size = 0;
    std::string signature;
    std::vector<double> values;  // widened to double for either scalar size
    std::string training_state;  // empty unless the file is a checkpoint
};

// Writes the current format; training_state is the opaque block of checkpoints.
void write_model_file(const std::string& path, const std::string& signature,
                      std::uint32_t scalar_size, const void* values, std::uint64_t count,
                      const std::string& training_state = {});
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

// Several models and a free-form text header in one file (same format: the signature is
// the header followed by "=== model <i>" and each model's signature; the values are the
// models' buffers one after another). load_bundle() checks every model's architecture
// and returns the header for the caller to interpret.
inline constexpr const char* bundle_marker = "\n=== model ";

template <class T>
void save_bundle(const std::string& path, const std::string& header,
                 const std::vector<const sequential<T>*>& models) {
    KNIT_CHECK(header.find(bundle_marker) == std::string::npos,
               "save_bundle header: got a header containing the section marker, expected plain text");
    std::string signature = header;
    std::vector<T> values;
    for (std::size_t i = 0; i < models.size(); ++i) {
        signature += bundle_marker + std::to_string(i) + "\n" + models[i]->signature();
        const auto& store = models[i]->store();
        values.insert(values.end(), store.values(), store.values() + store.size());
    }
    write_model_file(path, signature, sizeof(T), values.data(), values.size());
}

template <class T>
std::string load_bundle(const std::string& path, const std::vector<sequential<T>*>& models) {
    model_file f = read_model_file(path);
    const std::size_t first = f.signature.find(bundle_marker);
    KNIT_CHECK_AS(io_error, first != std::string::npos || models.empty(),
                  path << ": got a single-model file, expected a bundle of " << models.size() << " models");
    const std::string header = f.signature.substr(0, first);
    std::string expected = header;
    std::size_t total = 0;
    for (std::size_t i = 0; i < models.size(); ++i) {
        expected += bundle_marker + std::to_string(i) + "\n" + models[i]->signature();
        total += models[i]->store().size();
    }
    check_signature(path, f.signature, expected);
    KNIT_CHECK_AS(io_error, f.values.size() == total,
                  path << ": got " << f.values.size() << " parameters, expected " << total);
    std::size_t next = 0;
    for (auto* m : models)
        for (std::size_t i = 0; i < m->store().size(); ++i) m->store().values()[i] = static_cast<T>(f.values[next++]);
    return header;
}

}  // namespace knit::nn
