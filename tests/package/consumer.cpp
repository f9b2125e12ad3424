// A user's program: builds a tiny network through the installed (or embedded) knit,
// runs one training step and checks that the loss is finite, and scores a ranking with
// knit::grn. Exit code 0 means the package works end to end: headers, library, and
// transitive dependencies.
#include <knit/knit.hpp>

#include <cmath>
#include <cstdio>

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
    std::printf("knit %s: one step, loss %.4f; ROC AUC %.3f\n", knit::version, value, auc);
    return std::isfinite(value) && auc == 1.0 ? 0 : 1;
}
