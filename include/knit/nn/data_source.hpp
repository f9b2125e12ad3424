// Where fit() and evaluate() get their batches: the batch_source interface.
//
//   nn::in_memory_options o;  o.batch_size = 32;  o.shuffle = true;  o.seed = 7;
//   nn::in_memory_source<float> data(x, y, o);
//   nn::generator_source<float> stream(batches, [&](std::size_t b, tensor<float>& x, tensor<float>& y) {
//       read_batch_from_disk(b, x, y);   // any (N, ...) batch; N may differ between batches
//   });
//   nn::fit(model, data, loss, optimizer, options);
//
// The contract (docs/training.md):
//  * batches() is the number of batches in every epoch, known before the epoch starts.
//  * begin_epoch(e) is called before the batches of epoch e (0-based), in increasing e;
//    the source draws that epoch's order there.
//  * batch(b, x, y) fills batch b of the current epoch into x and y (resizing them; the
//    same number of rows in each). fit() asks for b = 0, 1, ..., batches() - 1 in order.
//  * state() / set_state() carry whatever the source needs to give the same later epochs
//    (its engine, its current order) through a checkpoint. A source whose epochs are a
//    function of the epoch number alone keeps the default: an empty state.
// Shuffling is reproducible: the same seed gives the same orders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"

namespace knit::nn {

template <class T>
class batch_source {
public:
    virtual ~batch_source() = default;
    virtual std::size_t batches() const = 0;
    virtual void begin_epoch(std::size_t epoch) = 0;
    virtual void batch(std::size_t b, tensor<T>& x, tensor<T>& y) = 0;

    virtual std::string state() const { return {}; }
    virtual void set_state(const std::string& s) {
        KNIT_CHECK_AS(value_error, s.empty(),
                      "batch_source::set_state: got " << s.size() << " bytes of state, expected none "
                                                      "(this source keeps no state; was the checkpoint "
                                                      "written with another data source?)");
    }
};

// Copies the rows idx[0..n) of src (any rank, batch first) into dst.
template <class T>
void gather_rows(const tensor<T>& src, const std::size_t* idx, std::size_t n, tensor<T>& dst) {
    shape_t shape = to_shape(src.shape());
    const std::size_t row = shape_size(shape) / (shape[0] ? shape[0] : 1);
    shape[0] = n;
    ensure_shape(dst, shape);
    for (std::size_t i = 0; i < n; ++i)
        std::copy(src.data() + idx[i] * row, src.data() + (idx[i] + 1) * row, dst.data() + i * row);
}

struct in_memory_options {
    std::size_t batch_size = 32;
    bool shuffle = false;
    std::uint64_t seed = 0;
    // Use only the first `rows` rows (fit's validation_split keeps the rest); 0 = all.
    std::size_t rows = 0;
};

// Batches of rows of two in-memory tensors (batch first), which must outlive the source.
// With shuffle, every epoch shuffles the previous epoch's order with one engine seeded
// once (Fisher-Yates, core/random.hpp): the order fit() has always used, so results
// match earlier knit versions bit for bit. The last batch may be smaller.
template <class T>
class in_memory_source : public batch_source<T> {
public:
    in_memory_source(const tensor<T>& x, const tensor<T>& y, in_memory_options o = {})
        : x_(x), y_(y), batch_size_(o.batch_size), shuffle_(o.shuffle), engine_(o.seed) {
        KNIT_CHECK_AS(shape_error, x.dimension() >= 1 && y.dimension() >= 1 && x.shape()[0] == y.shape()[0],
                      "in_memory_source: got x " << shape_to_string(x.shape()) << " and y "
                                                 << shape_to_string(y.shape()) << ", expected the same number of rows");
        KNIT_CHECK_AS(value_error, o.batch_size > 0, "in_memory_source batch size: got 0, expected > 0");
        const std::size_t rows = o.rows == 0 ? x.shape()[0] : o.rows;
        KNIT_CHECK_AS(shape_error, rows > 0 && rows <= x.shape()[0],
                      "in_memory_source rows: got " << rows << " of " << x.shape()[0]
                                                    << ", expected 1.." << x.shape()[0]);
        order_.resize(rows);
        for (std::size_t i = 0; i < rows; ++i) order_[i] = i;
    }

