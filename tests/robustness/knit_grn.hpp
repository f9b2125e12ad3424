// Helpers of the robustness tests: run the real knit-grn (stdout and stderr apart), make
// scratch folders and small data sets, and snapshot files to prove that no input changed.
#pragma once

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace knit::test {

inline bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

inline std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// A fresh, empty folder of its own for one test (unique per process: release and sanitizer
// builds may run at the same time).
inline std::string scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("knit_robustness_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

struct run_result {
    int code = -1;        // exit code; -signal when killed
    std::string out, err;  // stdout, stderr
};

// Runs `knit-grn <args>` through the shell (args are shell words) and waits; `environment`
// (shell assignments, such as "KNIT_SIMD=scalar") goes before the command.
inline run_result knit_grn(const std::string& args, const std::string& environment = "") {
    const std::string dir = std::filesystem::temp_directory_path().string();
    const std::string base = dir + "/knit_robustness_run_" + std::to_string(::getpid());
    const std::string command = (environment.empty() ? "" : environment + " ") + std::string(KNIT_GRN_BINARY) +
                                " " + args + " >" + base + ".out 2>" + base + ".err";
    const int status = std::system(command.c_str());
    run_result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_bytes(base + ".out");
    r.err = read_bytes(base + ".err");
    std::filesystem::remove(base + ".out");
    std::filesystem::remove(base + ".err");
    return r;
}

// Starts `knit-grn <args>` in the background (output discarded); returns its pid.
inline pid_t start_knit_grn(const std::string& args) {
    const std::string command = "exec " + std::string(KNIT_GRN_BINARY) + " " + args + " >/dev/null 2>&1";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

// Waits for a process; returns its exit code, or -signal when a signal ended it.
inline int wait_for(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1000;
}

// Every entry under a file or folder, hidden ones included: relative path -> bytes (a
// folder maps to "<dir>"). Equal snapshots mean nothing was changed, added or left behind.
inline std::map<std::string, std::string> snapshot(const std::string& root) {
    std::map<std::string, std::string> out;
    namespace fs = std::filesystem;
    if (!fs::exists(root)) return out;
    if (!fs::is_directory(root)) {
        out[""] = read_bytes(root);
        return out;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const std::string name = fs::relative(entry.path(), root).string();
        out[name] = entry.is_directory() ? std::string("<dir>") : read_bytes(entry.path().string());
    }
    return out;
}

// A small simulated DREAM4-layout data set: `networks` networks of `genes` genes.
inline std::string simulated_data(const std::string& folder, int genes = 10, int networks = 2) {
    const run_result r = knit_grn("simulate --json --genes " + std::to_string(genes) + " --networks " +
                                  std::to_string(networks) + " --seed 3 --out " + folder);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return folder;
}

inline std::string series_file(const std::string& data, int genes, int network) {
    return data + "/size" + std::to_string(genes) + "/insilico_size" + std::to_string(genes) + "_" +
           std::to_string(network) + "_timeseries.tsv";
}

inline std::string gold_file(const std::string& data, int genes, int network) {
    return data + "/size" + std::to_string(genes) + "/goldstandard/DREAM4_GoldStandard_InSilico_Size" +
           std::to_string(genes) + "_" + std::to_string(network) + ".tsv";
}

}  // namespace knit::test
