// Users' own expression tables (issue 15): every layout of the time-series, steady-state
// and BEELINE readers, layout detection, gzip, byte-order marks, the experiment set built
// from a user's files, and every refusal with its file, line and column.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/expression_table.hpp"
#include "support/dream4.hpp"
#include "support/parse_error.hpp"

using namespace knit;
using namespace knit::grn;
using knit::test::expect_parse_error;
namespace fs = std::filesystem;

namespace {

const table_options detect{};
const table_options as_rows{gene_axis::rows};
const table_options as_columns{gene_axis::columns};

time_series_data series(const std::string& text, const table_options& options = detect,
                        const std::vector<std::string>& genes = {}) {
    return parse_time_series_table(text, options, "t.csv", genes);
}

std::vector<steady_state_data> steady(const std::string& text, const table_options& options = detect,
                                      const std::vector<std::string>& genes = {}) {
    return parse_steady_state_table(text, options, "s.csv", genes);
}

std::vector<double> row_of(const tensor<double>& values, std::size_t r) {
    std::vector<double> out;
    for (std::size_t g = 0; g < values.shape(1); ++g) out.push_back(values(r, g));
    return out;
}

std::vector<double> column_of(const tensor<double>& values, std::size_t g) {
    std::vector<double> out;
    for (std::size_t r = 0; r < values.shape(0); ++r) out.push_back(values(r, g));
    return out;
}

void check_same(const time_series_data& a, const time_series_data& b) {
    REQUIRE(a.genes == b.genes);
    REQUIRE(a.experiment_count() == b.experiment_count());
    for (std::size_t e = 0; e < a.experiment_count(); ++e) {
        const auto& x = a.experiments[e];
        const auto& y = b.experiments[e];
        CHECK(x.times == y.times);
        CHECK(x.first_line == y.first_line);
        REQUIRE(x.values.shape() == y.values.shape());
        CHECK(std::memcmp(x.values.data(), y.values.data(), x.values.size() * sizeof(double)) == 0);
    }
}

void check_same(const steady_state_data& a, const steady_state_data& b) {
    CHECK(a.genes == b.genes);
    CHECK(a.kind == b.kind);
    CHECK(a.perturbed == b.perturbed);
    CHECK(a.conditions == b.conditions);
    REQUIRE(a.values.shape() == b.values.shape());
    CHECK(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0);
}

std::string gzip(const std::string& text) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// A scratch folder of its own per test run.
struct scratch {
    fs::path dir = fs::temp_directory_path() / ("knit_test_expression_table_" + std::to_string(::getpid()));
    scratch() { fs::create_directories(dir); }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string write(const std::string& name, const std::string& bytes) const {
        const std::string path = (dir / name).string();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
};

std::string io_message(const std::function<void()>& f) {
    try {
        f();
    } catch (const parse_error& e) {
        return std::string("parse_error: ") + e.what();
    } catch (const io_error& e) {
        return e.what();
    }
    return "(accepted)";
}

const std::string beeline_expression =
    ",c1,c2,c3,c4,c5\n"
    "G1,1,2,3,4,5\n"
    "G2,10,20,30,40,50\n";
const std::string beeline_pseudotime =
    ",PseudoTime1,PseudoTime2\n"
    "c1,0.0,NA\n"
    "c2,0.5,0.1\n"
    "c3,0.5,\n"
    "c4,NA,0.3\n"
    "c5,1.0,0.1\n";

}  // namespace

// --- time series ----------------------------------------------------------------------

TEST_CASE("time-series table: genes as columns with an experiment column anywhere, unequal lengths and grids") {
    const time_series_data d = series(
        "G1,EXPERIMENT,G2,Time\n"
        "1.0,e1,2.0,0\n"
        "1.5,e1,2.5,10\n"
        "3.0,e2,4.0,0\n"
        "3.5,e2,4.5,5\n"
        "3.7,e2,4.7,7.5\n");
    REQUIRE(d.genes == std::vector<std::string>{"G1", "G2"});
    REQUIRE(d.experiment_count() == 2);
    CHECK(d.experiments[0].times == std::vector<double>{0, 10});
    CHECK(d.experiments[1].times == std::vector<double>{0, 5, 7.5});
    CHECK(column_of(d.experiments[0].values, 0) == std::vector<double>{1.0, 1.5});
    CHECK(column_of(d.experiments[1].values, 1) == std::vector<double>{4.0, 4.5, 4.7});
    CHECK(d.experiments[0].first_line == 2);
    CHECK(d.experiments[1].first_line == 4);
    CHECK(d.common_time_points() == std::nullopt);
    d.validate();

    // Rows of one experiment need not be adjacent; experiments keep their first appearance.
    const time_series_data mixed = series("experiment\ttime\tA\nb\t0\t1\na\t0\t2\nb\t1\t3\n");
    REQUIRE(mixed.experiment_count() == 2);
    CHECK(column_of(mixed.experiments[0].values, 0) == std::vector<double>{1, 3});
    CHECK(column_of(mixed.experiments[1].values, 0) == std::vector<double>{2});
    // A first column of sample labels (an empty or `sample` header cell, as R writes) is ignored.
    CHECK(series("\"\",time,G1\n\"1\",0,5\n\"2\",1,6\n").genes == std::vector<std::string>{"G1"});
    CHECK(series("Sample\ttime\tG1\ns1\t0\t5\n").experiments[0].values(0, 0) == 5);
    // With an experiment column, blank lines separate nothing.
    CHECK(series("time,experiment,A\n0,x,1\n\n1,x,2\n").experiment_count() == 1);
}

TEST_CASE("time-series table: blank-line blocks, as in DREAM4 files, equal the DREAM4 reader") {
    const std::string text =
        "\"Time\"\t\"G1\"\t\"G2\"\n"
        "\n"
        "0\t1\t2\n"
        "10\t3\t4\n"
        "20\t5\t6\n"
        "\n"
        "\n"
        "0\t7\t8\n"
        "5\t9\t10\n";
    const time_series_data d = series(text);
    REQUIRE(d.experiment_count() == 2);
    CHECK(d.experiments[0].times == std::vector<double>{0, 10, 20});
    CHECK(d.experiments[1].times == std::vector<double>{0, 5});
    CHECK(row_of(d.experiments[1].values, 1) == std::vector<double>{9, 10});
    check_same(d, parse_time_series(text, "t.csv"));
    // Without a leading blank line, and in CSV with CRLF.
    CHECK(series("time,A\r\n0,1\r\n1,2\r\n\r\n0,3\r\n").experiment_count() == 2);
    // Expected genes reorder the columns, as for the DREAM4 reader.
    check_same(series(text, detect, {"G2", "G1"}), parse_time_series(text, "t.csv", {"G2", "G1"}));
}

TEST_CASE("time-series table: genes as rows, with or without a header and a corner cell") {
    const time_series_data d = series(
        "gene,s1,s2,s3,s4\n"
        "experiment,a,a,b,b\n"
        "time,0,1,0,2\n"
        "G1,1,2,3,4\n"
        "G2,5,6,7,8\n");
    REQUIRE(d.genes == std::vector<std::string>{"G1", "G2"});
    REQUIRE(d.experiment_count() == 2);
    CHECK(d.experiments[0].times == std::vector<double>{0, 1});
    CHECK(d.experiments[1].times == std::vector<double>{0, 2});
    CHECK(column_of(d.experiments[0].values, 1) == std::vector<double>{5, 6});
    CHECK(column_of(d.experiments[1].values, 0) == std::vector<double>{3, 4});
    CHECK(d.experiments[0].first_line == 3);  // the time row

    // No header: the time row first (detected: a gene name starts a later line).
    const time_series_data bare = series("time\t0\t10\t20\nG1\t1\t2\t3\n\nG2\t4\t5\t6\n");
    REQUIRE(bare.experiment_count() == 1);
    CHECK(bare.experiments[0].times == std::vector<double>{0, 10, 20});
    CHECK(column_of(bare.experiments[0].values, 1) == std::vector<double>{4, 5, 6});
    // A header of sample names without a corner cell; gene rows before the time row.
    const time_series_data no_corner = series("s1,s2,s3\nG1,1,2,3\nTIME,0,1,2\n");
    CHECK(no_corner.experiments[0].times == std::vector<double>{0, 1, 2});
    CHECK(column_of(no_corner.experiments[0].values, 0) == std::vector<double>{1, 2, 3});
    // genes_as given: no detection needed.
    const time_series_data given = series("G1,1,2\ntime,0,1\n", as_rows);
    CHECK(given.experiments[0].times == std::vector<double>{0, 1});
    CHECK(column_of(given.experiments[0].values, 0) == std::vector<double>{1, 2});
    CHECK(given.experiments[0].first_line == 2);
}

TEST_CASE("time-series table: layout detection and its refusals") {
    // The header names a role after its first cell: columns.
    CHECK(series("G1,time\n1,0\n").experiments[0].times == std::vector<double>{0});
    // A 'time' header followed by numbers and only numbers below: a time row, or numeric gene
    // names; refused, asking for the layout.
    expect_parse_error([] { series("time,1,2\n0,5,6\n"); }, 1, 1, "--genes-as rows|columns");
    CHECK(series("time,1,2\n0,5,6\n", as_columns).genes == std::vector<std::string>{"1", "2"});
    CHECK(series("time,1,2\n7,5,6\n", as_rows).genes == std::vector<std::string>{"7"});
    // A role in the header and a role starting a later line.
    expect_parse_error([] { series("G1,time\n1,0\nexperiment,2\n"); }, 3, 1, "cannot tell whether genes are columns or rows");
    // No role at all.
    expect_parse_error([] { series("G1,G2\n1,2\n"); }, 1, 0, "got no column or row named time");
}

TEST_CASE("time-series table: bad input is refused with file, line and column") {
    expect_parse_error([] { series(""); }, 1, 0, "empty file");
    expect_parse_error([] { series("\n\n"); }, 2, 0, "empty file");
    expect_parse_error([] { series("time,G1\n"); }, 1, 0, "no data rows");
    expect_parse_error([] { series("G1,G2\n1,2\n", as_columns); }, 1, 0, "got no time column");
    expect_parse_error([] { series("G1,1,2\n", as_rows); }, 1, 0, "got no row named time");
    expect_parse_error([] { series("time\n0\n"); }, 1, 0, "got no gene columns");
    // Ragged rows, both layouts.
    expect_parse_error([] { series("time,G1\n0,1\n1,2,3\n"); }, 3, 5, "got 3 cells, expected 2 cells");
    expect_parse_error([] { series("time,G1,G2\n0,1\n"); }, 2, 0, "got 2 cells, expected 3 cells");
    expect_parse_error([] { series("time,0,1\nG1,1,2\nG2,1\n"); }, 3, 0, "got 2 cells, expected 3 cells");
    expect_parse_error([] { series("s1,s2\ntime,0,1,2\n"); }, 2, 0, "expected 2 or 3");
    // Non-numeric and non-finite cells, both layouts: the cell's own line and column.
    expect_parse_error([] { series("time,G1\n0,abc\n"); }, 2, 3, "got 'abc', expected a finite expression value");
    expect_parse_error([] { series("time,G1\n0,inf\n"); }, 2, 3, "not finite");
    expect_parse_error([] { series("time,G1\nx,1\n"); }, 2, 1, "expected a finite time");
    expect_parse_error([] { series("time,0,1\nG1,1,nan\n"); }, 2, 6, "not finite");
    expect_parse_error([] { series("time\t0\t1e999\nG1\t1\t2\n", as_rows); }, 1, 8, "out of the range");
    expect_parse_error([] { series("gene,a,b\nG1,1,2\ntime,0,\n"); }, 3, 8, "empty cell");
    // Duplicate genes, both layouts, and names the outputs cannot hold.
    expect_parse_error([] { series("time,G1,G1\n0,1,2\n"); }, 1, 9, "a second time");
    expect_parse_error([] { series("time,0,1\nG1,1,2\nG1,3,4\n"); }, 3, 1, "got gene 'G1' a second time (first on line 2)");
    expect_parse_error([] { series("time,\"G 1\"\n0,1\n"); }, 1, 6, "holding a space");
    // Times within an experiment: columns, rows (the column of the cell) and experiments.
    expect_parse_error([] { series("time,G1\n0,1\n5,1\n5,1\n"); }, 4, 1, "got time 5 after 5 (an empty line starts");
    expect_parse_error([] { series("time\t0\t10\t3\nG1\t1\t2\t3\n"); }, 1, 11, "got time 3 after 10 (genes are rows");
    expect_parse_error([] { series("experiment,time,G1\na,1,1\nb,0,1\na,0,1\n"); }, 4, 3,
                       "got time 0 after 1 in experiment 'a'");
    expect_parse_error([] { series("experiment,time,G1\n,1,1\n"); }, 2, 1, "empty experiment name");
    // Roles given twice or not belonging to a time series.
    expect_parse_error([] { series("time,G1,Time\n0,1,2\n"); }, 1, 9, "a second 'Time' column (the first on line 1, column 1)");
    expect_parse_error([] { series("time,0,1\ntime,1,2\nG1,1,2\n"); }, 2, 1, "a second 'time' row");
    expect_parse_error([] { series("time,condition,G1\n0,wt,1\n"); }, 1, 6, "conditions belong to steady-state tables");
    // Expected genes: unknown and missing.
    expect_parse_error([] { series("time,0,1\nG3,1,2\n", detect, {"G1"}); }, 2, 1, "unknown gene 'G3'");
    expect_parse_error([] { series("time,G1\n0,1\n", detect, {"G1", "G2"}); }, 1, 0, "got no gene 'G2'");
    // Every message starts with the file name.
    try {
        series("time,G1\n0,x\n");
    } catch (const parse_error& e) {
        CHECK(std::string(e.what()).rfind("t.csv:2:3: ", 0) == 0);
    }
}

TEST_CASE("time-series table: the examples of docs/grn.md read as it says") {
    const time_series_data columns = series(
        "experiment,time,G1,G2\n"
        "wt1,0,0.51,1.20\n"
        "wt1,10,0.62,1.05\n"
        "wt1,30,0.80,0.90\n"
        "heat,0,0.50,1.18\n"
        "heat,5,0.71,0.95\n");
    const time_series_data rows = series(
        "gene,s1,s2,s3,s4,s5\n"
        "experiment,wt1,wt1,wt1,heat,heat\n"
        "time,0,10,30,0,5\n"
        "G1,0.51,0.62,0.80,0.50,0.71\n"
        "G2,1.20,1.05,0.90,1.18,0.95\n");
    REQUIRE(columns.experiment_count() == 2);
    CHECK(columns.experiments[0].times == std::vector<double>{0, 10, 30});
    CHECK(columns.experiments[1].times == std::vector<double>{0, 5});
    REQUIRE(rows.experiment_count() == 2);
    for (std::size_t e = 0; e < 2; ++e) {
        CHECK(rows.experiments[e].times == columns.experiments[e].times);
        CHECK(std::memcmp(rows.experiments[e].values.data(), columns.experiments[e].values.data(),
                          columns.experiments[e].values.size() * sizeof(double)) == 0);
    }
    const auto kinds = steady("condition,G1,G2,G3\nwt,1.00,2.00,3.00\nKO:G2,1.10,0.00,3.30\nKD:G1,0.50,2.00,3.00\n"
                              "heat shock,0.90,2.40,2.70\n");
    REQUIRE(kinds.size() == 4);
    CHECK(kinds[3].conditions == std::vector<std::string>{"heat shock"});
}

// --- steady states --------------------------------------------------------------------

TEST_CASE("steady-state table: wild type, knockouts, knockdowns and other labels") {
    const auto kinds = steady(
        "condition,G1,G2,G3\n"
        "wt,1,2,3\n"
        "KO:G2,1.1,0,3.3\n"
        "WildType,1.2,2.2,3.2\n"
        "kd:G1,0.5,2,3\n"
        "KO: G1,0,2,3\n"
        "stress,9,9,9\n");
    REQUIRE(kinds.size() == 4);
    const steady_state_data& wt = kinds[0];
    CHECK(wt.kind == steady_state_kind::wildtype);
    CHECK(wt.conditions == std::vector<std::string>{"wt", "WildType"});
    CHECK(row_of(wt.values, 1) == std::vector<double>{1.2, 2.2, 3.2});
    const steady_state_data& ko = kinds[1];
    CHECK(ko.kind == steady_state_kind::knockouts);
    CHECK(ko.perturbed == std::vector<std::size_t>{1, 0});
    CHECK(ko.conditions == std::vector<std::string>{"KO:G2", "KO: G1"});
    CHECK(row_of(ko.values, 0) == std::vector<double>{1.1, 0, 3.3});
    CHECK(ko.row_perturbing(0) == 1u);
    const steady_state_data& kd = kinds[2];
    CHECK(kd.kind == steady_state_kind::knockdowns);
    CHECK(kd.perturbed == std::vector<std::size_t>{0});
    const steady_state_data& mf = kinds[3];
    CHECK(mf.kind == steady_state_kind::multifactorial);
    CHECK(mf.conditions == std::vector<std::string>{"stress"});
    CHECK(mf.perturbed.empty());
    for (const auto& k : kinds) k.validate();

    // Genes as rows: the condition row first (a KO: label tells it from a header).
    const auto rows = steady(
        "condition\twt\tKO:G2\tstress\n"
        "G1\t1\t1.1\t9\n"
        "G2\t2\t0\t9\n");
    REQUIRE(rows.size() == 3);
    CHECK(row_of(rows[1].values, 0) == std::vector<double>{1.1, 0});
    CHECK(rows[1].perturbed == std::vector<std::size_t>{1});
    // ... or after a header of sample names.
    const auto headed = steady("sample,s1,s2\nG1,1,2\ncondition,KD:G1,x\n");
    REQUIRE(headed.size() == 2);
    CHECK(headed[0].kind == steady_state_kind::knockdowns);
    CHECK(headed[1].conditions == std::vector<std::string>{"x"});

    // Without a condition column every row is multifactorial (the layout must be given).
    const auto plain = steady("G1\tG2\n1\t2\n3\t4\n", as_columns);
    REQUIRE(plain.size() == 1);
    CHECK(plain[0].kind == steady_state_kind::multifactorial);
    CHECK(plain[0].experiment_count() == 2);
    CHECK(plain[0].conditions.empty());
    // Expected genes reorder the columns and the perturbed indexes follow.
    const auto aligned = steady("condition,G1,G2\nKO:G1,0,5\n", detect, {"G2", "G1"});
    CHECK(aligned[0].perturbed == std::vector<std::size_t>{1});
    CHECK(row_of(aligned[0].values, 0) == std::vector<double>{5, 0});
}

TEST_CASE("steady-state table: bad input is refused with file, line and column") {
    expect_parse_error([] { steady(""); }, 1, 0, "empty file");
    expect_parse_error([] { steady("condition,G1\n"); }, 1, 0, "no data rows");
    expect_parse_error([] { steady("G1,G2\n1,2\n"); }, 1, 0, "got no cell named condition");
    expect_parse_error([] { steady("condition,G1,G2\nwt,1\n"); }, 2, 0, "got 2 cells, expected 3 cells");
    expect_parse_error([] { steady("condition,G1\nwt,1x\n"); }, 2, 4, "got '1x'");
    expect_parse_error([] { steady("condition,G1\nwt,-inf\n"); }, 2, 4, "not finite");
    expect_parse_error([] { steady("condition,G1,G1\nwt,1,1\n"); }, 1, 14, "a second time");
    expect_parse_error([] { steady("condition,G1,G2\nKO:G7,1,2\n"); }, 2, 1,
                       "got 'KO:G7', a gene knocked out that is not in the table ('G7')");
    expect_parse_error([] { steady("condition,G1,G2\nKO:G1,1,2\nKO:G1,0,2\n"); }, 3, 1,
                       "got gene 'G1' knocked out a second time (first on line 2)");
    expect_parse_error([] { steady("condition,G1,G2\nKD:G2,1,2\nkd:G2,0,2\n"); }, 3, 1, "knocked down a second time");
    expect_parse_error([] { steady("condition,G1\nKO:,1\n"); }, 2, 1, "without a gene, expected KO:<gene>");
    expect_parse_error([] { steady("condition,G1\n\"\",1\n"); }, 2, 1, "empty condition");
    expect_parse_error([] { steady("condition,G1,time\nwt,1,0\n"); }, 1, 14, "a table with times is a time series");
    expect_parse_error([] { steady("G1,experiment,condition\n1,a,wt\n"); }, 1, 4, "every steady-state row is one experiment");
    // Genes as rows: the errors point at the cell in the file.
    expect_parse_error([] { steady("condition,wt,KO:G9\nG1,1,2\n"); }, 1, 14, "not in the table ('G9')");
    expect_parse_error([] { steady("condition,wt,KO:G1\nG1,1,2\nG2,3,x\n"); }, 3, 6, "got 'x'");
    expect_parse_error([] { steady("condition,wt,KO:G1\nG1,1,2\nG1,3,4\n"); }, 3, 1, "a second time");
}

// --- BEELINE --------------------------------------------------------------------------

TEST_CASE("BEELINE: two lineages, NA and empty cells, tied pseudotimes averaged") {
    const time_series_data d = parse_beeline(beeline_expression, beeline_pseudotime, "E.csv", "P.csv");
    REQUIRE(d.genes == std::vector<std::string>{"G1", "G2"});
    REQUIRE(d.experiment_count() == 2);
    // Lineage 1: c1 (0), c2 and c3 (0.5, averaged), c5 (1); c4 is NA.
    CHECK(d.experiments[0].times == std::vector<double>{0, 0.5, 1});
    CHECK(column_of(d.experiments[0].values, 0) == std::vector<double>{1, 2.5, 5});
    CHECK(column_of(d.experiments[0].values, 1) == std::vector<double>{10, 25, 50});
    CHECK(d.experiments[0].first_line == 2);
    // Lineage 2: c2 and c5 (0.1, averaged), c4 (0.3); c1 is NA, c3 empty.
    CHECK(d.experiments[1].times == std::vector<double>{0.1, 0.3});
    CHECK(column_of(d.experiments[1].values, 0) == std::vector<double>{3.5, 4});
    CHECK(column_of(d.experiments[1].values, 1) == std::vector<double>{35, 40});
    CHECK(d.experiments[1].first_line == 3);
    d.validate();

    // Headers without a corner cell, TSV, a cell on no lineage, a single lineage.
    const time_series_data one =
        parse_beeline("c1\tc2\tc3\nG1\t1\t2\t3\n", "PseudoTime\nc3\t0\nc1\t2\nc2\tNA\n", "E.tsv", "P.tsv");
    REQUIRE(one.experiment_count() == 1);
    CHECK(one.experiments[0].times == std::vector<double>{0, 2});
    CHECK(column_of(one.experiments[0].values, 0) == std::vector<double>{3, 1});
    // A gene named like a role is only a gene here.
    CHECK(parse_beeline(",c1\ntime,1\n", ",t\nc1,0\n", "E", "P").genes == std::vector<std::string>{"time"});
}

TEST_CASE("BEELINE: bad input is refused with file, line and column") {
    auto pair = [](const std::string& e, const std::string& p) { parse_beeline(e, p, "E.csv", "P.csv"); };
    auto expect_in = [&](const std::string& file, const std::string& e, const std::string& p, std::size_t line,
                         std::size_t column, const std::string& needle) {
        expect_parse_error([&] { pair(e, p); }, line, column, needle);
        try {
            pair(e, p);
        } catch (const parse_error& error) {
            CHECK(error.file() == file);
        }
    };
    expect_in("E.csv", "", beeline_pseudotime, 1, 0, "empty file");
    expect_in("E.csv", ",c1,c2\nG1,1\n", beeline_pseudotime, 2, 0, "got 2 cells, expected 3 or 4");
    expect_in("E.csv", ",c1,c2\nG1,1,x\n", beeline_pseudotime, 2, 6, "got 'x'");
    expect_in("E.csv", ",c1,c1\nG1,1,2\n", ",t\nc1,0\n", 1, 5, "got cell 'c1' a second time (first in column 2)");
    expect_in("E.csv", ",c1\nG1,1\nG1,2\n", ",t\nc1,0\n", 3, 1, "a second time");
    expect_in("P.csv", beeline_expression, "", 1, 0, "empty file");
    expect_in("P.csv", beeline_expression, ",t\n", 1, 0, "no cell rows");
    expect_in("P.csv", beeline_expression, ",t\nc9,0\n", 2, 1, "got cell 'c9', expected a cell of E.csv");
    expect_in("P.csv", beeline_expression, ",t\nc1,0\nc1,1\n", 3, 1, "a second time (first on line 2)");
    expect_in("P.csv", beeline_expression, ",t\nc1,soon\n", 2, 4, "expected a finite pseudotime, NA or an empty cell");
    expect_in("P.csv", beeline_expression, ",t\nc1,inf\n", 2, 4, "not finite");
    expect_in("P.csv", beeline_expression, ",t,u\nc1,0,1\nc2,1\n", 3, 0, "got 2 cells, expected 3 cells");
    expect_in("P.csv", beeline_expression, ",a,b\nc1,0,NA\n", 1, 4, "no cell with a pseudotime in column 'b'");
}

// --- files: gzip, byte-order marks, UTF-16 ---------------------------------------------

TEST_CASE("gzip: a compressed file reads exactly as the plain one, in every reader") {
    scratch tmp;
    const std::string text = "time,experiment,G1,G2\n0,a,1,2\n1,a,3,4\n0,b,5,6.25\n";
    const std::string plain = tmp.write("t.csv", text);
    const std::string packed = tmp.write("t.csv.gz", gzip(text));
    const std::string unnamed = tmp.write("t_no_suffix.csv", gzip(text));  // detected by its bytes
    check_same(read_time_series_table(packed), read_time_series_table(plain));
    check_same(read_time_series_table(unnamed), read_time_series_table(plain));
    // Two members concatenated (cat a.gz b.gz) are one text.
    const std::string split = tmp.write("two.csv.gz", gzip(text.substr(0, 20)) + gzip(text.substr(20)));
    check_same(read_time_series_table(split), read_time_series_table(plain));

    const std::string ss = "condition,G1,G2\nwt,1,2\nKO:G1,0,2\n";
    const auto a = read_steady_state_table(tmp.write("s.csv", ss));
    const auto b = read_steady_state_table(tmp.write("s.csv.gz", gzip(ss)));
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) check_same(a[k], b[k]);
    check_same(read_beeline(tmp.write("E.csv.gz", gzip(beeline_expression)), tmp.write("P.csv.gz", gzip(beeline_pseudotime))),
               parse_beeline(beeline_expression, beeline_pseudotime));
    // The DREAM4 readers take gzip too (detail::read_file inflates).
    const std::string dream = "\"Time\"\t\"G1\"\n\n0\t1\n";
    check_same(read_time_series(tmp.write("d.tsv.gz", gzip(dream))), parse_time_series(dream, "x"));
    // An empty gzip file is an empty text.
    expect_parse_error([&] { read_time_series_table(tmp.write("empty.gz", gzip(""))); }, 1, 0, "empty file");
}

