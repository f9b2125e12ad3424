// Issue 20, case 7: a model file whose checksum is valid but whose header announces sizes
// it does not hold (units=5000) is refused with a clear message before any allocation:
// exit 2, never std::bad_alloc and exit 3. For every pair model.
#include <cstdint>
#include <cstring>

#include "knit/core/error.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit_grn.hpp"

using namespace knit::test;
namespace fs = std::filesystem;

namespace {

std::uint64_t fnv1a(const std::string& bytes) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

std::uint64_t get_u64(const std::string& b, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(b[at + i])) << (8 * i);
    return v;
}

void put_u64(std::string& b, std::size_t at, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// A copy of a model file with the header's `key=` line set to `value`, the signature
// length and the checksum rewritten, so that only the content checks can catch it.
std::string forge(const std::string& file, const std::string& key, const std::string& value) {
    std::string b = read_bytes(file);
    const std::size_t length = get_u64(b, 16);  // magic 8, version 4, scalar size 4
    std::string signature = b.substr(24, length);
    const auto at = signature.find("\n" + key + "=") + 1;
    REQUIRE(at != std::string::npos + 1);
    REQUIRE(at < signature.find("=== model"));  // the header, not an architecture line
    const auto end = signature.find('\n', at);
    signature.replace(at, end - at, key + "=" + value);
    std::string out = b.substr(0, 16) + std::string(8, '\0') + signature + b.substr(24 + length, b.size() - 8 - 24 - length);
    put_u64(out, 16, signature.size());
    out += std::string(8, '\0');
    put_u64(out, out.size() - 8, fnv1a(out.substr(0, out.size() - 8)));
    return out;
}

}  // namespace

TEST_CASE("case 7: checksum-valid model files with forged sizes are refused before allocation") {
    const std::string dir = scratch("case7");
    const std::string data = simulated_data(dir + "/data");
    for (const char* model : {"rnn", "cnn", "ae-nn", "context-mlp", "evidence-mlp"}) {
        const run_result t = knit_grn(std::string("train --json --schedule quick --model ") + model + " --data " + data +
                                      " --size 10 --networks 1 --save " + dir + "/" + model + ".knit");
        REQUIRE_MESSAGE(t.code == 0, t.err);
    }
    struct forgery {
        const char* model;
        std::string key, value, message;
    };
    const std::vector<forgery> forgeries = {
        {"rnn", "units", "5000", "header units=5000, expected at most 2038"},
        {"rnn", "units", "22", "holds 2038 parameters, expected 2223 for the networks its header describes"},
        {"rnn", "units", "0", "expected a positive count"},
        {"rnn", "units", "-1", "expected a positive count"},
        {"cnn", "time_points", "5000000", "header time_points=5000000, expected at most"},
        {"cnn", "time_points", "20", "for the networks its header describes"},
        {"ae-nn", "code_size", "100000000", "header code_size=100000000, expected at most"},
        {"ae-nn", "time_points", "30", "for the networks its header describes"},
        {"context-mlp", "ensemble", "99999", "header ensemble=99999, expected at most"},
        {"context-mlp", "hidden", "99", "for the networks its header describes"},
        {"evidence-mlp", "hidden", "4096,4096,4096", "for the networks its header describes"},
        {"evidence-mlp", "ensemble", "64", "for the networks its header describes"},
    };
    const std::string series = series_file(data, 10, 2);
    const auto before = snapshot(data);
    for (const auto& f : forgeries) {
        INFO(std::string(f.model));
        CAPTURE(f.key);
        CAPTURE(f.value);
        const std::string path = dir + "/forged.knit";
        write_bytes(path, forge(dir + "/" + f.model + ".knit", f.key, f.value));
        try {
            knit::grn::load_pair_model(path);
            FAIL("expected a refusal");
        } catch (const knit::io_error& e) {
            CHECK(contains(e.what(), path));
            INFO(std::string(e.what()));
            CHECK(contains(e.what(), f.message));
        }
        const run_result r = knit_grn("predict --model-file " + path + " --timeseries " + series + " --prediction " + dir + "/p.txt");
        CHECK(r.code == 2);
        CHECK(contains(r.err, "knit-grn: error: " + path + ": model file"));
        CHECK(!contains(r.err, "bad_alloc"));
        CHECK(!fs::exists(dir + "/p.txt"));
    }
    // The genuine files still load and predict.
    CHECK(knit_grn("predict --model-file " + dir + "/rnn.knit --timeseries " + series + " --prediction " + dir + "/p.txt").code == 0);
    CHECK(snapshot(data) == before);
    fs::remove_all(dir);
}
