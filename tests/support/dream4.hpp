// Tests that need the DREAM4 files read them from $KNIT_DREAM4_DIR. Elsewhere they say
// so on stderr and skip themselves visibly (doctest reports them as skipped).
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

namespace knit::test {

inline std::optional<std::string> dream4_dir() {
    const char* dir = std::getenv("KNIT_DREAM4_DIR");
    if (dir == nullptr || *dir == '\0') return std::nullopt;
    return std::string(dir);
}

inline bool dream4_available() {
    static const bool available = [] {
        const bool have = dream4_dir().has_value();
        if (!have)
            std::cerr << "note: KNIT_DREAM4_DIR is unset; the DREAM4 tests are skipped\n";
        return have;
    }();
    return available;
}

}  // namespace knit::test

// A test case that needs the DREAM4 files: doctest reports it as skipped (and says why
// on stderr, once) when KNIT_DREAM4_DIR is unset. Inside, call dream4_dir().value().
#define KNIT_DREAM4_TEST_CASE(name) \
    TEST_CASE(name * doctest::skip(!::knit::test::dream4_available()))

// A DREAM4 test that trains on the full size-100 networks: as KNIT_DREAM4_TEST_CASE, and
// also skipped in sanitized builds (KNIT_SANITIZED), where it would take most of CI's time.
#ifdef KNIT_SANITIZED
#define KNIT_DREAM4_TRAINING_TEST_CASE(name) TEST_CASE(name * doctest::skip(true))
#else
#define KNIT_DREAM4_TRAINING_TEST_CASE(name) KNIT_DREAM4_TEST_CASE(name)
#endif
