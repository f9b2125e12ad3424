// A user's program: builds a tiny network through the installed (or embedded) knit,
// runs one training step and checks that the loss is finite, scores a ranking with
// knit::grn, and reads a gzip-compressed expression table (so zlib must link). Exit code 0
// means the package works end to end: headers, library, and transitive dependencies.
#include <knit/knit.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

int main() {
    using namespace knit;
    nn::sequential<float> model({2});
    model.add(nn::dense<float>(4, nn::activation::tanh));
    model.add(nn::dense<float>(1, nn::activation::sigmoid));
    model.compile(7);
    tensor<float> x = {{0.f, 1.f}, {1.f, 0.f}};
    tensor<float> y = {1.f, 1.f};
    y.reshape({2, 1});
    nn::binary_crossentropy<float> loss;
    nn::adam<float> opt;
    const float value = model.train_step(x, y, loss, opt);
    const double auc = grn::roc_auc({0.9, 0.2, 0.4}, {1, 0, 1});  // knit::grn links too
    // gzip of "time,G1,G2\n0,1,2\n1,3,4\n".
    const unsigned char packed[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x2b, 0xc9, 0xcc, 0x4d, 0xd5,
                                    0x71, 0x37, 0xd4, 0x71, 0x37, 0xe2, 0x32, 0xd0, 0x31, 0xd4, 0x31, 0xe2, 0x32, 0xd4, 0x31,
                                    0xd6, 0x31, 0xe1, 0x02, 0x00, 0x15, 0x39, 0x35, 0xbe, 0x17, 0x00, 0x00, 0x00};
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("knit_consumer_" + std::to_string(::getpid()) + ".csv.gz")).string();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(packed), sizeof packed);
    const grn::time_series_data series = grn::read_time_series_table(path);
    std::filesystem::remove(path);
    const bool read = series.gene_count() == 2 && series.sample_count() == 2 && series.experiments[0].values(1, 1) == 4.0;
    std::printf("knit %s: one step, loss %.4f; ROC AUC %.3f; gzip table %s\n", knit::version, value, auc,
                read ? "read" : "NOT read");
    return std::isfinite(value) && auc == 1.0 && read ? 0 : 1;
}
