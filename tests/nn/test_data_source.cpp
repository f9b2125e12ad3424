#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/trainer.hpp"
#include "training_test_util.hpp"

using namespace knit;

namespace {
nn::fit_options<float> quiet(std::size_t epochs, std::size_t batch_size, bool shuffle, std::uint64_t seed) {
    nn::fit_options<float> o;
    o.epochs = epochs;
    o.batch_size = batch_size;
    o.shuffle = shuffle;
    o.seed = seed;
    o.verbose = nn::verbosity::silent;
    return o;
}
}  // namespace

TEST_CASE("fit over tensors equals a hand-written loop of train_step over the seeded shuffle") {
    // The order fit() has always used: one engine seeded once, each epoch shuffling the
    // previous epoch's order (Fisher-Yates); 50 rows in batches of 16 leave a short last batch.
    const auto d = test::two_class_data(50, 1);
    for (const bool shuffle : {true, false}) {
        auto model = test::dropout_model(5);
        nn::binary_crossentropy<float> loss;
        nn::adam<float> opt(nn::adam_options{0.01});
        const auto h = nn::fit(*model, d.x, d.y, loss, opt, quiet(6, 16, shuffle, 42));

        auto reference = test::dropout_model(5);
        nn::adam<float> ref_opt(nn::adam_options{0.01});
        rng order_rng(42);
        std::vector<std::size_t> order(50);
        for (std::size_t i = 0; i < 50; ++i) order[i] = i;
        tensor<float> bx, by;
        double last_epoch_loss = 0;
        for (int epoch = 0; epoch < 6; ++epoch) {
            if (shuffle) order_rng.shuffle(order.begin(), order.end());
            double sum = 0;
            for (std::size_t start = 0; start < 50; start += 16) {
                const std::size_t count = std::min<std::size_t>(16, 50 - start);
                nn::gather_rows(d.x, order.data() + start, count, bx);
                nn::gather_rows(d.y, order.data() + start, count, by);
                sum += double(reference->train_step(bx, by, loss, ref_opt)) * double(count);
            }
            last_epoch_loss = sum / 50;
        }
        CHECK(test::same_values(*model, *reference));
        CHECK(h.epochs.back().loss == last_epoch_loss);
        CHECK(opt.steps() == 6 * 4);
    }
}

TEST_CASE("generator_source: batches streamed from a file train exactly like the same rows in memory") {
    const auto d = test::two_class_data(40, 2);
    const std::string path = test::temp_file("stream.bin");
    {
        std::ofstream f(path, std::ios::binary);
        for (std::size_t i = 0; i < 40; ++i) {
            f.write(reinterpret_cast<const char*>(&d.x(i, 0)), 4 * sizeof(float));
            f.write(reinterpret_cast<const char*>(&d.y(i, 0)), sizeof(float));
        }
    }
    // Batch b is rows [10 b, 10 b + 10) of the file, read when asked for.
    std::ifstream file(path, std::ios::binary);
    std::vector<std::size_t> asked;
    nn::generator_source<float> stream(4, [&](std::size_t b, tensor<float>& x, tensor<float>& y) {
        asked.push_back(b);
        x = tensor<float>::from_shape({10, 4});
        y = tensor<float>::from_shape({10, 1});
        file.seekg(static_cast<std::streamoff>(b * 10 * 5 * sizeof(float)));
        for (std::size_t i = 0; i < 10; ++i) {
            file.read(reinterpret_cast<char*>(&x(i, 0)), 4 * sizeof(float));
            file.read(reinterpret_cast<char*>(&y(i, 0)), sizeof(float));
        }
    });
    nn::binary_crossentropy<float> loss;
    auto streamed = test::dropout_model(3);
    nn::adam<float> opt_a(nn::adam_options{0.01});
    nn::fit(*streamed, stream, loss, opt_a, quiet(3, 0, false, 0));
    CHECK(asked == std::vector<std::size_t>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});

    auto in_memory = test::dropout_model(3);
    nn::adam<float> opt_b(nn::adam_options{0.01});
    nn::fit(*in_memory, d.x, d.y, loss, opt_b, quiet(3, 10, false, 0));
    CHECK(test::same_values(*streamed, *in_memory));
    file.close();
    std::filesystem::remove(path);
}

