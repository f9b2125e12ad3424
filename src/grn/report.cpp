#include "knit/grn/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "knit/core/error.hpp"

namespace knit::grn {

table::table(std::vector<std::string> header) : header_(std::move(header)) {
    KNIT_CHECK_AS(value_error, !header_.empty(), "table: got no columns, expected at least one");
}

void table::add_row(std::vector<std::string> cells) {
    KNIT_CHECK_AS(value_error, cells.size() == header_.size(),
                  "table row: got " << cells.size() << " cells, expected " << header_.size());
    rows_.push_back(std::move(cells));
}

namespace {
bool looks_numeric(const std::string& s) {
    if (s.empty() || s == "-") return s == "-";
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end != nullptr && (*end == '\0' || (*end == '%' && end[1] == '\0') || (*end == 'x' && end[1] == '\0'));
}
}  // namespace

std::string table::to_text() const {
    const std::size_t columns = header_.size();
    std::vector<std::size_t> width(columns);
    std::vector<bool> numeric(columns, !rows_.empty());
    for (std::size_t c = 0; c < columns; ++c) width[c] = header_[c].size();
    for (const auto& r : rows_)
        for (std::size_t c = 0; c < columns; ++c) {
            width[c] = std::max(width[c], r[c].size());
            numeric[c] = numeric[c] && looks_numeric(r[c]);
        }
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < columns; ++c) {
            const std::string pad(width[c] - cells[c].size(), ' ');
            if (c > 0) out << "  ";
            // Numeric columns (header included) align right, so digits line up.
            if (numeric[c]) out << pad << cells[c];
            else out << cells[c] << (c + 1 < columns ? pad : "");
        }
        out << "\n";
    };
    line(header_);
    std::size_t total = 2 * (columns - 1);
    for (auto w : width) total += w;
    out << std::string(total, '-') << "\n";
    for (const auto& r : rows_) line(r);
    return out.str();
}

std::string table::to_tsv() const {
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? "\t" : "") << cells[c];
        out << "\n";
    };
    line(header_);
    for (const auto& r : rows_) line(r);
    return out.str();
}

std::string fixed(double value, int digits) {
    if (std::isnan(value)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return buf;
}

std::string scientific(double value, int digits) {
    if (std::isnan(value)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, value);
    return buf;
}

std::string xml_escape(const std::string& text) {
    std::string out;
    for (char ch : text) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += ch;
        }
    }
    return out;
}

namespace {

// Colour-blind-safe palette (Okabe & Ito 2008).
const char* const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};

// "Nice" tick positions covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double lo, double hi) {
    const double span = hi - lo;
    const double raw = span / 5;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = power;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * power) { step = m * power; break; }
    std::vector<double> out;
    const double first = std::ceil(lo / step - 1e-9);
    for (double i = first; i * step <= hi + step * 1e-9; i += 1) {
        const double t = i * step;  // a multiple, not a running sum, so no drift
        out.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
    }
    return out;
}

std::string number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

class canvas {
public:
    // legend_chars: the longest legend entry; the legend sits right of the plot area so
    // that it never hides a curve.
    canvas(const plot_options& o, double x0, double x1, double y0, double y1, std::size_t legend_chars)
        : o_(o), x0_(x0), x1_(x1), y0_(y0), y1_(y1) {
        KNIT_CHECK_AS(value_error, o.width >= 200 && o.height >= 150,
                      "plot size: got " << o.width << "x" << o.height << ", expected at least 200x150");
        const double legend = legend_chars ? std::min(0.45 * o.width, 40.0 + 7.0 * double(legend_chars)) : 0.0;
        left_ = 70, right_ = o.width - 20 - legend, top_ = 40, bottom_ = o.height - 55;
        out_ << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << o.width << "\" height=\"" << o.height
             << "\" viewBox=\"0 0 " << o.width << " " << o.height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
             << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
             << "<text x=\"" << o.width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">"
             << xml_escape(o.title) << "</text>\n";
        axes();
    }
    double px(double x) const { return left_ + (x - x0_) / (x1_ - x0_) * (right_ - left_); }
    double py(double y) const { return bottom_ - (y - y0_) / (y1_ - y0_) * (bottom_ - top_); }

