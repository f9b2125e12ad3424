// Prediction lists: reader (CRLF, refusals; DREAM, arboreto and BEELINE forms), writer round
// trips in every form, rank_edges.
#include <doctest/doctest.h>

#include "support/parse_error.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"
#include "knit/grn/prediction.hpp"

using knit::grn::scored_edge;

using knit::test::expect_parse_error;

namespace {

struct temp_file {
    std::string path;
    explicit temp_file(const std::string& name)
        : path((std::filesystem::temp_directory_path() /
                ("knit_test_pred_" + std::to_string(::getpid()) + "_" + name))
                   .string()) {}
    ~temp_file() { std::remove(path.c_str()); }
};

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<scored_edge> parse(const std::string& text) {
    return knit::grn::parse_prediction(text, "pred.txt");
}


}  // namespace

TEST_CASE("read_prediction: DREAM lines, CRLF, file order kept") {
    const auto edges = parse("G10\tG3\t0.783400\r\nG3\tG1\t0.499825\r\nG7\tG6\t0.9\r\n");
    REQUIRE(edges.size() == 3);
    CHECK(edges[0] == scored_edge{"G10", "G3", 0.7834});
    CHECK(edges[1] == scored_edge{"G3", "G1", 0.499825});
    CHECK(edges[2] == scored_edge{"G7", "G6", 0.9});  // not re-sorted: only order counts
    // LF, no final newline, spaces as separators, exponents, trailing empty lines.
    const auto more = parse("a b 1e-3\nc\td\t-2\n\r\n\n");
    REQUIRE(more.size() == 2);
    CHECK(more[0] == scored_edge{"a", "b", 1e-3});
    CHECK(more[1] == scored_edge{"c", "d", -2.0});
    // Self-loops and repeated pairs are read as they are (the scorer drops them).
    CHECK(parse("G1\tG1\t1\nG1\tG1\t0.5").size() == 2);
}

TEST_CASE("read_prediction refuses bad input with file, line and column") {
    expect_parse_error([] { parse(""); }, 1, 0, "empty prediction list");
    expect_parse_error([] { parse("\r\n\n"); }, 2, 0, "empty prediction list");
    expect_parse_error([] { parse("G1\tG2\t1\nG1\tG3\n"); }, 2, 0, "got 2 field");
    expect_parse_error([] { parse("G1\tG2\t1\t7\n"); }, 1, 0, "got 4 field");
    expect_parse_error([] { parse("G1\tG2\tabc\n"); }, 1, 7, "expected a finite confidence score");
    expect_parse_error([] { parse("G1\tG2\tnan\n"); }, 1, 7, "'nan'");
    expect_parse_error([] { parse("G1\tG2\tinf\n"); }, 1, 7, "finite");
    expect_parse_error([] { parse("G1\tG2\t1e999\n"); }, 1, 7, "finite");
    expect_parse_error([] { parse("G1\tG2\t\n"); }, 1, 7, "empty cell");
    expect_parse_error([] { parse("\tG2\t1\n"); }, 1, 1, "empty regulator");
    expect_parse_error([] { parse("G1\t\t1\n"); }, 1, 4, "empty target");
    expect_parse_error([] { parse("G1\tG2\t1\n\nG2\tG1\t0\n"); }, 2, 0, "empty line");
    expect_parse_error([] { parse(std::string("G1\tG2\t0.5\0", 10)); }, 1, 10, "got a NUL byte");
    CHECK_THROWS_AS(knit::grn::read_prediction("/nonexistent/knit/pred.txt"), knit::io_error);
}

