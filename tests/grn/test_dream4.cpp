// Expression readers and writers: DREAM4 files, synthetic samples of every quirk, every
// refusal (with file, line and column), and exact round trips.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "support/parse_error.hpp"
#include "support/dream4.hpp"

using namespace knit;
using namespace knit::grn;

using knit::test::expect_parse_error;

namespace {

// Runs f, expects a parse_error at (line, column) whose message contains `needle`.

time_series_data ts(const std::string& text, const std::vector<std::string>& genes = {}) {
    return parse_time_series(text, "sample.tsv", genes);
}

std::string temp_path(const std::string& name) {
    return std::string(P_tmpdir) + "/knit_test_dream4_" + name;
}

time_series_data random_series(std::size_t genes, std::size_t experiments, std::size_t steps,
                               rng& g) {
    time_series_data d;
    // Names the writers must quote (a quote-free apostrophe, non-ASCII UTF-8) but that every
    // output format can hold; names with spaces, TABs, commas or quotes are refused on reading.
    for (std::size_t i = 0; i < genes; ++i) d.genes.push_back("gene'" + std::to_string(i) + "\xc3\xa9");
    for (std::size_t e = 0; e < experiments; ++e) {
        time_series_experiment ex;
        ex.values = tensor<double>::from_shape({steps, genes});
        for (std::size_t k = 0; k < steps; ++k) ex.times.push_back(0.1 * k + (k ? g.uniform() : 0));
        for (std::size_t k = 1; k < steps; ++k) ex.times[k] = std::max(ex.times[k], ex.times[k - 1] + 1e-3);
        // Awkward magnitudes on purpose: the writer must round-trip every bit.
        for (auto& v : ex.values) v = g.normal() * std::pow(10.0, g.uniform(-300, 300));
        d.experiments.push_back(ex);
    }
    return d;
}

}  // namespace

TEST_CASE("time series: DREAM4 layout, quotes, CRLF and float notations") {
    const std::string text =
        "\"Time\"\t\"G1\"\t\"G2\"\n"
        "\n"
        "0.0\t0.5\t1\n"
        "50.0\t-2.5e-3\t+.25\n"
        "\n"
        "0\t1E+2\t0x1.8p1\n";
    for (const std::string& variant : {text, [&] {
             std::string crlf;
             for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
             return crlf;
         }()}) {
        const time_series_data d = ts(variant);
        REQUIRE(d.genes == std::vector<std::string>{"G1", "G2"});
        REQUIRE(d.experiment_count() == 2);
        CHECK(d.experiments[0].times == std::vector<double>{0.0, 50.0});
        CHECK(d.experiments[0].values(0, 0) == 0.5);
        CHECK(d.experiments[0].values(0, 1) == 1.0);
        CHECK(d.experiments[0].values(1, 0) == -2.5e-3);
        CHECK(d.experiments[0].values(1, 1) == 0.25);
        CHECK(d.experiments[1].values(0, 0) == 100.0);
        CHECK(d.experiments[1].values(0, 1) == 3.0);
        CHECK(d.common_time_points() == std::nullopt);
        CHECK(d.sample_count() == 3);
    }
    // No blank line before the first experiment, bare names, CSV: still one experiment.
    const time_series_data csv = ts("time,a,b\n1,2,3\n2,4,5\n");
    CHECK(csv.experiment_count() == 1);
    CHECK(csv.experiments[0].values(1, 1) == 5.0);
}

TEST_CASE("time series: expected genes reorder the columns") {
    const time_series_data d = ts("Time\tB\tA\n\n0\t1\t2\n", {"A", "B"});
    CHECK(d.genes == std::vector<std::string>{"A", "B"});
    CHECK(d.experiments[0].values(0, 0) == 2.0);
    CHECK(d.experiments[0].values(0, 1) == 1.0);
    expect_parse_error([] { ts("Time\tB\tC\n\n0\t1\t2\n", {"A", "B"}); }, 1, 8, "unknown gene 'C'");
    expect_parse_error([] { ts("Time\tB\n\n0\t1\n", {"A", "B"}); }, 1, 0, "got no gene 'A'");
}

