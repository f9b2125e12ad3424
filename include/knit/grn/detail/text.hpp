// Small text-parsing helpers shared by knit::grn's readers (expression files, gold
// standards, prediction lists). Everything reports problems as knit::parse_error with the
// file name, 1-based line and 1-based column, so a user can jump straight to the fault.
//
// The readers parse from memory (a whole file read at once), which keeps the parsers
// testable and fuzzable without touching the file system.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace knit::grn::detail {

// Reads a whole file into memory; throws knit::io_error naming the path and the cause when
// it cannot be opened or read, or is a directory. A gzip-compressed file (it starts with the
// magic bytes 1F 8B, whatever its name) is inflated, so every text reader takes `.gz` files.
// (Writers use knit::write_file_atomically, knit/core/atomic_file.hpp.)
std::string read_file(const std::string& path);

// True when `bytes` start with the gzip magic bytes 1F 8B.
bool is_gzip(std::string_view bytes);

// The most text a gzip file may inflate to (4 GiB): far beyond any expression table knit can
// model, and a bound on what a corrupt file or a zip bomb can make the reader allocate.
constexpr std::size_t max_inflated_bytes = std::size_t(1) << 32;

// Inflates gzip data (one member or several concatenated, as `cat a.gz b.gz` makes), in
// chunks, refusing to grow past `limit` bytes. Corrupt, truncated or oversized data, or bytes
// after the last member, are a knit::io_error naming `source` and what is wrong.
std::string inflate_gzip(std::string_view bytes, const std::string& source,
                         std::size_t limit = max_inflated_bytes);

// The text of a file as the parsers read it: a UTF-8 byte-order mark at the start is
// dropped; UTF-16 (a UTF-16 byte-order mark, or any NUL byte) is refused with a
// knit::parse_error that says so and where, so the message is never cut at a NUL.
std::string_view text_body(std::string_view text, const std::string& source);

// A name or cell as it goes into an error message: at most 40 characters, control and
// non-ASCII bytes escaped (\xNN), "..." when cut; so a huge or binary input still gives a
// short one-line message.
std::string shorten(std::string_view text);

// Walks the lines of a text: LF or CRLF endings (a lone trailing CR is dropped), a last
// line without a newline counts. next() returns false after the last line.
class line_cursor {
public:
    explicit line_cursor(std::string_view text) : text_(text) {}
    bool next(std::string_view& line);
    // 1-based number of the line returned by the last next().
    std::size_t line_number() const { return line_number_; }

private:
    std::string_view text_;
    std::size_t position_ = 0;
    std::size_t line_number_ = 0;
};

// The non-blank lines of a text whose blank lines may only trail (gold standards,
// prediction lists, densities): a blank line followed by more data is a parse_error at
// the blank line, "got an empty line between <between>, expected <expected>".
class data_line_cursor {
public:
    data_line_cursor(std::string_view text, const std::string& source, std::string between,
                     std::string expected)
        : lines_(text), source_(source), between_(std::move(between)), expected_(std::move(expected)) {}
    bool next(std::string_view& line);
    std::size_t line_number() const { return lines_.line_number(); }

private:
    line_cursor lines_;
    const std::string& source_;
    std::string between_, expected_;
};

// True for a line holding nothing but spaces and tabs.
bool is_blank(std::string_view line);

// One cell of a delimited line: its text (unquoted, "" inside quotes turned into ") and
// the 1-based column (byte offset + 1) where the cell starts.
struct field {
    std::string text;
    std::size_t column = 0;
    bool quoted = false;
};

// Splits a line at `delimiter`. A cell may be wrapped in double quotes (then it may hold
// the delimiter, and "" stands for one quote); spaces around a cell are ignored unless the
// delimiter is a space. An unterminated quote or text after a closing quote is a
// parse_error naming file, line and column.
std::vector<field> split_fields(std::string_view line, char delimiter, const std::string& file,
                                std::size_t line_number);

// Refuses (parse_error at the cell) a gene name that knit's outputs cannot hold: empty, or
// holding a TAB, CR, LF, comma, double quote, space or another control character. DREAM
// lists are TAB-separated with unquoted names, CSV tables comma-separated; refusing such a
// name when the file is read beats refusing the result after minutes of work.
void check_gene_name(const field& cell, const std::string& file, std::size_t line_number);

// Parses a finite double in any standard notation: 1, -2.5, +.5, 5., 1e-3, 1.5E+07,
// hexadecimal 0x1.8p3. Throws parse_error("got '<text>', expected <what>") for anything
// else, including inf, nan and values that overflow a double.
double parse_finite_double(const field& cell, const std::string& file, std::size_t line_number,
                           const char* what = "a finite number");

// True when `text` is what parse_finite_double accepts (no exception; detection code asks
// this of many cells).
bool is_finite_number(std::string_view text);

// Shortest text that reads back to exactly `value` (std::to_chars round trip).
std::string format_double(double value);
// The same characters appended to `out`, without a string of their own (the writers of
// long lists call it once a row).
void append_double(std::string& out, double value);

// `name` wrapped in double quotes, inner quotes doubled.
std::string quote(const std::string& name);

// Picks the delimiter of a delimited text from its first non-blank line: TAB if it holds
// one, else ',' if it holds one, else TAB.
char detect_delimiter(std::string_view text);

}  // namespace knit::grn::detail
