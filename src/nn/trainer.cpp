#include "knit/nn/trainer.hpp"

#include <unistd.h>

#include <cstdio>

namespace knit::nn {
namespace detail {

bool stdout_is_terminal() { return isatty(fileno(stdout)) == 1; }

void draw_progress(std::size_t epoch, std::size_t epochs, std::size_t done, std::size_t total,
                   double loss) {
    const int width = 30;
    const int filled = static_cast<int>(double(width) * double(done) / double(total));
    std::printf("\rEpoch %zu/%zu [", epoch + 1, epochs);
    for (int i = 0; i < width; ++i) std::putchar(i < filled ? '=' : (i == filled ? '>' : '.'));
    std::printf("] %zu/%zu loss %.4f", done, total, loss);
    std::fflush(stdout);
}

void end_progress(std::size_t epoch, std::size_t epochs, const epoch_record& r) {
    std::printf("\rEpoch %zu/%zu loss %.4f", epoch + 1, epochs, r.loss);
    for (const auto& [name, value] : r.metrics) std::printf(" %s %.4f", name.c_str(), value);
    if (!std::isnan(r.val_loss)) std::printf(" val_loss %.4f", r.val_loss);
    for (const auto& [name, value] : r.val_metrics) std::printf(" val_%s %.4f", name.c_str(), value);
    std::printf(" (%.2f s)%20s\n", r.seconds, "");
    std::fflush(stdout);
}

}  // namespace detail

template history fit<float>(sequential<float>&, const tensor<float>&, const tensor<float>&, loss<float>&,
                            optimizer<float>&, const fit_options<float>&);
template history fit<double>(sequential<double>&, const tensor<double>&, const tensor<double>&, loss<double>&,
                             optimizer<double>&, const fit_options<double>&);
template history fit<float>(sequential<float>&, batch_source<float>&, loss<float>&, optimizer<float>&,
                            const fit_options<float>&);
template history fit<double>(sequential<double>&, batch_source<double>&, loss<double>&, optimizer<double>&,
                             const fit_options<double>&);
template evaluation evaluate<float>(sequential<float>&, batch_source<float>&, loss<float>&, const std::vector<metric>&);
template evaluation evaluate<double>(sequential<double>&, batch_source<double>&, loss<double>&,
                                     const std::vector<metric>&);
}  // namespace knit::nn
