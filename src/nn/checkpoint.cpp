// The training-state block of checkpoints (layout in include/knit/nn/checkpoint.hpp).
#include "knit/nn/checkpoint.hpp"

#include "knit/core/bytes.hpp"

namespace knit::nn {
namespace {

void put_scalar(byte_writer& out, double v, std::uint32_t scalar_size) {
    if (scalar_size == 4) out.f32(static_cast<float>(v));
    else out.f64(v);
}

void put_metrics(byte_writer& out, const std::map<std::string, double>& m) {
    out.u64(m.size());
    for (const auto& [name, value] : m) {
        out.string(name);
        out.f64(value);
    }
}

std::map<std::string, double> get_metrics(byte_reader& r) {
    std::map<std::string, double> m;
    const std::uint64_t n = r.count("metrics", 8 + 8);  // at least a length and a value each
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string name = r.string("metric name bytes");
        m[std::move(name)] = r.f64("metric value");
    }
    return m;
}

}  // namespace

std::string encode_training_state(const training_state& s, std::uint32_t scalar_size) {
    KNIT_CHECK(scalar_size == 4 || scalar_size == 8,
               "training state scalar size: got " << scalar_size << ", expected 4 or 8");
    byte_writer out;
    out.u64(s.epochs_done);

    const optimizer_state<double>& o = s.optimizer;
    out.string(o.name);
    out.u64(o.steps);
    out.f64(o.learning_rate);
    out.u8(o.started ? 1 : 0);
    out.u64(o.parameters);
    out.u64(o.buffers.size());
    for (const auto& b : o.buffers) {
        out.u64(b.size());
        for (double v : b) put_scalar(out, v, scalar_size);
    }

    out.string(s.data);
    out.u64(s.engines.size());
    for (const auto& e : s.engines) out.string(e);

    out.u64(s.log.epochs.size());
    for (const epoch_record& r : s.log.epochs) {
        out.f64(r.loss);
        out.f64(r.val_loss);
        put_metrics(out, r.metrics);
        put_metrics(out, r.val_metrics);
        out.f64(r.learning_rate);
        out.f64(r.seconds);
    }
    out.u64(s.log.best_epoch);

    out.u64(s.callbacks.size());
    for (const callback_state& c : s.callbacks) {
        out.string(c.name);
        out.u64(c.values.size());
        for (double v : c.values) out.f64(v);
    }
    return out.bytes();
}

training_state decode_training_state(const std::string& bytes, std::uint32_t scalar_size, const std::string& source) {
    KNIT_CHECK_AS(io_error, scalar_size == 4 || scalar_size == 8,
                  source << ": training state scalar size: got " << scalar_size << ", expected 4 or 8");
    byte_reader r(source, "checkpoint's training state", bytes);
    training_state s;
    s.epochs_done = r.u64("epochs done");

    optimizer_state<double>& o = s.optimizer;
    o.name = r.string("optimiser name bytes");
    o.steps = r.u64("optimiser steps");
    o.learning_rate = r.f64("learning rate");
    const std::uint8_t started = r.u8("optimiser started flag");
    KNIT_CHECK_AS(io_error, started <= 1, source << ": optimiser started flag: got " << int(started) << ", expected 0 or 1");
    o.started = started == 1;
    o.parameters = r.u64("optimiser parameter count");
    const std::uint64_t buffers = r.count("optimiser buffers", 8);
    o.buffers.resize(buffers);
    for (auto& b : o.buffers) {
        b.resize(r.count("optimiser buffer values", scalar_size));
        for (double& v : b) v = r.scalar(scalar_size, "optimiser buffer values");
    }

    s.data = r.string("data source state bytes");
    s.engines.resize(r.count("layer engines", 8));
    for (auto& e : s.engines) e = r.string("layer engine bytes");

    s.log.epochs.resize(r.count("history epochs", 6 * 8));
    for (epoch_record& e : s.log.epochs) {
        e.loss = r.f64("epoch loss");
        e.val_loss = r.f64("epoch val_loss");
        e.metrics = get_metrics(r);
        e.val_metrics = get_metrics(r);
        e.learning_rate = r.f64("epoch learning rate");
        e.seconds = r.f64("epoch seconds");
    }
    s.log.best_epoch = r.u64("best epoch");
    KNIT_CHECK_AS(io_error, s.log.epochs.empty() ? s.log.best_epoch == 0 : s.log.best_epoch < s.log.epochs.size(),
                  source << ": best epoch: got " << s.log.best_epoch << ", expected an index into the "
                         << s.log.epochs.size() << " epochs of the history");
    KNIT_CHECK_AS(io_error, s.log.epochs.size() == s.epochs_done,
                  source << ": got a history of " << s.log.epochs.size() << " epochs, expected " << s.epochs_done
                         << " (the epochs done)");

    s.callbacks.resize(r.count("callback states", 8 + 8));
    for (callback_state& c : s.callbacks) {
        c.name = r.string("callback name bytes");
        c.values.resize(r.count("callback state values", 8));
        for (double& v : c.values) v = r.f64("callback state values");
    }
    r.expect_end("callback states");
    return s;
}

}  // namespace knit::nn