    std::size_t rows() const { return order_.size(); }
    std::size_t batches() const override { return (order_.size() + batch_size_ - 1) / batch_size_; }
    void begin_epoch(std::size_t) override {
        if (shuffle_) engine_.shuffle(order_.begin(), order_.end());
    }
    void batch(std::size_t b, tensor<T>& x, tensor<T>& y) override {
        KNIT_CHECK_AS(value_error, b < batches(),
                      "in_memory_source::batch: got batch " << b << ", expected < " << batches());
        const std::size_t start = b * batch_size_;
        const std::size_t count = std::min(batch_size_, order_.size() - start);
        gather_rows(x_, order_.data() + start, count, x);
        gather_rows(y_, order_.data() + start, count, y);
    }
    // The engine and the current order (the next shuffle permutes it).
    std::string state() const override;
    void set_state(const std::string& s) override;

private:
    const tensor<T>& x_;
    const tensor<T>& y_;
    std::size_t batch_size_;
    bool shuffle_;
    rng engine_;
    std::vector<std::size_t> order_;
};

struct generator_options {
    bool shuffle = false;  // visit the batches in a new order every epoch
    std::uint64_t seed = 0;
};

// Batches made on demand by a function of the batch index, for data larger than memory
// (read batch b from a file, a database, a simulator). With shuffle, epoch e visits the
// batches in a permutation drawn from an engine seeded by (seed, e) alone, as Keras'
// Sequence shuffles its batches: reproducible, and nothing to save in a checkpoint.
// Rows are not mixed across batches; write the batches in a random order once if that
// matters.
template <class T>
class generator_source : public batch_source<T> {
public:
    using generator = std::function<void(std::size_t index, tensor<T>& x, tensor<T>& y)>;

    generator_source(std::size_t batches, generator fill, generator_options o = {})
        : fill_(std::move(fill)), options_(o), order_(batches) {
        KNIT_CHECK_AS(value_error, batches > 0, "generator_source: got 0 batches, expected at least one");
        KNIT_CHECK(static_cast<bool>(fill_), "generator_source: got an empty function, expected a generator");
        for (std::size_t i = 0; i < batches; ++i) order_[i] = i;
    }

    std::size_t batches() const override { return order_.size(); }
    void begin_epoch(std::size_t epoch) override {
        for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
        if (!options_.shuffle) return;
        rng g(epoch_seed(options_.seed, epoch));
        g.shuffle(order_.begin(), order_.end());
    }
    void batch(std::size_t b, tensor<T>& x, tensor<T>& y) override {
        KNIT_CHECK_AS(value_error, b < order_.size(),
                      "generator_source::batch: got batch " << b << ", expected < " << order_.size());
        fill_(order_[b], x, y);
        KNIT_CHECK_AS(shape_error, x.dimension() >= 1 && y.dimension() >= 1 && x.shape()[0] == y.shape()[0] && x.shape()[0] > 0,
                      "generator_source batch " << order_[b] << ": got x " << shape_to_string(x.shape()) << " and y "
                                                << shape_to_string(y.shape())
                                                << ", expected the same number (> 0) of rows");
    }

    // The engine seed of epoch e: the seed and e mixed by splitmix64's finaliser, so that
    // neighbouring epochs get unrelated engines.
    static std::uint64_t epoch_seed(std::uint64_t seed, std::uint64_t epoch) {
        std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (epoch + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    generator fill_;
    generator_options options_;
    std::vector<std::size_t> order_;
};

namespace detail {
// in_memory_source's state: the engine's text, then the order (src/nn/data_source.cpp).
std::string encode_order_state(const rng& engine, const std::vector<std::size_t>& order);
void decode_order_state(const std::string& s, rng& engine, std::vector<std::size_t>& order);
}  // namespace detail

template <class T>
std::string in_memory_source<T>::state() const {
    return detail::encode_order_state(engine_, order_);
}
template <class T>
void in_memory_source<T>::set_state(const std::string& s) {
    detail::decode_order_state(s, engine_, order_);
}

extern template class in_memory_source<float>;
extern template class in_memory_source<double>;
extern template class generator_source<float>;
extern template class generator_source<double>;

}  // namespace knit::nn