TEST_CASE("gzip: corrupt, truncated, trailing and oversized data are refused naming the file") {
    scratch tmp;
    std::string text;
    for (int i = 0; i < 200; ++i) text += std::to_string(i) + ",0.5,0.25\n";
    text = "time,G1,G2\n" + text;
    const std::string packed = gzip(text);

    const std::string truncated = tmp.write("cut.csv.gz", packed.substr(0, packed.size() - 12));
    std::string message = io_message([&] { read_time_series_table(truncated); });
    CHECK(message.find(truncated) != std::string::npos);
    CHECK(message.find("ends early") != std::string::npos);

    std::string damaged = packed;
    damaged[damaged.size() - 6] ^= 0x55;  // inside the trailer's CRC-32
    const std::string bad_crc = tmp.write("crc.csv.gz", damaged);
    message = io_message([&] { read_time_series_table(bad_crc); });
    CHECK(message.find(bad_crc) != std::string::npos);
    CHECK(message.find("corrupt gzip data") != std::string::npos);

    damaged = packed;
    damaged[3] = '\xff';  // reserved flag bits set: not a valid header
    const std::string bad_header = tmp.write("header.csv.gz", damaged);
    CHECK(io_message([&] { read_time_series_table(bad_header); }).find("corrupt gzip data") != std::string::npos);

    const std::string trailing = tmp.write("trailing.csv.gz", packed + "junk");
    message = io_message([&] { read_time_series_table(trailing); });
    CHECK(message.find("4 bytes after the end of the gzip data") != std::string::npos);
    CHECK(message.rfind("parse_error", 0) == std::string::npos);  // an io_error, not a text position

    // The inflated size is capped, so a zip bomb stops at the cap.
    const std::string zeros = gzip(std::string(1 << 20, '0'));
    CHECK(zeros.size() < 4096);
    message = io_message([&] { grn::detail::inflate_gzip(zeros, "bomb.gz", 100000); });
    CHECK(message.find("bomb.gz") != std::string::npos);
    CHECK(message.find("more than 100000 bytes") != std::string::npos);
    CHECK(grn::detail::inflate_gzip(zeros, "ok.gz", 1 << 20).size() == std::size_t(1) << 20);
}

