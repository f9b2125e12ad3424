#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "knit/core/bytes.hpp"
#include "knit/nn/checkpoint.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/dropout.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/serialize.hpp"

using namespace knit;

namespace {
std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("knit_test_" + name)).string();
}
template <class T>
std::unique_ptr<nn::sequential<T>> make(std::uint64_t seed, std::size_t hidden = 5) {
    auto m = std::make_unique<nn::sequential<T>>(shape_t{3});
    m->add(nn::dense<T>(hidden, nn::activation::relu));
    m->add(nn::dropout<T>(0.1));
    m->add(nn::dense<T>(2));
    m->compile(seed);
    return m;
}
std::string read_all(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void write_all(const std::string& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}
}  // namespace

TEST_CASE("save/load round-trips bit-exactly, in float and in double") {
    const std::string path = temp_path("roundtrip.knit");
    auto a = make<float>(1), b = make<float>(2);
    nn::save(*a, path);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    nn::load(*b, path);
    CHECK(std::equal(a->store().values(), a->store().values() + a->store().size(), b->store().values()));

    auto da = make<double>(3), db = make<double>(4);
    nn::save(*da, path);
    nn::load(*db, path);
    CHECK(std::equal(da->store().values(), da->store().values() + da->store().size(), db->store().values()));

    // A double file loads into a float model, value by value.
    auto f = make<float>(5);
    nn::load(*f, path);
    CHECK(f->store().values()[3] == static_cast<float>(da->store().values()[3]));
    std::filesystem::remove(path);
}

TEST_CASE("damaged, truncated, foreign, other-version and mismatched files are refused") {
    const std::string path = temp_path("damaged.knit");
    auto model = make<float>(1);
    nn::save(*model, path);
    const std::string good = read_all(path);

    std::string flipped = good;
    flipped[good.size() / 2] ^= 0x10;
    write_all(path, flipped);
    CHECK_THROWS_WITH_AS(nn::load(*model, path), doctest::Contains("checksum"), io_error);

    write_all(path, good.substr(0, good.size() - 11));
    CHECK_THROWS_AS(nn::load(*model, path), io_error);
    write_all(path, good.substr(0, 5));
    CHECK_THROWS_AS(nn::load(*model, path), io_error);
    write_all(path, "");
    CHECK_THROWS_AS(nn::load(*model, path), io_error);

    std::string foreign = good;
    foreign[0] = 'X';
    write_all(path, foreign);
    CHECK_THROWS_WITH_AS(nn::load(*model, path), doctest::Contains("not a knit model file"), io_error);

    std::string version = good;
    version[8] = 99;  // the u32 format version follows the magic
    write_all(path, version);
    CHECK_THROWS_WITH_AS(nn::load(*model, path), doctest::Contains("format version 99"), io_error);

    write_all(path, good);
    auto other = make<float>(1, 6);  // 6 hidden units instead of 5
    CHECK_THROWS_WITH_AS(nn::load(*other, path), doctest::Contains("architecture line 2"), io_error);

    CHECK_THROWS_AS(nn::load(*model, temp_path("does_not_exist.knit")), io_error);
    CHECK_THROWS_AS(nn::save(*model, "/nonexistent-dir/x.knit"), io_error);
    std::filesystem::remove(path);
}

TEST_CASE("bundles keep several models and a header in one file") {
    const std::string path = temp_path("bundle.knit");
    auto a = make<float>(1), b = make<float>(2, 4);
    nn::save_bundle<float>(path, "kind=test\nmean=0x1.8p-1", {a.get(), b.get()});
    auto a2 = make<float>(3), b2 = make<float>(4, 4);
    const std::string header = nn::load_bundle<float>(path, {a2.get(), b2.get()});
    CHECK(header == "kind=test\nmean=0x1.8p-1");
    CHECK(std::equal(a->store().values(), a->store().values() + a->store().size(), a2->store().values()));
    CHECK(std::equal(b->store().values(), b->store().values() + b->store().size(), b2->store().values()));
    // Models in the wrong order (or of another architecture) are refused.
    CHECK_THROWS_AS(nn::load_bundle<float>(path, {b2.get(), a2.get()}), io_error);
    // A plain model file is not a bundle.
    nn::save(*a, path);
    CHECK_THROWS_WITH_AS(nn::load_bundle<float>(path, {a2.get()}), doctest::Contains("single-model"), io_error);
    std::filesystem::remove(path);
}

