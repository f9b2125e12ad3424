// knit's errors: one hierarchy rooted at knit::error, and two check macros.
//
// KNIT_CHECK is always on (release builds too): it guards user input and API misuse,
// and its message says what was received and what was expected ("got X, expected Y").
// KNIT_ASSERT guards internal invariants and compiles away unless KNIT_DEBUG is set
// or NDEBUG is not.
#pragma once

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>

namespace knit {

// Base of every exception knit throws on purpose.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A tensor of the wrong rank or extent reached an operation.
class shape_error : public error {
public:
    using error::error;
};

// A value is out of range: a negative rate, a non-finite loss, an unknown name.
class value_error : public error {
public:
    using error::error;
};

// A call in the wrong order, e.g. backward() before forward().
class state_error : public error {
public:
    using error::error;
};

// A file could not be opened, read or written, or its content is damaged.
class io_error : public error {
public:
    using error::error;
};

// A text file does not have the expected form. The message names the file, the line
// (1-based), the column (1-based, 0 when the whole line is at fault) and the expectation.
class parse_error : public io_error {
public:
    parse_error(std::string file, std::size_t line, std::size_t column, const std::string& what)
        : io_error(format(file, line, column, what)), file_(std::move(file)), line_(line),
          column_(column) {}
    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }
    std::size_t column() const noexcept { return column_; }

private:
    static std::string format(const std::string& file, std::size_t line, std::size_t column,
                              const std::string& what) {
        std::ostringstream out;
        out << file << ":" << line;
        if (column > 0) out << ":" << column;
        out << ": " << what;
        return out.str();
    }
    std::string file_;
    std::size_t line_;
    std::size_t column_;
};

namespace detail {
template <class Error>
[[noreturn]] inline void throw_check(const char* condition, const char* file, int line,
                                     const std::string& message) {
    std::ostringstream out;
    out << message << " [check `" << condition << "` at " << file << ":" << line << "]";
    throw Error(out.str());
}
}  // namespace detail

}  // namespace knit

// KNIT_CHECK(cond, stream-expression): throws knit::error with the streamed message.
// KNIT_CHECK_AS(ErrorType, cond, stream-expression): the same with a chosen subclass.
#define KNIT_CHECK_AS(ErrorType, cond, message)                                            \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::ostringstream knit_check_stream_;                                         \
            knit_check_stream_ << message;                                                 \
            ::knit::detail::throw_check<ErrorType>(#cond, __FILE__, __LINE__,              \
                                                   knit_check_stream_.str());              \
        }                                                                                  \
    } while (false)
#define KNIT_CHECK(cond, message) KNIT_CHECK_AS(::knit::error, cond, message)

#if defined(KNIT_DEBUG) || !defined(NDEBUG)
#define KNIT_ASSERT(cond) KNIT_CHECK_AS(::knit::error, cond, "internal invariant violated")
#else
#define KNIT_ASSERT(cond) ((void)0)
#endif