TEST_CASE("byte-order marks and UTF-16, plain and compressed") {
    scratch tmp;
    const std::string bom = "\xef\xbb\xbf";
    const std::string text = "Time,G1\n0,1\n";
    check_same(series(bom + text), series(text));
    CHECK(steady(bom + "condition,G1\nwt,1\n")[0].genes == std::vector<std::string>{"G1"});
    CHECK(parse_beeline(bom + beeline_expression, bom + beeline_pseudotime).genes.front() == "G1");
    check_same(read_time_series_table(tmp.write("bom.csv.gz", gzip(bom + text))), series(text));

    std::string utf16 = "\xff\xfe";
    for (char c : text) utf16 += c, utf16 += '\0';
    expect_parse_error([&] { series(utf16); }, 1, 1, "got UTF-16 text");
    expect_parse_error([&] { steady(utf16); }, 1, 1, "got UTF-16 text");
    expect_parse_error([&] { parse_beeline(beeline_expression, utf16, "E", "P"); }, 1, 1, "got UTF-16 text");
    expect_parse_error([&] { read_time_series_table(tmp.write("utf16.csv.gz", gzip(utf16))); }, 1, 1,
                       "expected UTF-8 or ASCII text");
    expect_parse_error([&] { read_steady_state_table(tmp.write("nul.csv.gz", gzip(std::string("G1\n\0", 4)))); }, 2, 1,
                       "NUL byte");
}

