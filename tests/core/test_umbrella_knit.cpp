// knit/knit.hpp alone brings all of core, nn and grn; and every public header on disk is
// in its umbrella (a header added without its umbrella line fails here).
#include <knit/knit.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "umbrella/uses_core.hpp"
#include "umbrella/uses_grn.hpp"
#include "umbrella/uses_nn.hpp"

TEST_CASE("umbrella knit/knit.hpp: every header of core, nn and grn") {
    CHECK(knit::test::umbrella::use_core() == 13);
    CHECK(knit::test::umbrella::use_nn() == 27);
    CHECK(knit::test::umbrella::use_grn() == 23);
}

TEST_CASE("umbrella headers list every public header in their folder (detail/ excepted)") {
    namespace fs = std::filesystem;
    const fs::path include = fs::path(KNIT_SOURCE_DIR) / "include";
    auto read = [](const fs::path& p) {
        std::ifstream f(p);
        return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    };
    for (const std::string area : {"core", "nn", "grn"}) {
        const std::string umbrella = read(include / "knit" / (area + ".hpp"));
        REQUIRE_FALSE(umbrella.empty());
        std::size_t headers = 0;
        for (const auto& entry : fs::recursive_directory_iterator(include / "knit" / area)) {
            const fs::path rel = fs::relative(entry.path(), include);
            if (!entry.is_regular_file() || rel.extension() != ".hpp" ||
                rel.generic_string().find("/detail/") != std::string::npos)
                continue;
            ++headers;
            CAPTURE(rel.generic_string());
            CHECK(umbrella.find("#include \"" + rel.generic_string() + "\"") != std::string::npos);
        }
        CHECK(headers == (area == "core" ? 13u : area == "nn" ? 28u : 25u));
    }
    const std::string all = read(include / "knit" / "knit.hpp");
    for (const char* area : {"core", "nn", "grn"})
        CHECK(all.find(std::string("#include \"knit/") + area + ".hpp\"") != std::string::npos);
}

TEST_CASE("no public nn or grn header includes Eigen (only core/eigen.hpp, the interop, does)") {
    namespace fs = std::filesystem;
    const fs::path include = fs::path(KNIT_SOURCE_DIR) / "include" / "knit";
    for (const char* area : {"nn", "grn"})
        for (const auto& entry : fs::recursive_directory_iterator(include / area)) {
            if (!entry.is_regular_file()) continue;
            std::ifstream f(entry.path());
            const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            CAPTURE(entry.path().string());
            CHECK(text.find("#include <Eigen") == std::string::npos);
        }
}
