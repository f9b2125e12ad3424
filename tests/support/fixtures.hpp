// Reads the fixtures written by tests/fixtures/fixture_io.py (format described there).
// Fixture files live in tests/fixtures/; KNIT_FIXTURE_DIR is set by tests/CMakeLists.txt.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "knit/core/error.hpp"
#include "knit/core/tensor.hpp"

namespace knit::test {

using fixture = std::map<std::string, tensor<double>>;

inline std::string fixture_path(const std::string& file) {
#ifdef KNIT_FIXTURE_DIR
    return std::string(KNIT_FIXTURE_DIR) + "/" + file;
#else
    return "tests/fixtures/" + file;
#endif
}

inline fixture load_fixture(const std::string& file) {
    const std::string path = fixture_path(file);
    std::ifstream in(path);
    KNIT_CHECK_AS(io_error, in.good(), "fixture: cannot open " << path);
    fixture out;
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream header(line);
        std::string name;
        std::size_t rank = 0;
        header >> name >> rank;
        shape_t shape(rank);
        for (auto& d : shape) header >> d;
        KNIT_CHECK_AS(io_error, !header.fail(), path << ":" << line_no << ": expected '<name> <rank> <dims...>'");
        std::string values;
        std::getline(in, values);
        ++line_no;
        std::istringstream data(values);
        tensor<double> t = tensor<double>::from_shape(shape);
        for (auto& v : t) data >> v;
        KNIT_CHECK_AS(io_error, !data.fail(),
                      path << ":" << line_no << ": expected " << t.size() << " values for " << name);
        out[name] = std::move(t);
    }
    return out;
}

inline const tensor<double>& get(const fixture& f, const std::string& name) {
    auto it = f.find(name);
    KNIT_CHECK_AS(io_error, it != f.end(), "fixture: no tensor named " << name);
    return it->second;
}

}  // namespace knit::test