// --- a user's files as one experiment set ---------------------------------------------

TEST_CASE("read_user_experiments: time series, steady states and BEELINE, genes aligned to the first file") {
    scratch tmp;
    user_files files;
    files.time_series = {tmp.write("ts1.tsv", "\"Time\"\t\"G1\"\t\"G2\"\n\n0\t1\t2\n1\t3\t4\n"),
                         tmp.write("ts2.csv", "G2,time\n20,0\n")};
    files.steady_states = {tmp.write("ss1.csv", "condition,G1,G2\nwt,1,2\nKO:G1,0,2\nx,5,5\n"),
                           tmp.write("ss2.csv.gz", gzip("condition,G2,G1\nKO:G2,0,1\nwt,2.1,1.1\n"))};
    // ts2 lacks G1.
    expect_parse_error([&] { read_user_experiments(files); }, 1, 0, "got no gene 'G1'");
    files.time_series[1] = tmp.write("ts2.csv", "G2,time,G1\n20,0,10\n");
    files.beeline_expression = tmp.write("E.csv", beeline_expression);
    files.beeline_pseudotime = tmp.write("P.csv", beeline_pseudotime);
    const experiment_set set = read_user_experiments(files);
    CHECK(set.genes == std::vector<std::string>{"G1", "G2"});
    REQUIRE(set.time_series.experiment_count() == 4);
    CHECK(row_of(set.time_series.experiments[1].values, 0) == std::vector<double>{10, 20});
    CHECK(set.time_series.experiments[3].times == std::vector<double>{0.1, 0.3});
    REQUIRE(set.wildtype);
    CHECK(set.wildtype->experiment_count() == 2);
    CHECK(row_of(set.wildtype->values, 1) == std::vector<double>{1.1, 2.1});
    CHECK(set.wildtype->conditions == std::vector<std::string>{"wt", "wt"});
    REQUIRE(set.knockouts);
    CHECK(set.knockouts->perturbed == std::vector<std::size_t>{0, 1});
    CHECK(row_of(set.knockouts->values, 1) == std::vector<double>{1, 0});
    REQUIRE(set.multifactorial);
    CHECK(!set.knockdowns);
    CHECK(set.file(experiment_kind::wildtype) == files.steady_states[0] + ", " + files.steady_states[1]);
    CHECK(set.file(experiment_kind::multifactorial) == files.steady_states[0]);
    CHECK(set.file(experiment_kind::time_series).find("P.csv") != std::string::npos);

    // A DREAM4 steady-state file is recognised by its name; merged with a table's rows.
    files.steady_states.push_back(tmp.write("net_knockdowns.tsv", "\"G2\"\t\"G1\"\n0.1\t1\n2\t0.2\n"));
    const experiment_set with_dream = read_user_experiments(files);
    REQUIRE(with_dream.knockdowns);
    CHECK(with_dream.knockdowns->perturbed == std::vector<std::size_t>{0, 1});  // row g perturbs gene g
    CHECK(row_of(with_dream.knockdowns->values, 0) == std::vector<double>{0.2, 2});
    // The same gene knocked out in two files.
    files.steady_states.push_back(tmp.write("net_knockouts.tsv", "G1\tG2\n0\t2\n1\t0\n"));
    try {
        read_user_experiments(files);
        FAIL("expected a refusal");
    } catch (const value_error& e) {
        const std::string what = e.what();
        CHECK(what.find("net_knockouts.tsv") != std::string::npos);
        CHECK(what.find("ss1.csv") != std::string::npos);
        CHECK(what.find("'G1'") != std::string::npos);
    }
    // A steady-state file with another gene: its file, line and column.
    files.steady_states = {tmp.write("ss3.csv", "condition,G1,G3\nwt,1,2\n")};
    try {
        read_user_experiments(files);
        FAIL("expected a refusal");
    } catch (const parse_error& e) {
        CHECK(e.file() == files.steady_states[0]);
        CHECK(e.line() == 1);
        CHECK(e.column() == 14);
        CHECK(std::string(e.what()).find("unknown gene 'G3'") != std::string::npos);
    }
    // Half a BEELINE pair, and nothing at all.
    CHECK_THROWS_AS(read_user_experiments(user_files{{}, {}, "E.csv", ""}), value_error);
    CHECK_THROWS_AS(read_user_experiments(user_files{}), value_error);
    CHECK(gene_axis_from_string("rows") == gene_axis::rows);
    CHECK(std::string(to_string(gene_axis::columns)) == "columns");
    CHECK_THROWS_AS(gene_axis_from_string("cols"), value_error);
    // Steady states only: the genes come from the first steady-state file.
    const experiment_set only = read_user_experiments(user_files{{}, {tmp.write("s.csv", "condition,B,A\nwt,1,2\n")}, "", ""});
    CHECK(only.genes == std::vector<std::string>{"B", "A"});
    CHECK(!only.has(experiment_kind::time_series));
}

