// Runs f, which must throw knit::parse_error at (line, column) whose message contains
// `needle` and starts with "<file>:<line>", the position a user jumps to.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "knit/core/error.hpp"

namespace knit::test {

template <class F>
void expect_parse_error(F&& f, std::size_t line, std::size_t column, const std::string& needle) {
    try {
        f();
        FAIL("expected a parse_error containing '" << needle << "'");
    } catch (const knit::parse_error& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(e.line() == line);
        CHECK(e.column() == column);
        CHECK(what.find(needle) != std::string::npos);
        CHECK(what.rfind(e.file() + ":" + std::to_string(line), 0) == 0);
    }
}

}  // namespace knit::test
