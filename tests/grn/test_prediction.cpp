// DREAM prediction lists: reader (CRLF, refusals), writer round trip, rank_edges.
#include <doctest/doctest.h>

#include "support/parse_error.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