TEST_CASE("time series: bad input is refused with file, line, column and expectation") {
    expect_parse_error([] { ts(""); }, 1, 0, "empty file");
    expect_parse_error([] { ts("\n \n\t\n"); }, 3, 0, "empty file");
    expect_parse_error([] { ts("\"Time\"\t\"G1\"\n"); }, 1, 0, "no data rows");
    expect_parse_error([] { ts("\"G1\"\t\"G2\"\n\n0\t1\n"); }, 1, 1, "expected \"Time\"");
    expect_parse_error([] { ts("Time\n\n0\n"); }, 1, 0, "at least one gene");
    expect_parse_error([] { ts("Time\tG1\tG1\n\n0\t1\t2\n"); }, 1, 9, "a second time");
    expect_parse_error([] { ts("Time\tG1\t\"\"\n\n0\t1\t2\n"); }, 1, 9, "empty name");
    expect_parse_error([] { ts("Time\tG1\tG2\n\n0\t1\n"); }, 3, 0, "got 2 cells, expected 3 cells");
    expect_parse_error([] { ts("Time\tG1\tG2\n\n0\t1\t2\t3\n"); }, 3, 7, "got 4 cells, expected 3");
    expect_parse_error([] { ts("Time\tG1\n\n0\tabc\n"); }, 3, 3, "got 'abc', expected a finite expression value");
    expect_parse_error([] { ts("Time\tG1\n\n0\t1.5x\n"); }, 3, 3, "got '1.5x'");
    expect_parse_error([] { ts("Time\tG1\n\n0\tinf\n"); }, 3, 3, "not finite");
    expect_parse_error([] { ts("Time\tG1\n\n0\tNaN\n"); }, 3, 3, "not finite");
    expect_parse_error([] { ts("Time\tG1\n\n0\t1e999\n"); }, 3, 3, "out of the range");
    expect_parse_error([] { ts("Time\tG1\n\n0\t\n"); }, 3, 3, "empty cell");
    expect_parse_error([] { ts("Time\tG1\n\n0\t--1\n"); }, 3, 3, "got '--1'");
    expect_parse_error([] { ts("Time\tG1\n\nx\t1\n"); }, 3, 1, "expected a finite time");
    expect_parse_error([] { ts("Time\tG1\n\n0\t1\n50\t1\n50\t1\n"); }, 5, 1, "strictly increasing");
    expect_parse_error([] { ts("Time\t\"G1\n\n0\t1\n"); }, 1, 6, "unterminated quoted cell");
    expect_parse_error([] { ts("Time\t\"G1\"x\n\n0\t1\n"); }, 1, 10, "after a closing quote");
    // Subnormal results are finite and accepted.
    CHECK(ts("Time\tG1\n\n0\t1e-310\n").experiments[0].values(0, 0) == 1e-310);
}

TEST_CASE("steady states: kinds, row order, refusals") {
    const steady_state_data wt = parse_steady_state("\"G1\"\t\"G2\"\n0.5\t0.25\n",
                                                    steady_state_kind::wildtype, "sample.tsv");
    CHECK(wt.experiment_count() == 1);
    CHECK(wt.values(0, 1) == 0.25);
    // Knockout row i perturbs header gene i: reordering genes moves the rows with them.
    const steady_state_data ko = parse_steady_state("B\tA\n0\t0.7\n0.3\t0\n",
                                                    steady_state_kind::knockouts, "sample.tsv",
                                                    {"A", "B"});
    CHECK(ko.genes == std::vector<std::string>{"A", "B"});
    CHECK(ko.values(0, 0) == 0.0);  // A knocked out
    CHECK(ko.values(0, 1) == 0.3);
    CHECK(ko.values(1, 1) == 0.0);  // B knocked out
    CHECK(ko.values(1, 0) == 0.7);
    // A multifactorial file keeps its row order.
    const steady_state_data mf = parse_steady_state("B\tA\n1\t2\n3\t4\n5\t6\n",
                                                    steady_state_kind::multifactorial, "sample.tsv",
                                                    {"A", "B"});
    CHECK(mf.values(2, 0) == 6.0);
    CHECK(steady_state_kind_from_path("x/insilico_size10_1_knockdowns.tsv") == steady_state_kind::knockdowns);
    CHECK(steady_state_kind_from_path("insilico_size10_1_dualknockouts_indexes.tsv") == steady_state_kind::other);

    auto ss = [](const std::string& text, steady_state_kind kind = steady_state_kind::other) {
        return parse_steady_state(text, kind, "sample.tsv");
    };
    expect_parse_error([&] { ss(""); }, 1, 0, "empty file");
    expect_parse_error([&] { ss("G1\tG2\n"); }, 1, 0, "no data rows");
    expect_parse_error([&] { ss("G1\tG2\n1\t2\n1\n"); }, 3, 0, "got 1 cell, expected 2 cells");
    expect_parse_error([&] { ss("G1\tG2\n1\t-nan\n"); }, 2, 3, "not finite");
    expect_parse_error([&] { ss("G1\tG2\tG1\n1\t2\t3\n"); }, 1, 7, "a second time");
    expect_parse_error([&] { ss("G1\tG2\n1\t2\n", steady_state_kind::knockouts); }, 2, 0,
                       "expected one per gene (2)");
}

