// Text-parsing helpers of knit::grn's readers (see include/knit/grn/detail/text.hpp).
#include "knit/grn/detail/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "knit/core/error.hpp"

namespace knit::grn::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// 1-based line and column of byte `offset` of text.
std::pair<std::size_t, std::size_t> position_of(std::string_view text, std::size_t offset) {
    std::size_t line = 1, start = 0;
    for (std::size_t i = 0; i < offset; ++i)
        if (text[i] == '\n') ++line, start = i + 1;
    return {line, offset - start + 1};
}

}  // namespace

std::string shorten(std::string_view text) {
    std::string out;
    const std::size_t limit = 40;
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
            out += buffer;
        }
    }
    if (text.size() > limit) out += "...";
    return out;
}

std::string read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        throw io_error("cannot open '" + path + "' for reading: " + std::generic_category().message(err));
    }
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
        ::close(fd);
        throw io_error("cannot read '" + path + "': it is a directory, expected a file");
    }
    std::string out;
    if (info.st_size > 0) out.reserve(static_cast<std::size_t>(info.st_size));
    char buffer[65536];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            throw io_error("error while reading '" + path + "': " + std::generic_category().message(err));
        }
        if (n == 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (is_gzip(out)) return inflate_gzip(out, path);
    return out;
}

std::string_view text_body(std::string_view text, const std::string& source) {
    auto starts_with = [&](const char* bytes, std::size_t n) {
        return text.size() >= n && text.compare(0, n, std::string_view(bytes, n)) == 0;
    };
    if (starts_with("\xff\xfe", 2) || starts_with("\xfe\xff", 2))
        throw parse_error(source, 1, 1,
                          std::string("got UTF-16 text (byte-order mark ") +
                              (text[0] == '\xff' ? "FF FE, little-endian" : "FE FF, big-endian") +
                              "), expected UTF-8 or ASCII text (convert it, e.g. iconv -f UTF-16 -t UTF-8)");
    if (starts_with("\xef\xbb\xbf", 3)) text.remove_prefix(3);
    const std::size_t nul = text.find('\0');
    if (nul != std::string_view::npos) {
        const auto [line, column] = position_of(text, nul);
        throw parse_error(source, line, column,
                          "got a NUL byte, expected UTF-8 or ASCII text (is it UTF-16 without a "
                          "byte-order mark, or a binary file?)");
    }
    return text;
}

void check_gene_name(const field& cell, const std::string& file, std::size_t line_number) {
    if (cell.text.empty())
        throw parse_error(file, line_number, cell.column, "got an empty name, expected a gene name");
    for (char ch : cell.text) {
        const auto c = static_cast<unsigned char>(ch);
        const char* what = c == '\t'   ? "a TAB"
                           : c == '\r' ? "a carriage return"
                           : c == '\n' ? "a line feed"
                           : c == ','  ? "a comma"
                           : c == '"'  ? "a double quote"
                           : c == ' '  ? "a space"
                           : (c < 0x20 || c == 0x7f) ? "a control character"
                                                     : nullptr;
        if (what != nullptr)
            throw parse_error(file, line_number, cell.column,
                              "got gene name '" + shorten(cell.text) + "' holding " + what +
                                  ", expected a name without spaces, TABs, commas, quotes, line "
                                  "breaks or control characters (knit's DREAM lists and tables "
                                  "cannot hold them)");
    }
}

