// Issue 14's bad steady-state input, through the real knit-grn: a knockout file with a row
// too few, a knockdown file naming a gene the time series lack, a non-finite value, each
// refused with exit 2 and the file, the line and what was expected; a missing wild type is
// not an error, and knit-grn says which reference replaces it.
#include "knit_grn.hpp"

using namespace knit::test;

namespace {

std::string steady_file(const std::string& data, const std::string& kind) {
    return data + "/size10/insilico_size10_1_" + kind + ".tsv";
}

// The text with its line `number` (1-based) replaced by what `edit` makes of it.
template <class Edit>
std::string with_line(const std::string& text, std::size_t number, Edit edit) {
    std::string out;
    std::size_t start = 0, line = 1;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string current = text.substr(start, end - start);
        out += (line == number ? edit(current) : current) + "\n";
        start = end + 1, ++line;
    }
    return out;
}

}  // namespace

TEST_CASE("issue 14: a knockout file with a row too few names its last line and the gene count") {
    const std::string data = simulated_data(scratch("ss_rows") + "/data");
    const std::string file = steady_file(data, "knockouts");
    std::string text = read_bytes(file);
    text.erase(text.rfind('\n', text.size() - 2) + 1);  // drop the last row (line 11)
    write_bytes(file, text);
    const run_result r = knit_grn("baselines --data " + data + " --size 10");
    CHECK(r.code == 2);
    CHECK(contains(r.err, "insilico_size10_1_knockouts.tsv:10: got 9 rows, expected one per gene (10)"));
}

TEST_CASE("issue 14: steady-state genes that differ from the time series' are refused at the header") {
    const std::string data = simulated_data(scratch("ss_genes") + "/data");
    const std::string file = steady_file(data, "knockdowns");
    write_bytes(file, with_line(read_bytes(file), 1, [](std::string header) {
                    return header.replace(header.find("\"G3\""), 4, "\"G33\"");
                }));
    const run_result r = knit_grn("baselines --data " + data + " --size 10");
    CHECK(r.code == 2);
    CHECK(contains(r.err, "insilico_size10_1_knockdowns.tsv:1:"));
    CHECK(contains(r.err, "got unknown gene 'G33', expected one of the 10 genes"));
}

TEST_CASE("issue 14: a non-finite steady-state value is refused at its line and column") {
    for (const char* value : {"nan", "inf", "-inf"}) {
        CAPTURE(value);
        const std::string data = simulated_data(scratch(std::string("ss_finite_") + (value[0] == '-' ? "m" : "") + value + "/data"));
        const std::string file = steady_file(data, "wildtype");
        write_bytes(file, with_line(read_bytes(file), 2, [&](const std::string& row) {
                        return value + row.substr(row.find('\t'));
                    }));
        const run_result r = knit_grn("baselines --data " + data + " --size 10");
        CHECK(r.code == 2);
        CHECK(contains(r.err, "insilico_size10_1_wildtype.tsv:2:1: got '" + std::string(value) +
                                  "' (not finite), expected a finite expression value"));
    }
}

TEST_CASE("issue 14: without a wild type, knit-grn says which reference the z-scores use") {
    const std::string data = simulated_data(scratch("ss_wildtype") + "/data");
    std::filesystem::remove(steady_file(data, "wildtype"));
    const run_result r = knit_grn("baselines --data " + data + " --size 10");
    REQUIRE(r.code == 0);
    CHECK(contains(r.err, "size10_1: no wild type; the z-scores of the knockouts use the median of their rows"));
    CHECK(contains(r.err, "size10_1: no wild type; the z-scores of the knockdowns use the median of their rows"));
    CHECK_FALSE(contains(r.err, "size10_2: no wild type"));  // network 2 still has its file
    CHECK(contains(r.out, "knockout-z"));
}
