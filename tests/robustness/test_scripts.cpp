// Issue 20, case 1: the README's two commands in order (scripts/demo.sh, then
// scripts/test.sh) must end with the tests configured, whatever the demo cached.
// Issue 17: scripts/check-doc-numbers.py (reproduce-docs.sh's check) fails when a marked
// table holds a number its section's log does not print.
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

#include "knit_grn.hpp"

using namespace knit::test;

namespace {

// Runs a shell command in the source tree; returns its exit code.
int in_source(const std::string& command) {
    const std::string line = "cd '" KNIT_SOURCE_DIR "' && " + command + " >/dev/null 2>&1";
    const int status = std::system(line.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs a command in the source tree and returns its exit code and stdout.
std::pair<int, std::string> in_source_output(const std::string& command) {
    FILE* pipe = popen(("cd '" KNIT_SOURCE_DIR "' && " + command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string text;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    const int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

// "Total Tests: N" of `ctest -N` in a build folder.
int configured_tests(const std::string& build) {
    FILE* pipe = popen(("ctest --test-dir '" + build + "' -N 2>/dev/null").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string text;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    pclose(pipe);
    const auto at = text.find("Total Tests: ");
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + 13));
}

}  // namespace

TEST_CASE("case 1: scripts/test.sh configures the tests even after scripts/demo.sh turned them off") {
    const std::string build = scratch("case1_build");
    REQUIRE(in_source("KNIT_BUILD_DIR='" + build + "' scripts/demo.sh --configure-only") == 0);
    CHECK(configured_tests(build) == 0);  // what the demo leaves in the cache: no tests
    REQUIRE(in_source("KNIT_BUILD_DIR='" + build + "' scripts/test.sh --configure-only") == 0);
    CHECK(configured_tests(build) >= 5);  // core, nn, grn, cli, robustness, package...
    // And ctest itself refuses to call an empty run a success (test.sh and .ci/run pass
    // --no-tests=error and check the count).
    const std::string empty = scratch("case1_empty");
    CHECK(std::system(("ctest --test-dir '" + empty + "' --no-tests=error >/dev/null 2>&1").c_str()) != 0);
    std::filesystem::remove_all(build);
    std::filesystem::remove_all(empty);
}

TEST_CASE("issue 17: the docs check fails on a marked table's number that its section's log lacks") {
    const std::string dir = scratch("doc_numbers");
    // Line 4 holds 0.792 and 47.13; line 5 holds 0.246 / 0.701. The unmarked table's 9.999
    // is never checked, nor are integers (5, 32).
    write_bytes(dir + "/doc.md",
                "# doc\n\n<!-- reproduce-docs: lono -->\n| 32 | 0.792 | 47.13 |\n| 5 | 0.246 / 0.701 |\n\n"
                "| unmarked | 9.999 |\n");
    const std::string check = "/usr/bin/python3 scripts/check-doc-numbers.py --logs '" + dir + "' '" + dir + "/doc.md'";

    write_bytes(dir + "/lono.log", "commit abc\nmean 0.792 0.246 overall 47.13 0.701x\n");  // 0.701x: no token
    auto [code, out] = in_source_output(check);
    CHECK(code == 1);
    CHECK(contains(out, dir + "/doc.md:5: 0.701 (section lono)"));
    CHECK(!contains(out, "0.792 (section"));
    CHECK(!contains(out, "9.999"));

    write_bytes(dir + "/lono.log", "commit abc\nmean 0.792 0.246 overall 47.13, then 0.701.\n");
    std::tie(code, out) = in_source_output(check);
    CHECK(code == 0);
    CHECK(contains(out, "all 4 numbers found (1 table(s))"));

    // A requested section without a log is an error, not a pass.
    std::tie(code, out) = in_source_output(check + " --sections paper");
    CHECK(code == 2);
    std::filesystem::remove_all(dir);
}