    void polyline(const std::vector<double>& xs, const std::vector<double>& ys, const char* colour, bool dashed = false) {
        out_ << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"" << (dashed ? 1 : 2) << "\""
             << (dashed ? " stroke-dasharray=\"5,4\"" : "") << " points=\"";
        const std::size_t stride = std::max<std::size_t>(1, xs.size() / std::max<std::size_t>(o_.max_points, 2));
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (i % stride != 0 && i + 1 != xs.size()) continue;
            if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.2f,%.2f ", px(xs[i]), py(ys[i]));
            out_ << buf;
        }
        out_ << "\"/>\n";
    }
    void legend(const std::vector<std::string>& names) {
        double y = top_ + 8;
        for (std::size_t i = 0; i < names.size(); ++i, y += 18) {
            const double x = right_ + 14;
            out_ << "<line x1=\"" << x << "\" y1=\"" << y << "\" x2=\"" << x + 24 << "\" y2=\"" << y << "\" stroke=\""
                 << palette[i % 8] << "\" stroke-width=\"3\"/>\n"
                 << "<text x=\"" << x + 30 << "\" y=\"" << y + 4 << "\">" << xml_escape(names[i]) << "</text>\n";
        }
    }
    std::string finish() {
        out_ << "</svg>\n";
        return out_.str();
    }

private:
    void axes() {
        out_ << "<g stroke=\"#333\" stroke-width=\"1\">\n"
             << "<line x1=\"" << left_ << "\" y1=\"" << bottom_ << "\" x2=\"" << right_ << "\" y2=\"" << bottom_ << "\"/>\n"
             << "<line x1=\"" << left_ << "\" y1=\"" << top_ << "\" x2=\"" << left_ << "\" y2=\"" << bottom_ << "\"/>\n</g>\n";
        for (double t : ticks(x0_, x1_)) {
            out_ << "<line x1=\"" << px(t) << "\" y1=\"" << bottom_ << "\" x2=\"" << px(t) << "\" y2=\"" << bottom_ + 5
                 << "\" stroke=\"#333\"/>\n<text x=\"" << px(t) << "\" y=\"" << bottom_ + 18
                 << "\" text-anchor=\"middle\">" << number(t) << "</text>\n";
        }
        for (double t : ticks(y0_, y1_)) {
            out_ << "<line x1=\"" << left_ - 5 << "\" y1=\"" << py(t) << "\" x2=\"" << left_ << "\" y2=\"" << py(t)
                 << "\" stroke=\"#333\"/>\n<text x=\"" << left_ - 8 << "\" y=\"" << py(t) + 4
                 << "\" text-anchor=\"end\">" << number(t) << "</text>\n";
        }
        out_ << "<text x=\"" << (left_ + right_) / 2 << "\" y=\"" << o_.height - 15 << "\" text-anchor=\"middle\">"
             << xml_escape(o_.x_label) << "</text>\n"
             << "<text x=\"18\" y=\"" << (top_ + bottom_) / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
             << (top_ + bottom_) / 2 << ")\">" << xml_escape(o_.y_label) << "</text>\n";
    }

    const plot_options& o_;
    double x0_, x1_, y0_, y1_;
    double left_, right_, top_, bottom_;
    std::ostringstream out_;
};

// The range to draw: the option when given, else the data's, widened when empty.
std::pair<double, double> range(double want_lo, double want_hi, double data_lo, double data_hi) {
    double lo = std::isnan(want_lo) ? data_lo : want_lo;
    double hi = std::isnan(want_hi) ? data_hi : want_hi;
    if (!(lo < hi)) {  // no data, or a single value
        const double mid = std::isfinite(lo) ? lo : 0;
        lo = mid - 0.5;
        hi = mid + 0.5;
    }
    return {lo, hi};
}

}  // namespace