TEST_CASE("generic matrix: both orientations, CSV/TSV, row labels with or without a corner") {
    matrix_options columns;
    const expression_matrix plain = parse_expression_matrix("a,b\r\n1,2\r\n3,4\r\n", columns, "sample.tsv");
    CHECK(plain.genes == std::vector<std::string>{"a", "b"});
    CHECK(plain.samples.empty());
    CHECK(plain.values(1, 0) == 3.0);

    matrix_options labelled;
    labelled.row_labels = true;
    for (const std::string& text : {std::string("\"\",a,b\ns1,1,2\ns2,3,4\n"), std::string("a,b\ns1,1,2\ns2,3,4\n")}) {
        const expression_matrix m = parse_expression_matrix(text, labelled, "sample.tsv");
        CHECK(m.genes == std::vector<std::string>{"a", "b"});
        CHECK(m.samples == std::vector<std::string>{"s1", "s2"});
        CHECK(m.values(1, 1) == 4.0);
    }

    matrix_options rows;
    rows.genes = gene_axis::rows;
    const expression_matrix t = parse_expression_matrix("gene\ts1\ts2\ts3\nx\t1\t2\t3\ny\t4\t5\t6\n", rows, "sample.tsv");
    CHECK(t.genes == std::vector<std::string>{"x", "y"});
    CHECK(t.samples == std::vector<std::string>{"s1", "s2", "s3"});
    REQUIRE(t.values.shape(0) == 3);
    CHECK(t.values(2, 1) == 6.0);
    const expression_matrix t2 = parse_expression_matrix("s1\ts2\ts3\ny\t4\t5\t6\nx\t1\t2\t3\n", rows, "sample.tsv", {"x", "y"});
    CHECK(t2.values(0, 0) == 1.0);
    CHECK(t2.values(0, 1) == 4.0);

    auto parse = [](const std::string& text, const matrix_options& o) {
        return parse_expression_matrix(text, o, "sample.tsv");
    };
    expect_parse_error([&] { parse("", columns); }, 1, 0, "empty file");
    expect_parse_error([&] { parse("a,b\n1,2,3\n", columns); }, 2, 5, "got 3 cells, expected 2");
    expect_parse_error([&] { parse("a,b\ns,1,2,3\n", labelled); }, 2, 0, "got 4 cells");
    expect_parse_error([&] { parse("g\ts1\nx\t1\nx\t2\n", rows); }, 3, 1, "gene 'x' a second time");
    expect_parse_error([&] { parse("a;b\n1;2\n", columns); }, 2, 1, "got '1;2'");
}

TEST_CASE("writers round-trip exactly, through memory and through files") {
    rng g(7);
    const time_series_data d = random_series(5, 3, 4, g);
    const time_series_data back = parse_time_series(format_time_series(d));
    REQUIRE(back.genes == d.genes);
    REQUIRE(back.experiment_count() == d.experiment_count());
    for (std::size_t e = 0; e < d.experiment_count(); ++e) {
        CHECK(back.experiments[e].times == d.experiments[e].times);
        CHECK(back.experiments[e].values == d.experiments[e].values);  // bit for bit
    }
    const std::string path = temp_path("series.tsv");
    write_time_series(d, path);
    CHECK(read_time_series(path).experiments[2].values == d.experiments[2].values);
    std::remove(path.c_str());

    steady_state_data s;
    s.genes = {"G1", "G2", "G3"};
    s.kind = steady_state_kind::knockdowns;
    s.values = tensor<double>::from_shape({3, 3});
    s.perturbed = {0, 1, 2};
    for (auto& v : s.values) v = g.uniform(-1e-200, 1e200);
    const std::string spath = temp_path("x_knockdowns.tsv");
    write_steady_state(s, spath);
    const steady_state_data sback = read_steady_state(spath);
    CHECK(sback.kind == steady_state_kind::knockdowns);
    CHECK(sback.genes == s.genes);
    CHECK(sback.values == s.values);
    std::remove(spath.c_str());

    expression_matrix m;
    m.genes = {"a.1", "b'2"};
    m.samples = {"s 1", "s,2", "s3"};
    m.values = tensor<double>::from_shape({3, 2});
    for (auto& v : m.values) v = g.normal() * 1e-5;
    for (char delimiter : {'\t', ','})
        for (gene_axis axis : {gene_axis::columns, gene_axis::rows}) {
            matrix_options o;
            o.delimiter = delimiter;
            o.genes = axis;
            o.row_labels = true;
            const expression_matrix mb = parse_expression_matrix(format_expression_matrix(m, o), o);
            CHECK(mb.genes == m.genes);
            CHECK(mb.samples == m.samples);
            CHECK(mb.values == m.values);
        }
    // Readers refuse gene names a DREAM list or CSV table cannot hold, at the name.
    expect_parse_error([] { parse_time_series("\"Time\"\t\"a b\"\n0\t1\n"); }, 1, 8, "holding a space");
    expect_parse_error([] { parse_time_series("Time\t\"a,b\"\n0\t1\n"); }, 1, 6, "holding a comma");
    expect_parse_error([] { parse_time_series("Time\t\"a\"\"b\"\n0\t1\n"); }, 1, 6, "holding a double quote");
    // Writers refuse what they could not read back.
    time_series_data bad = d;
    bad.genes[0] = "two\nlines";
    CHECK_THROWS_AS(format_time_series(bad), value_error);
    bad = d;
    bad.experiments[0].values(0, 0) = NAN;
    CHECK_THROWS_AS(format_time_series(bad), value_error);
    CHECK_THROWS_AS(read_time_series(temp_path("does_not_exist.tsv")), io_error);
}

