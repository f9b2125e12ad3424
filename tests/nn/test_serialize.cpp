#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "knit/nn/dense.hpp"
#include "knit/nn/dropout.hpp"
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
    version[8] = 2;  // the u32 format version follows the magic
    write_all(path, version);
    CHECK_THROWS_WITH_AS(nn::load(*model, path), doctest::Contains("format version 2"), io_error);

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
