// Reports: aligned text tables, TSV, and SVG plots (ROC / PR curves, the paper's Fig. 2
// score distributions), written without any plotting dependency.
//
// The SVG is plain and self-contained: axes with ticks, axis labels, a title, a legend,
// one polyline per series. Text is XML-escaped. Sizes are in CSS pixels.
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace knit::grn {

// A table of strings, printed with aligned columns or as TSV.
class table {
public:
    explicit table(std::vector<std::string> header);
    void add_row(std::vector<std::string> cells);  // refuses a row of another width
    const std::vector<std::string>& header() const { return header_; }
    const std::vector<std::vector<std::string>>& rows() const { return rows_; }
    // Columns padded to their widest cell; numbers (cells that parse as one) right-aligned.
    std::string to_text() const;
    std::string to_tsv() const;

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

// "0.7534" with `digits` decimals; NaN prints as "-".
std::string fixed(double value, int digits = 3);
// "1.2e-05" in scientific notation with `digits` significant digits; NaN prints as "-".
std::string scientific(double value, int digits = 3);

struct plot_series {
    std::string name;
    std::vector<double> x, y;
};

struct plot_options {
    std::string title;
    std::string x_label;
    std::string y_label;
    // Axis ranges; NaN means "from the data".
    double x_min = std::numeric_limits<double>::quiet_NaN();
    double x_max = std::numeric_limits<double>::quiet_NaN();
    double y_min = std::numeric_limits<double>::quiet_NaN();
    double y_max = std::numeric_limits<double>::quiet_NaN();
    bool diagonal = false;   // a dashed y = x reference line (ROC curves)
    // Longer series are thinned to about this many evenly spaced points (the first and
    // last kept), so a 9,900-point ROC curve stays a small file.
    std::size_t max_points = 1000;
    int width = 800;
    int height = 480;
};

// One polyline per series over common axes.
std::string svg_line_plot(const std::vector<plot_series>& series, const plot_options& options);

// The step lines svg_histograms draws: per group, the corners (x, y) of its density
// histogram on `bins` common bins over [x_min, x_max] (NaN: the finite values' range).
// Each bar's height is count / (n width), so a group's bars have area one; values
// outside the range or not finite are left out of n.
std::vector<plot_series> histogram_steps(const std::vector<std::pair<std::string, std::vector<double>>>& groups,
                                         std::size_t bins, double x_min = std::numeric_limits<double>::quiet_NaN(),
                                         double x_max = std::numeric_limits<double>::quiet_NaN());

// Overlaid density histograms (area 1 each) of several groups of values on common bins,
// drawn as step lines: the paper's Fig. 2 (regulatory vs non-regulatory pairs).
std::string svg_histograms(const std::vector<std::pair<std::string, std::vector<double>>>& groups,
                           std::size_t bins, const plot_options& options);

// The escaped form of text for SVG/XML content and attributes.
std::string xml_escape(const std::string& text);

}  // namespace knit::grn