KNIT_DREAM4_TEST_CASE("DREAM4: every expression file of every network parses with the documented shapes") {
    const std::string root = knit::test::dream4_dir().value();
    for (int size : {10, 100}) {
        const std::size_t genes = static_cast<std::size_t>(size);
        for (int n = 1; n <= 5; ++n) {
            const time_series_data d = read_time_series(dream4_path(root, size, n, dream4_file::time_series));
            CHECK(d.gene_count() == genes);
            CHECK(d.experiment_count() == (size == 10 ? 5u : 10u));
            CHECK(d.common_time_points() == 21u);
            CHECK(d.genes.front() == "G1");
            CHECK(d.genes.back() == "G" + std::to_string(size));
            CHECK(d.experiments.back().times.back() == 1000.0);
            for (auto kind : {dream4_file::wildtype, dream4_file::knockouts, dream4_file::knockdowns,
                              dream4_file::multifactorial}) {
                const steady_state_data s = read_steady_state(dream4_path(root, size, n, kind));
                const std::size_t rows = kind == dream4_file::wildtype ? 1 : genes;
                CHECK(s.values.shape(0) == rows);
                CHECK(s.values.shape(1) == genes);
                if (kind != dream4_file::multifactorial)  // size-100 MF genes are renamed, same names
                    CHECK(s.genes == d.genes);
            }
            // Knocked-out genes sit at about 0 on the diagonal.
            const steady_state_data ko =
                read_steady_state(dream4_path(root, size, n, dream4_file::knockouts), d.genes);
            for (std::size_t g = 0; g < genes; ++g) CHECK(ko.values(g, g) < 0.0025);
        }
    }
    // Values checked against the files (cut -f / sed -n).
    const time_series_data d1 = read_time_series(dream4_path(root, 100, 1, dream4_file::time_series));
    CHECK(d1.experiments[0].values(0, 0) == 0.1219386);
    CHECK(d1.experiments[0].values(0, 99) == 0.5820179);
    CHECK(d1.experiments[0].values(20, 1) == 0.2134308);
    CHECK(d1.experiments[1].values(0, 0) == 0.1289579);
    CHECK(d1.experiments[9].values(20, 99) == 0.6892838);
    const auto wt = read_steady_state(dream4_path(root, 100, 3, dream4_file::wildtype));
    CHECK(wt.kind == steady_state_kind::wildtype);
    CHECK(wt.values(0, 0) == 0.3671874);
    CHECK(wt.values(0, 99) == 0.1684570);
    const auto ko2 = read_steady_state(dream4_path(root, 100, 2, dream4_file::knockouts));
    CHECK(ko2.values(0, 1) == 0.6013808);
    CHECK(ko2.values(99, 0) == 0.6318947);
    CHECK(read_steady_state(dream4_path(root, 100, 5, dream4_file::knockdowns)).values(99, 99) == 0.2230813);
    CHECK(read_steady_state(dream4_path(root, 100, 4, dream4_file::multifactorial)).values(99, 0) == 0.3297421);
    CHECK(read_steady_state(dream4_path(root, 10, 2, dream4_file::multifactorial)).values(9, 9) == 0.5898666);

    // The writer's output of a DREAM4 file reads back to the same data.
    const time_series_data back = parse_time_series(format_time_series(d1));
    for (std::size_t e = 0; e < 10; ++e) CHECK(back.experiments[e].values == d1.experiments[e].values);
}

TEST_CASE("dream4_path names other sizes and networks with the same pattern") {
    CHECK(dream4_path("r", 30, 7, dream4_file::time_series) == "r/size30/insilico_size30_7_timeseries.tsv");
    CHECK(dream4_path("r", 30, 7, dream4_file::gold_standard) ==
          "r/size30/goldstandard/DREAM4_GoldStandard_InSilico_Size30_7.tsv");
    CHECK_THROWS_AS(dream4_path("r", 0, 1, dream4_file::time_series), knit::value_error);
    CHECK_THROWS_AS(dream4_path("r", 10, 0, dream4_file::time_series), knit::value_error);
}