bool line_cursor::next(std::string_view& line) {
    if (position_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', position_);
    std::size_t after = end + 1;
    if (end == std::string_view::npos) end = after = text_.size();
    line = text_.substr(position_, end - position_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    position_ = after;
    ++line_number_;
    return true;
}

bool data_line_cursor::next(std::string_view& line) {
    std::size_t first_blank = 0;  // a blank line not yet followed by data
    while (lines_.next(line)) {
        if (is_blank(line)) {
            if (first_blank == 0) first_blank = lines_.line_number();
            continue;
        }
        if (first_blank != 0)
            throw parse_error(source_, first_blank, 0,
                              "got an empty line between " + between_ + ", expected " + expected_);
        return true;
    }
    return false;
}

bool is_blank(std::string_view line) {
    for (char c : line)
        if (!is_space(c)) return false;
    return true;
}

std::vector<field> split_fields(std::string_view line, char delimiter, const std::string& file,
                                std::size_t line_number) {
    std::vector<field> fields;
    const bool trim = delimiter != ' ' && delimiter != '\t';
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (true) {
        field cell;
        // Spaces before a cell are padding (a TAB is padding too unless it delimits).
        while (i < n && (line[i] == ' ' || (trim && line[i] == '\t'))) ++i;
        cell.column = i + 1;
        if (i < n && line[i] == '"') {
            cell.quoted = true;
            const std::size_t open = i++;
            bool closed = false;
            while (i < n) {
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        cell.text += '"';
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                cell.text += line[i++];
            }
            if (!closed)
                throw parse_error(file, line_number, open + 1,
                                  "got an unterminated quoted cell, expected a closing '\"'");
            while (i < n && line[i] != delimiter && (line[i] == ' ' || (trim && line[i] == '\t')))
                ++i;
            if (i < n && line[i] != delimiter)
                throw parse_error(file, line_number, i + 1,
                                  "got '" + shorten(line.substr(i, 1)) +
                                      "' after a closing quote, expected a delimiter or the end "
                                      "of the line");
        } else {
            const std::size_t start = i;
            while (i < n && line[i] != delimiter) ++i;
            std::size_t end = i;
            while (end > start && (line[end - 1] == ' ' || (trim && line[end - 1] == '\t'))) --end;
            cell.text.assign(line.substr(start, end - start));
        }
        fields.push_back(std::move(cell));
        if (i >= n) break;
        ++i;  // skip the delimiter; a delimiter at the end leaves one more (empty) cell
    }
    return fields;
}

namespace {

// Reads a finite double from the whole of `text`. Returns nullptr on success; otherwise why
// the text is refused: "" when it is simply not a number, else a short reason.
const char* read_finite_double(std::string_view text, double& out) {
    if (text.empty()) return "an empty cell";
    std::size_t i = 0;
    bool negative = false;
    if (text[i] == '+' || text[i] == '-') {
        negative = text[i] == '-';
        ++i;
    }
    // from_chars takes no sign of its own beyond '-', and hexadecimal only without "0x".
    std::chars_format format = std::chars_format::general;
    if (i + 1 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
        format = std::chars_format::hex;
        i += 2;
    }
    const std::string_view body = text.substr(i);
    if (body.empty() || body[0] == '+' || body[0] == '-') return "";
    double value = 0;
    const char* first = body.data();
    const char* last = body.data() + body.size();
    const auto result = std::from_chars(first, last, value, format);
    if (result.ec == std::errc::result_out_of_range) {
        // Underflow to a subnormal or zero is harmless; overflow is not finite. Decide by
        // re-reading with strtod semantics: a huge exponent overflows.
        const std::string copy(body);
        errno = 0;
        const double approx =
            std::strtod((format == std::chars_format::hex ? "0x" + copy : copy).c_str(), nullptr);
        value = approx;
        if (std::isinf(approx)) return "out of the range of a double";
        if (result.ptr != last) return "";
    } else if (result.ec != std::errc() || result.ptr != last) {
        return "";
    }
    if (!std::isfinite(value)) return "not finite";
    out = negative ? -value : value;
    return nullptr;
}

}  // namespace

double parse_finite_double(const field& cell, const std::string& file, std::size_t line_number,
                           const char* what) {
    double value = 0;
    const char* why = read_finite_double(cell.text, value);
    if (why == nullptr) return value;
    std::string message = "got '" + shorten(cell.text) + "'";
    if (*why != '\0') message += std::string(" (") + why + ")";
    message += std::string(", expected ") + what;
    throw parse_error(file, line_number, cell.column, message);
}

bool is_finite_number(std::string_view text) {
    double value = 0;
    return read_finite_double(text, value) == nullptr;
}

std::string format_double(double value) {
    std::string out;
    append_double(out, value);
    return out;
}

void append_double(std::string& out, double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    KNIT_ASSERT(result.ec == std::errc());
    out.append(buffer, result.ptr);
}

std::string quote(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

char detect_delimiter(std::string_view text) {
    line_cursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (is_blank(line)) continue;
        if (line.find('\t') != std::string_view::npos) return '\t';
        if (line.find(',') != std::string_view::npos) return ',';
        return '\t';
    }
    return '\t';
}

}  // namespace knit::grn::detail