TEST_CASE("write_prediction round-trips exactly through read_prediction") {
    knit::rng g(7);
    std::vector<scored_edge> edges;
    for (int i = 0; i < 500; ++i)
        edges.push_back({"G" + std::to_string(g.below(100) + 1), "g_" + std::to_string(i),
                         g.normal() * std::pow(10.0, g.uniform(-300, 300))});
    edges.push_back({"A", "B", 0.1});
    edges.push_back({"A", "B", -0.0});
    edges.push_back({"tf.1", "x-2", std::numeric_limits<double>::denorm_min()});
    edges.push_back({"TF", "T", std::numeric_limits<double>::max()});
    const temp_file file("round.txt");
    knit::grn::write_prediction(file.path, edges);
    const auto back = knit::grn::read_prediction(file.path);
    REQUIRE(back.size() == edges.size());
    for (std::size_t i = 0; i < edges.size(); ++i) CHECK(back[i] == edges[i]);
    CHECK_FALSE(std::filesystem::exists(file.path + ".knit-tmp"));

    // What the reader would refuse, the writer refuses first (and leaves the file alone).
    CHECK_THROWS_AS(knit::grn::write_prediction(file.path, {}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_prediction(file.path, {{"a b", "c", 1}}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_prediction(file.path, {{"a", "", 1}}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_prediction(file.path, {{"a", "c\n", 1}}), knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_prediction(file.path,
                                                {{"a", "b", std::numeric_limits<double>::quiet_NaN()}}),
                    knit::value_error);
    CHECK_THROWS_AS(knit::grn::write_prediction(file.path,
                                                {{"a", "b", std::numeric_limits<double>::infinity()}}),
                    knit::value_error);
    CHECK(knit::grn::read_prediction(file.path).size() == edges.size());
}

TEST_CASE("rank_edges: all ordered pairs, decreasing score, ties in (r, t) order") {
    const std::vector<std::string> genes{"A", "B", "C"};
    knit::tensor<double> scores = {{9.0, 0.5, 0.2},   // the diagonal never appears
                                   {0.5, 9.0, 0.7},
                                   {0.2, 0.5, 9.0}};
    const auto ranked = knit::grn::rank_edges(scores, genes);
    const std::vector<scored_edge> expected{{"B", "C", 0.7}, {"A", "B", 0.5}, {"B", "A", 0.5},
                                            {"C", "B", 0.5}, {"A", "C", 0.2}, {"C", "A", 0.2}};
    REQUIRE(ranked.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(ranked[i] == expected[i]);

    CHECK_THROWS_AS(knit::grn::rank_edges(scores, {"A", "B"}), knit::shape_error);
    knit::tensor<double> flat = knit::tensor<double>::from_shape({9});
    CHECK_THROWS_AS(knit::grn::rank_edges(flat, genes), knit::shape_error);
    scores(2, 0) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(knit::grn::rank_edges(scores, genes), knit::value_error);
    scores(2, 0) = 0.2;
    scores(1, 1) = std::numeric_limits<double>::quiet_NaN();  // diagonal: ignored
    CHECK(knit::grn::rank_edges(scores, genes).size() == 6);
}

TEST_CASE("rank_pair_indices: the naive sort's order on 1 to 5 threads, top_k the head of it; write_ranked_pairs") {
    // 600 genes: 359,400 pairs, enough for the list to be sorted in up to 10 parts (so 3
    // and 5 threads leave a run over in a merge round); scores with many ties (quarters)
    // so the (r, t) tie-break is exercised across the parts.
    const std::size_t g = 600;
    std::vector<std::string> genes;
    for (std::size_t i = 0; i < g; ++i) genes.push_back("G" + std::to_string(i));
    knit::rng draws(5);
    knit::tensor<double> scores = knit::tensor<double>::from_shape({g, g});
    for (auto& v : scores) v = std::floor(draws.uniform() * 40.0) / 4.0;
    // The naive reference: every off-diagonal pair, one stable sort by decreasing score.
    std::vector<std::size_t> naive;
    for (std::size_t r = 0; r < g; ++r)
        for (std::size_t t = 0; t < g; ++t)
            if (r != t) naive.push_back(r * g + t);
    const double* s = scores.data();
    std::stable_sort(naive.begin(), naive.end(), [s](std::size_t a, std::size_t b) { return s[a] > s[b]; });
    for (std::size_t threads : {1u, 2u, 3u, 5u}) {
        INFO("threads " << threads);
        CHECK(knit::grn::rank_pair_indices(scores, genes, 0, threads) == naive);
        // A short top-k (partial sorts) and a long one (radix passes, then cut).
        for (std::size_t top_k : {std::size_t(1000), std::size_t(100000)}) {
            INFO("top_k " << top_k);
            const auto top = knit::grn::rank_pair_indices(scores, genes, top_k, threads);
            CHECK(top == std::vector<std::size_t>(naive.begin(), naive.begin() + std::ptrdiff_t(top_k)));
        }
    }
    // A subset of pairs: the naive order restricted to it.
    std::vector<std::size_t> some, expected;
    for (std::size_t k = 0; k < g * g; k += 7)
        if (k / g != k % g) some.push_back(k);
    for (std::size_t k : naive)
        if (k % 7 == 0) expected.push_back(k);
    CHECK(knit::grn::rank_pair_indices(scores, genes, some, 0, 2) == expected);
    CHECK_THROWS_AS(knit::grn::rank_pair_indices(scores, genes, {3, 1}, 0), knit::value_error);    // not increasing
    CHECK_THROWS_AS(knit::grn::rank_pair_indices(scores, genes, {g + 1}, 0), knit::value_error);   // diagonal
    CHECK_THROWS_AS(knit::grn::rank_pair_indices(scores, genes, 0, 0), knit::value_error);          // 0 threads

    // The file: the bytes write_edges writes for the same edges, in every format.
    const auto order = knit::grn::rank_pair_indices(scores, genes, 200000, 2);
    std::vector<scored_edge> edges;
    for (std::size_t k : order) edges.push_back({genes[k / g], genes[k % g], s[k]});
    for (auto format : {knit::grn::edge_format::dream, knit::grn::edge_format::arboreto, knit::grn::edge_format::beeline}) {
        temp_file a("ranked_a.tsv"), b("ranked_b.tsv");
        knit::grn::write_edges(a.path, edges, format);
        knit::grn::write_ranked_pairs(b.path, scores, genes, order, format, 3);
        CHECK(read_text(a.path) == read_text(b.path));
        CHECK(read_text(b.path).size() > 200000 * 8);
    }
    // A bad name deep in the list is named by its edge index, as the one-pass writer does.
    genes[299] = "bad name";
    temp_file c("ranked_c.tsv");
    try {
        knit::grn::write_ranked_pairs(c.path, scores, genes, order, knit::grn::edge_format::dream, 2);
        FAIL("expected a refusal");
    } catch (const knit::value_error& e) {
        std::size_t first = 0;
        while (order[first] / g != 299 && order[first] % g != 299) ++first;
        const std::string what = e.what();
        CHECK(what.find("at edge " + std::to_string(first) + ",") != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(c.path));
}

TEST_CASE("sort_by_score is stable") {
    std::vector<scored_edge> edges{{"a", "b", 1}, {"c", "d", 3}, {"e", "f", 1}, {"g", "h", 3}};
    knit::grn::sort_by_score(edges);
    CHECK(edges[0].regulator == "c");
    CHECK(edges[1].regulator == "g");
    CHECK(edges[2].regulator == "a");
    CHECK(edges[3].regulator == "e");
    edges[1].score = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(knit::grn::sort_by_score(edges), knit::value_error);
}

// ---- arboreto and BEELINE lists ------------------------------------------------------

TEST_CASE("edge formats: names, and an unknown name lists the valid ones") {
    using knit::grn::edge_format;
    for (edge_format f : {edge_format::dream, edge_format::arboreto, edge_format::beeline})
        CHECK(knit::grn::edge_format_from_string(knit::grn::to_string(f)) == f);
    CHECK(std::string(knit::grn::to_string(edge_format::beeline)) == "beeline");
    try {
        knit::grn::edge_format_from_string("genie3");
        FAIL("expected a value_error");
    } catch (const knit::value_error& e) {
        CHECK(std::string(e.what()).find("got 'genie3', expected dream, arboreto or beeline") != std::string::npos);
    }
}

TEST_CASE("read_prediction: arboreto and BEELINE headers are detected, rows keep file order") {
    using knit::grn::edge_format;
    edge_format format = edge_format::dream;
    // arboreto (GRNBoost2 / GENIE3 through arboreto): TAB-separated with a header.
    auto edges = knit::grn::parse_prediction("TF\ttarget\timportance\nG3\tG1\t0.2\nG1\tG2\t7.5\n", "a.tsv", format);
    CHECK(format == edge_format::arboreto);
    REQUIRE(edges.size() == 2);
    CHECK(edges[0] == scored_edge{"G3", "G1", 0.2});  // not re-sorted: 0.2 stays before 7.5
    CHECK(edges[1] == scored_edge{"G1", "G2", 7.5});
    // BEELINE rankedEdges.csv, comma form, CRLF, quoted header cells, any case.
    edges = knit::grn::parse_prediction("\"Gene1\",\"Gene2\",\"EdgeWeight\"\r\nA,B,1e-3\r\n\"C\",D,-2\r\n", "r.csv", format);
    CHECK(format == edge_format::beeline);
    REQUIRE(edges.size() == 2);
    CHECK(edges[0] == scored_edge{"A", "B", 1e-3});
    CHECK(edges[1] == scored_edge{"C", "D", -2.0});
    // BEELINE's own TAB-separated rankedEdges, and a lower-case arboreto header with commas.
    edges = knit::grn::parse_prediction("gene1\tgene2\tedgeweight\nX\tY\t0.5\n", "r.tsv", format);
    CHECK(format == edge_format::beeline);
    CHECK(edges.size() == 1);
    edges = knit::grn::parse_prediction("tf,TARGET,Importance\nX,Y,3\n\n", "a.csv", format);
    CHECK(format == edge_format::arboreto);
    CHECK(edges == std::vector<scored_edge>{{"X", "Y", 3.0}});
    // No header: DREAM, even when the regulator is named like a header's first cell.
    edges = knit::grn::parse_prediction("TF\tGene1\t0.5\nGene1\tTF\t0.25\n", "d.txt", format);
    CHECK(format == edge_format::dream);
    CHECK(edges == std::vector<scored_edge>{{"TF", "Gene1", 0.5}, {"Gene1", "TF", 0.25}});
    // A UTF-8 byte-order mark before the header is skipped.
    CHECK(knit::grn::parse_prediction("\xef\xbb\xbfGene1,Gene2,EdgeWeight\nA,B,1\n", "bom.csv", format).size() == 1);
    CHECK(format == edge_format::beeline);
}

TEST_CASE("read_prediction: bad headers and rows are parse errors with line and column") {
    auto p = [](const std::string& text) { return knit::grn::parse_prediction(text, "pred.txt"); };
    // A first line that starts like a header but is not one, at the first wrong cell.
    expect_parse_error([&] { p("TF\ttarget\tweight\nA\tB\t1\n"); }, 1, 11,
                       "got header cell 'weight', expected 'importance' of the arboreto header");
    expect_parse_error([&] { p("Gene1,Gene3,EdgeWeight\nA,B,1\n"); }, 1, 7,
                       "got header cell 'Gene3', expected 'Gene2' of the beeline header 'Gene1,Gene2,EdgeWeight'");
    expect_parse_error([&] { p("Gene1,Gene2\nA,B\n"); }, 1, 0, "got 2 header cell(s), expected the beeline header");
    expect_parse_error([&] { p("TF\tG2\tscore\n"); }, 1, 4, "expected 'target'");
    // A header and nothing else: refused like an empty file.
    expect_parse_error([&] { p("Gene1,Gene2,EdgeWeight\n"); }, 1, 0, "got a header and no edge");
    expect_parse_error([&] { p("TF\ttarget\timportance\n\n\n"); }, 3, 0, "got a header and no edge");
    // Rows must use the header's delimiter and hold 3 fields.
    expect_parse_error([&] { p("Gene1,Gene2,EdgeWeight\nA\tB\t1\n"); }, 2, 0,
                       "got 1 field(s), expected 'Gene1,Gene2,EdgeWeight' rows (comma-separated like the header on line 1)");
    expect_parse_error([&] { p("TF\ttarget\timportance\nA\tB\t1\tx\n"); }, 2, 0, "got 4 field(s)");
    expect_parse_error([&] { p("TF\ttarget\timportance\nA\tB\t1\n\nC\tD\t2\n"); }, 3, 0, "got an empty line between edges");
    expect_parse_error([&] { p("Gene1,Gene2,EdgeWeight\nA,B,high\n"); }, 2, 5, "got 'high', expected a finite confidence score");
    expect_parse_error([&] { p("Gene1,Gene2,EdgeWeight\nA,,1\n"); }, 2, 3, "got an empty target name");
    expect_parse_error([&] { p("Gene1,Gene2,EdgeWeight\n\"A B\",C,1\n"); }, 2, 1, "holding a space");
    expect_parse_error([&] { p("Gene1,Gene2,EdgeWeight\n\"A,B,1\n"); }, 2, 1, "unterminated quoted cell");
    // A comma-separated list without a header: the message says what is missing.
    expect_parse_error([&] { p("A,B,0.5\nC,D,0.25\n"); }, 1, 0, "needs the header Gene1,Gene2,EdgeWeight");
}

TEST_CASE("write_edges / format_edges round-trip exactly in all three formats") {
    using knit::grn::edge_format;
    knit::rng g(11);
    std::vector<scored_edge> edges;
    for (int i = 0; i < 300; ++i)
        edges.push_back({"G" + std::to_string(g.below(50) + 1), "t_" + std::to_string(i),
                         g.normal() * std::pow(10.0, g.uniform(-300, 300))});
    edges.push_back({"TF", "target", -0.0});  // header words as gene names
    edges.push_back({"Gene1", "Gene2", std::numeric_limits<double>::denorm_min()});
    edges.push_back({"a.b-c_d", "x", std::numeric_limits<double>::max()});
    const temp_file file("formats.txt");
    for (edge_format f : {edge_format::dream, edge_format::arboreto, edge_format::beeline}) {
        const std::string format_name = knit::grn::to_string(f);
        CAPTURE(format_name);
        knit::grn::write_edges(file.path, edges, f);
        const std::string text = read_text(file.path);
        CHECK(text == knit::grn::format_edges(edges, f));
        edge_format detected = edge_format::dream;
        const auto back = knit::grn::parse_prediction(text, file.path, detected);
        CHECK(detected == f);
        REQUIRE(back.size() == edges.size());
        for (std::size_t i = 0; i < edges.size(); ++i) CHECK(back[i] == edges[i]);
    }
    // The exact bytes of each form.
    const std::vector<scored_edge> two{{"G1", "G2", 0.5}, {"G2", "G1", 1e-07}};
    CHECK(knit::grn::format_edges(two, edge_format::dream) == "G1\tG2\t0.5\nG2\tG1\t1e-07\n");
    CHECK(knit::grn::format_edges(two, edge_format::arboreto) == "TF\ttarget\timportance\nG1\tG2\t0.5\nG2\tG1\t1e-07\n");
    CHECK(knit::grn::format_edges(two, edge_format::beeline) == "Gene1,Gene2,EdgeWeight\nG1,G2,0.5\nG2,G1,1e-07\n");
    // write_prediction is the DREAM form.
    knit::grn::write_prediction(file.path, two);
    CHECK(read_text(file.path) == "G1\tG2\t0.5\nG2\tG1\t1e-07\n");
    // Refused in every format: an empty list (a header alone would not read back), names
    // one of the forms cannot hold, non-finite scores; the file is left alone.
    for (edge_format f : {edge_format::dream, edge_format::arboreto, edge_format::beeline}) {
        const std::string format_name = knit::grn::to_string(f);
        CAPTURE(format_name);
        CHECK_THROWS_AS(knit::grn::write_edges(file.path, {}, f), knit::value_error);
        CHECK_THROWS_AS(knit::grn::format_edges({}, f), knit::value_error);
        for (const std::string& bad : std::vector<std::string>{"a,b", "a b", "a\tb", "a\"b", "a\nb", "", std::string("a\x01", 2), "\xef\xbb\xbf" "a"})
            CHECK_THROWS_AS(knit::grn::write_edges(file.path, {{"G1", "G2", 1}, {bad, "G2", 1}}, f), knit::value_error);
        CHECK_THROWS_AS(knit::grn::write_edges(file.path, {{"G1", "G2", std::nan("")}}, f), knit::value_error);
    }
    CHECK(read_text(file.path) == "G1\tG2\t0.5\nG2\tG1\t1e-07\n");
}
