#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>

#include "knit/core/error.hpp"
#include "knit/grn/report.hpp"

using namespace knit::grn;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("tables align columns, right-align numbers, and write TSV") {
    table t({"network", "AUROC", "AUPR"});
    t.add_row({"N1", fixed(0.75712), fixed(0.1381)});
    t.add_row({"network-10", fixed(0.6), fixed(std::nan(""))});
    CHECK(t.to_text() ==
          "network     AUROC   AUPR\n"
          "------------------------\n"
          "N1          0.757  0.138\n"
          "network-10  0.600      -\n");
    CHECK(t.to_tsv() == "network\tAUROC\tAUPR\nN1\t0.757\t0.138\nnetwork-10\t0.600\t-\n");
    CHECK_THROWS_AS(t.add_row({"too", "short"}), knit::value_error);
    CHECK(scientific(1.23456e-5) == "1.23e-05");
}

TEST_CASE("line plots: one polyline per series, axes, labels, legend, escaped text") {
    plot_options o;
    o.title = "ROC <network 1> & more";
    o.x_label = "false positive rate";
    o.y_label = "true positive rate";
    o.x_min = o.y_min = 0;
    o.x_max = o.y_max = 1;
    o.diagonal = true;
    const std::string svg = svg_line_plot({{"rnn", {0, 0.5, 1}, {0, 0.8, 1}}, {"cnn", {0, 1}, {0, 1}}}, o);
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(svg.find("</svg>") != std::string::npos);
    CHECK(count(svg, "<polyline") == 3);  // two series and the diagonal
    CHECK(svg.find("ROC &lt;network 1&gt; &amp; more") != std::string::npos);
    CHECK(svg.find(">false positive rate<") != std::string::npos);
    CHECK(svg.find(">rnn<") != std::string::npos);
    CHECK(svg.find(">0.6<") != std::string::npos);  // a tick label (steps of 0.2)
    // Points map into the plot area: (0,0) is bottom-left, (1,1) top-right; the legend
    // (longest name "rnn", 3 characters) takes 40 + 7 * 3 = 61 px on the right.
    CHECK(svg.find("70.00,425.00") != std::string::npos);
    CHECK(svg.find("719.00,40.00") != std::string::npos);
    CHECK_THROWS_AS(svg_line_plot({{"bad", {0, 1}, {0}}}, o), knit::value_error);
}

TEST_CASE("histograms are densities of area one on common bins") {
    plot_options o;
    o.title = "lag-1 correlation";
    const std::string svg = svg_histograms({{"regulatory", {0.1, 0.2, 0.9, 0.95}}, {"non-regulatory", {0.1, 0.15, 0.2, 0.3, 0.25}}}, 4, o);
    CHECK(count(svg, "<polyline") == 2);
    CHECK(svg.find("regulatory (n=4)") != std::string::npos);
    CHECK(svg.find("non-regulatory (n=5)") != std::string::npos);
    CHECK(svg.find(">density<") != std::string::npos);
    // The drawn steps: every group's bars have area one, and the heights are count / (n width).
    const auto steps = histogram_steps({{"regulatory", {0.1, 0.2, 0.9, 0.95}},
                                        {"non-regulatory", {0.1, 0.15, 0.2, 0.3, 0.25}}}, 4);
    REQUIRE(steps.size() == 2);
    const double width = (0.95 - 0.1) / 4;
    for (const auto& s : steps) {
        CAPTURE(s.name);
        REQUIRE(s.x.size() == 2 * 4 + 2);
        double area = 0;
        for (std::size_t b = 0; b < 4; ++b) {
            CHECK(s.x[1 + 2 * b + 1] - s.x[1 + 2 * b] == doctest::Approx(width).epsilon(1e-12));
            area += (s.x[1 + 2 * b + 1] - s.x[1 + 2 * b]) * s.y[1 + 2 * b];
        }
        CHECK(area == doctest::Approx(1.0).epsilon(1e-12));
    }
    // regulatory: two values in the first bin, two in the last; 4 of 4 counted
    CHECK(steps[0].y[1] == doctest::Approx(2 / (4 * width)).epsilon(1e-12));
    CHECK(steps[0].y[3] == 0);
    CHECK(steps[0].y[7] == doctest::Approx(2 / (4 * width)).epsilon(1e-12));
    // non-regulatory: 0.1, 0.15, 0.2, 0.25 below 0.3125, then 0.3 as well: all five in bin 0
    CHECK(steps[1].y[1] == doctest::Approx(5 / (5 * width)).epsilon(1e-12));
    // A fixed range leaves values outside it out of n, and the area stays one.
    const auto clipped = histogram_steps({{"g", {0.0, 0.5, 2.0}}}, 2, 0.0, 1.0);
    CHECK(clipped[0].name == "g (n=2)");
    CHECK(clipped[0].y[1] * 0.5 + clipped[0].y[3] * 0.5 == doctest::Approx(1.0).epsilon(1e-12));
    // Degenerate input (no values, one value) still draws, without NaN coordinates.
    const std::string empty = svg_histograms({{"none", {}}, {"one", {0.5}}}, 3, o);
    CHECK(empty.find("nan") == std::string::npos);
    CHECK_THROWS_AS(svg_histograms({{"x", {1}}}, 0, o), knit::value_error);
}

TEST_CASE("long series are thinned, keeping the first and last points") {
    plot_series s{"long", {}, {}};
    for (int i = 0; i <= 10000; ++i) {
        s.x.push_back(i / 10000.0);
        s.y.push_back(i / 10000.0);
    }
    plot_options o;
    o.max_points = 100;
    const std::string svg = svg_line_plot({s}, o);
    const auto start = svg.find("points=\""), end = svg.find('"', start + 8);
    const std::string points = svg.substr(start + 8, end - start - 8);
    const auto pairs = std::count(points.begin(), points.end(), ',');
    CHECK(pairs >= 100);
    CHECK(pairs <= 102);
    CHECK(points.rfind("70.00,425.00", 0) == 0);                  // (0, 0)
    CHECK(points.find("712.00,40.00") != std::string::npos);      // (1, 1); legend "long": 68 px
}
