// Issue 20, case 4 (library side): knit::write_file_atomically and temporary_directory.
// Unique temporaries, whole files under concurrent writers, no leftovers on any error
// path, cleanup of writes in flight on a signal.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "knit/core/atomic_file.hpp"
#include "knit/core/error.hpp"
#include "knit_grn.hpp"

using namespace knit::test;

namespace {

// Names in a folder (hidden ones included).
std::set<std::string> entries(const std::string& folder) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(folder)) out.insert(e.path().filename().string());
    return out;
}

// The message of the io_error a write throws ("" when it does not throw).
std::string write_error(const std::string& path, const std::string& bytes) {
    try {
        knit::write_file_atomically(path, bytes);
    } catch (const knit::io_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("case 4: concurrent writers of one path always leave one whole file and no temporary") {
    const std::string dir = scratch("atomic_concurrent");
    const std::string path = dir + "/list.txt";
    // Each writer writes its own content, large enough that a torn write would show.
    std::vector<std::string> contents;
    for (char c : {'a', 'b', 'c', 'd'}) contents.push_back(std::string(200000, c) + "\n");
    std::atomic<bool> done{false};
    std::atomic<int> torn{0}, reads{0};
    std::thread reader([&] {
        while (!done.load()) {
            const std::string seen = read_bytes(path);
            if (seen.empty()) continue;  // not yet written
            ++reads;
            bool whole = false;
            for (const auto& c : contents) whole = whole || seen == c;
            if (!whole) ++torn;
        }
    });
    std::vector<std::thread> writers;
    for (const auto& c : contents)
        writers.emplace_back([&path, &c] {
            for (int i = 0; i < 25; ++i) knit::write_file_atomically(path, c);
        });
    for (auto& w : writers) w.join();
    done = true;
    reader.join();
    CHECK(torn.load() == 0);
    CHECK(reads.load() > 0);
    bool whole = false;
    for (const auto& c : contents) whole = whole || read_bytes(path) == c;
    CHECK(whole);
    CHECK(entries(dir) == std::set<std::string>{"list.txt"});  // no temporary left
    std::filesystem::remove_all(dir);
}

TEST_CASE("pieces written by 1, 2 and 3 threads in 8 MB chunks give the same file, the pieces in order") {
    const std::string dir = scratch("atomic_pieces");
    // A piece of 20 MB (three chunks), an empty one, small ones, and one of exactly 8 MB.
    std::string big(20u << 20, 'x'), exact(8u << 20, 'y');
    for (std::size_t i = 0; i < big.size(); i += 4093) big[i] = char('a' + i % 26);
    for (std::size_t i = 0; i < exact.size(); i += 1021) exact[i] = char('A' + i % 26);
    const std::vector<std::string_view> pieces{"head\n", big, "", exact, "tail\n"};
    std::string whole;
    for (const auto p : pieces) whole += p;
    for (std::size_t threads : {1u, 2u, 3u}) {
        CAPTURE(threads);
        const std::string path = dir + "/pieces" + std::to_string(threads) + ".txt";
        knit::write_file_atomically(path, pieces, threads);
        CHECK(read_bytes(path) == whole);
    }
    CHECK(entries(dir).size() == 3);  // no temporary left
    knit::write_file_atomically(dir + "/empty.txt", std::vector<std::string_view>{}, 2);
    CHECK(read_bytes(dir + "/empty.txt").empty());
}

TEST_CASE("case 4: every error path removes its temporary and names the path") {
    const std::string dir = scratch("atomic_errors");
    // A directory where the file should go: refused before anything is created.
    std::filesystem::create_directories(dir + "/taken");
    std::filesystem::create_directories(dir + "/taken_too/inside");
    const std::string directory = write_error(dir + "/taken", "x");
    CHECK(contains(directory, dir + "/taken"));
    CHECK(contains(directory, "is a directory"));
    // A folder that does not exist.
    const std::string missing = write_error(dir + "/missing/file.txt", "x");
    CHECK(contains(missing, dir + "/missing/file.txt"));
    CHECK(contains(missing, "No such file or directory"));
    // A name too long for the file system: the temporary (its name shortened) is written,
    // the rename fails, and the temporary is removed again.
    const std::string too_long = write_error(dir + "/" + std::string(300, 'n'), std::string(100000, 'x'));
    CHECK(contains(too_long, "cannot rename the temporary file"));
    CHECK(contains(too_long, "File name too long"));
    CHECK(entries(dir) == std::set<std::string>{"taken", "taken_too"});
    CHECK(entries(dir + "/taken_too") == std::set<std::string>{"inside"});
    // A new file gets the usual permissions, not mkstemp's 0600.
    knit::write_file_atomically(dir + "/new.txt", "x");
    const auto perms = std::filesystem::status(dir + "/new.txt").permissions();
    CHECK((perms & std::filesystem::perms::others_read) != std::filesystem::perms::none);
    std::filesystem::remove_all(dir);
}

TEST_CASE("case 4: a temporary folder is removed unless committed, and commit refuses a non-empty target") {
    const std::string dir = scratch("atomic_folder");
    {
        knit::temporary_directory staging(dir + "/set");
        write_bytes(staging.path() + "/a.txt", "a");
        CHECK(std::filesystem::path(staging.path()).parent_path() == std::filesystem::path(dir));
        CHECK(std::filesystem::path(staging.path()).filename().string().rfind(".set.knit-tmp-", 0) == 0);
    }  // not committed: gone
    CHECK(entries(dir).empty());
    {
        knit::temporary_directory staging(dir + "/set/");  // a trailing slash names the same folder
        write_bytes(staging.path() + "/a.txt", "a");
        staging.commit();
    }
    CHECK(read_bytes(dir + "/set/a.txt") == "a");
    {
        knit::temporary_directory staging(dir + "/set");
        write_bytes(staging.path() + "/b.txt", "b");
        CHECK_THROWS_AS(staging.commit(), knit::io_error);  // set/ holds a.txt
    }
    CHECK(entries(dir) == std::set<std::string>{"set"});
    CHECK(entries(dir + "/set") == std::set<std::string>{"a.txt"});
    std::filesystem::remove_all(dir);
}

TEST_CASE("case 4: remove_temporaries() deletes the writes in flight (what a signal handler calls)") {
    const std::string dir = scratch("atomic_signal");
    knit::temporary_directory staging(dir + "/set");
    std::filesystem::create_directories(staging.path() + "/size10/goldstandard");
    write_bytes(staging.path() + "/size10/goldstandard/g.tsv", "G1\tG2\t1\n");
    write_bytes(staging.path() + "/size10/x.tsv", "x");
    knit::remove_temporaries();
    CHECK(!std::filesystem::exists(staging.path()));
    CHECK(entries(dir).empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("same_file sees hard links and symbolic links, and nothing else") {
    const std::string dir = scratch("same_file");
    write_bytes(dir + "/a", "a");
    write_bytes(dir + "/b", "a");
    std::filesystem::create_hard_link(dir + "/a", dir + "/hard");
    std::filesystem::create_symlink(dir + "/a", dir + "/soft");
    CHECK(knit::same_file(dir + "/a", dir + "/hard"));
    CHECK(knit::same_file(dir + "/soft", dir + "/a"));
    CHECK(knit::same_file(dir + "/./a", dir + "/a"));
    CHECK_FALSE(knit::same_file(dir + "/a", dir + "/b"));  // equal bytes, another file
    CHECK_FALSE(knit::same_file(dir + "/a", dir + "/none"));
    std::filesystem::remove_all(dir);
}