std::string svg_line_plot(const std::vector<plot_series>& series, const plot_options& o) {
    double xlo = HUGE_VAL, xhi = -HUGE_VAL, ylo = HUGE_VAL, yhi = -HUGE_VAL;
    for (const auto& s : series) {
        KNIT_CHECK_AS(value_error, s.x.size() == s.y.size(),
                      "plot series '" << s.name << "': got " << s.x.size() << " x and " << s.y.size()
                                      << " y values, expected as many of each");
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
            xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]);
            ylo = std::min(ylo, s.y[i]), yhi = std::max(yhi, s.y[i]);
        }
    }
    const auto [x0, x1] = range(o.x_min, o.x_max, xlo, xhi);
    const auto [y0, y1] = range(o.y_min, o.y_max, ylo, yhi);
    std::size_t legend_chars = 0;
    for (const auto& s : series) legend_chars = std::max(legend_chars, s.name.size());
    canvas c(o, x0, x1, y0, y1, legend_chars);
    if (o.diagonal) c.polyline({x0, x1}, {x0, x1}, "#999999", true);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < series.size(); ++i) {
        c.polyline(series[i].x, series[i].y, palette[i % 8]);
        names.push_back(series[i].name);
    }
    c.legend(names);
    return c.finish();
}

std::vector<plot_series> histogram_steps(const std::vector<std::pair<std::string, std::vector<double>>>& groups,
                                         std::size_t bins, double x_min, double x_max) {
    KNIT_CHECK_AS(value_error, bins > 0, "histogram bins: got 0, expected > 0");
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (const auto& [name, values] : groups)
        for (double v : values)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    const auto [x0, x1] = range(x_min, x_max, lo, hi);
    const double width = (x1 - x0) / double(bins);
    std::vector<plot_series> steps;
    for (const auto& [name, values] : groups) {
        std::vector<double> count(bins, 0.0);
        std::size_t counted = 0;
        for (double v : values) {
            if (!std::isfinite(v) || v < x0 || v > x1) continue;
            const std::size_t b = std::min(bins - 1, static_cast<std::size_t>((v - x0) / width));
            count[b] += 1;
            ++counted;
        }
        plot_series s{name + " (n=" + std::to_string(counted) + ")", {}, {}};
        s.x.push_back(x0);
        s.y.push_back(0);
        for (std::size_t b = 0; b < bins; ++b) {
            // count / (n width): the bars' areas sum to one
            const double d = counted ? count[b] / (double(counted) * width) : 0;
            s.x.insert(s.x.end(), {x0 + width * double(b), x0 + width * double(b + 1)});
            s.y.insert(s.y.end(), {d, d});
        }
        s.x.push_back(x1);
        s.y.push_back(0);
        steps.push_back(std::move(s));
    }
    return steps;
}

std::string svg_histograms(const std::vector<std::pair<std::string, std::vector<double>>>& groups,
                           std::size_t bins, const plot_options& o) {
    const std::vector<plot_series> steps = histogram_steps(groups, bins, o.x_min, o.x_max);
    double top = 0;
    for (const auto& s : steps)
        for (double d : s.y) top = std::max(top, d);
    plot_options po = o;
    po.x_min = steps.empty() ? o.x_min : steps.front().x.front();
    po.x_max = steps.empty() ? o.x_max : steps.front().x.back();
    if (std::isnan(po.y_min)) po.y_min = 0;
    if (std::isnan(po.y_max)) po.y_max = top > 0 ? top * 1.1 : 1;
    if (po.y_label.empty()) po.y_label = "density";
    return svg_line_plot(steps, po);
}

}  // namespace knit::grn