TEST_CASE("a format-1 file (knit before checkpoints) still loads") {
    // tests/fixtures/model_format1.knit: nn::save at commit 9c35ace (format version 1) of
    // dense(2, tanh) -> dropout(0.25) -> dense(1, sigmoid) on 3 inputs, compiled from seed 19.
    auto build = [](std::uint64_t seed) {
        auto m = std::make_unique<nn::sequential<float>>(shape_t{3});
        m->add(nn::dense<float>(2, nn::activation::tanh));
        m->add(nn::dropout<float>(0.25));
        m->add(nn::dense<float>(1, nn::activation::sigmoid));
        m->compile(seed);
        return m;
    };
    const std::string path = std::string(KNIT_FIXTURE_DIR) + "/model_format1.knit";
    const nn::model_file f = nn::read_model_file(path);
    CHECK(f.version == 1);
    CHECK(f.scalar_size == 4);
    CHECK(f.training_state.empty());
    auto expected = build(19), loaded = build(20);
    CHECK_FALSE(std::equal(expected->store().values(), expected->store().values() + 11, loaded->store().values()));
    nn::load(*loaded, path);
    REQUIRE(loaded->store().size() == 11);
    CHECK(std::equal(expected->store().values(), expected->store().values() + 11, loaded->store().values()));
}

namespace {
std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}
// A model file with a correct checksum around whatever body the test writes.
void write_checksummed(const std::string& path, byte_writer body) {
    body.u64(fnv1a(body.bytes()));
    write_all(path, body.bytes());
}
byte_writer header(std::uint32_t version = nn::model_format_version) {
    byte_writer w;
    w.raw("KNITMDL1");
    w.u32(version);
    w.u32(4);
    return w;
}
}  // namespace

TEST_CASE("a checksum-valid file announcing huge sizes is refused before anything is allocated") {
    const std::string path = temp_path("huge.knit");
    auto model = make<float>(1);
    const std::uint64_t huge = std::uint64_t(1) << 62;

    byte_writer sig = header();
    sig.u64(huge);  // signature length
    write_checksummed(path, sig);
    CHECK_THROWS_WITH_AS(nn::load(*model, path), doctest::Contains("announces 4611686018427387904 signature bytes"), io_error);

    byte_writer params = header(1);
    params.string(model->signature());
    params.u64(huge);  // parameter count
    write_checksummed(path, params);
    CHECK_THROWS_WITH_AS(nn::load(*model, path), doctest::Contains("expected at most 0 (the bytes present)"), io_error);

    byte_writer state = header();
    state.string(model->signature());
    state.u64(0);
    state.u64(huge);  // training-state length
    write_checksummed(path, state);
    CHECK_THROWS_WITH_AS(nn::read_model_file(path), doctest::Contains("training-state bytes"), io_error);

    // Inside the training state (here the checksum is written by write_model_file itself):
    // every count is checked too.
    auto with_state = [&](const std::string& block) {
        nn::write_model_file(path, model->signature(), 4, model->store().values(), model->store().size(), block);
        nn::adam<float> adam;
        return nn::load_training(path, *model, adam);
    };
    byte_writer optimiser;
    optimiser.u64(0);
    optimiser.string("adam");
    optimiser.u64(1);
    optimiser.f64(0.001);
    optimiser.u8(1);
    optimiser.u64(model->store().size());
    byte_writer buffers = optimiser;
    buffers.u64(huge);  // buffer count
    CHECK_THROWS_WITH_AS(with_state(buffers.bytes()), doctest::Contains("optimiser buffers"), io_error);
    byte_writer values = optimiser;
    values.u64(1);
    values.u64(huge);  // values in the first buffer
    CHECK_THROWS_WITH_AS(with_state(values.bytes()), doctest::Contains("optimiser buffer values"), io_error);
    byte_writer history;
    history.u64(0);
    history.string("adam");
    history.u64(0);
    history.f64(0.001);
    history.u8(0);
    history.u64(0);
    history.u64(0);   // no buffers
    history.string("");  // data state
    history.u64(0);   // no engines
    history.u64(huge);  // history epochs
    CHECK_THROWS_WITH_AS(with_state(history.bytes()), doctest::Contains("history epochs"), io_error);
    CHECK_THROWS_WITH_AS(with_state("\x01"), doctest::Contains("truncated"), io_error);
    std::filesystem::remove(path);
}