TEST_CASE("generator_source: shuffled batch orders are permutations, reproducible from (seed, epoch)") {
    auto orders = [](std::uint64_t seed) {
        std::vector<std::size_t> seen;
        nn::generator_source<float> s(
            9, [&](std::size_t b, tensor<float>& x, tensor<float>& y) {
                seen.push_back(b);
                x = xt::zeros<float>({1, 1});
                y = xt::zeros<float>({1, 1});
            },
            nn::generator_options{true, seed});
        tensor<float> x, y;
        for (std::size_t e = 0; e < 4; ++e) {
            s.begin_epoch(e);
            for (std::size_t b = 0; b < s.batches(); ++b) s.batch(b, x, y);
        }
        CHECK(s.state().empty());  // nothing to checkpoint: each epoch is a function of (seed, epoch)
        return seen;
    };
    const auto a = orders(7), again = orders(7), other = orders(8);
    CHECK(a == again);
    CHECK(a != other);
    std::set<std::vector<std::size_t>> epochs;
    for (std::size_t e = 0; e < 4; ++e) {
        std::vector<std::size_t> one(a.begin() + long(9 * e), a.begin() + long(9 * (e + 1)));
        epochs.insert(one);
        std::sort(one.begin(), one.end());
        for (std::size_t i = 0; i < 9; ++i) CHECK(one[i] == i);
    }
    CHECK(epochs.size() == 4);  // every epoch its own order

    nn::generator_source<float> bad(2, [](std::size_t, tensor<float>& x, tensor<float>& y) {
        x = xt::zeros<float>({3, 1});
        y = xt::zeros<float>({2, 1});
    });
    tensor<float> x, y;
    CHECK_THROWS_AS(bad.batch(0, x, y), shape_error);
    CHECK_THROWS_AS(bad.batch(2, x, y), value_error);
    CHECK_THROWS_AS(bad.set_state("x"), value_error);
    CHECK_THROWS_AS(nn::generator_source<float>(0, [](std::size_t, tensor<float>&, tensor<float>&) {}), value_error);
}

TEST_CASE("in_memory_source: its state continues the same orders and refuses other data") {
    const auto d = test::two_class_data(12, 3);
    nn::in_memory_options o;
    o.batch_size = 5;
    o.shuffle = true;
    o.seed = 9;
    nn::in_memory_source<float> a(d.x, d.y, o), b(d.x, d.y, o);
    CHECK(a.batches() == 3);
    a.begin_epoch(0);
    a.begin_epoch(1);
    o.seed = 1234;
    nn::in_memory_source<float> c(d.x, d.y, o);
    c.set_state(a.state());
    b.begin_epoch(0);
    b.begin_epoch(1);
    tensor<float> xa, ya, xc, yc;
    for (std::size_t e = 2; e < 5; ++e) {
        a.begin_epoch(e);
        c.begin_epoch(e);
        for (std::size_t k = 0; k < 3; ++k) {
            a.batch(k, xa, ya);
            c.batch(k, xc, yc);
            CHECK(xa == xc);
            CHECK(ya == yc);
        }
    }
    CHECK(b.state() != a.state());

    o.rows = 10;  // fit's validation_split: the first rows only
    nn::in_memory_source<float> shorter(d.x, d.y, o);
    CHECK(shorter.batches() == 2);
    CHECK_THROWS_WITH_AS(shorter.set_state(a.state()), doctest::Contains("order of 12 rows, expected 10"), value_error);
    std::string state = a.state();
    state[state.size() - 8] = 99;  // the last row index of the order, out of range
    CHECK_THROWS_WITH_AS(c.set_state(state), doctest::Contains("expected a permutation"), value_error);
    CHECK_THROWS_AS(c.set_state(state.substr(0, 40)), io_error);
    CHECK_THROWS_AS(c.batch(3, xc, yc), value_error);
}

TEST_CASE("fit over a source: validation from a source equals validation from tensors") {
    const auto d = test::two_class_data(30, 4), v = test::two_class_data(20, 5);
    nn::binary_crossentropy<float> loss;
    nn::in_memory_options o;
    o.batch_size = 8;
    o.shuffle = true;
    o.seed = 3;

    auto a = test::dropout_model(1);
    nn::adam<float> opt_a;
    nn::in_memory_source<float> train_a(d.x, d.y, o);
    nn::in_memory_options vo;
    vo.batch_size = 256;
    nn::in_memory_source<float> val(v.x, v.y, vo);
    auto options = quiet(3, 8, true, 3);
    options.validation_data = &val;
    const auto ha = nn::fit(*a, train_a, loss, opt_a, options);

    auto b = test::dropout_model(1);
    nn::adam<float> opt_b;
    auto tensors = quiet(3, 8, true, 3);
    tensors.validation_x = &v.x;
    tensors.validation_y = &v.y;
    const auto hb = nn::fit(*b, d.x, d.y, loss, opt_b, tensors);
    CHECK(test::same_values(*a, *b));
    CHECK(ha.epochs.back().val_loss == hb.epochs.back().val_loss);

    options.validation_split = 0.2;
    CHECK_THROWS_WITH_AS(nn::fit(*a, train_a, loss, opt_a, options), doctest::Contains("validation_split"), value_error);
    options.validation_split = 0;
    options.validation_x = &v.x;
    options.validation_y = &v.y;
    CHECK_THROWS_WITH_AS(nn::fit(*a, train_a, loss, opt_a, options), doctest::Contains("both tensors and a source"),
                         value_error);
}