KNIT_DREAM4_TEST_CASE("DREAM4 files through the table readers equal the DREAM4 readers") {
    const std::string root = knit::test::dream4_dir().value();
    for (int size : {10, 100}) {
        const std::string path = dream4_path(root, size, 1, dream4_file::time_series);
        check_same(read_time_series_table(path), read_time_series(path));
    }
    user_files files;
    files.time_series = {dream4_path(root, 10, 1, experiment_kind::time_series)};
    for (experiment_kind k : {experiment_kind::wildtype, experiment_kind::knockouts, experiment_kind::knockdowns,
                              experiment_kind::multifactorial})
        files.steady_states.push_back(dream4_path(root, 10, 1, k));
    const experiment_set mine = read_user_experiments(files);
    const experiment_set theirs = read_dream4_experiments(root, 10, 1);
    CHECK(mine.genes == theirs.genes);
    check_same(mine.time_series, theirs.time_series);
    for (experiment_kind k : {experiment_kind::wildtype, experiment_kind::knockouts, experiment_kind::knockdowns,
                              experiment_kind::multifactorial}) {
        REQUIRE(mine.steady_state(k) != nullptr);
        REQUIRE(theirs.steady_state(k) != nullptr);
        check_same(*mine.steady_state(k), *theirs.steady_state(k));
        CHECK(mine.file(k) == theirs.file(k));
    }
}
