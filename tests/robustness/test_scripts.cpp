// Issue 20, case 1: the README's two commands in order (scripts/demo.sh, then
// scripts/test.sh) must end with the tests configured, whatever the demo cached.
#include <cstdio>
#include <string>

#include "knit_grn.hpp"

using namespace knit::test;

namespace {

// Runs a shell command in the source tree; returns its exit code.
int in_source(const std::string& command) {
    const std::string line = "cd '" KNIT_SOURCE_DIR "' && " + command + " >/dev/null 2>&1";
    const int status = std::system(line.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
