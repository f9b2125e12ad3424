// Train an autoencoder that squeezes 21-point curves through a 3-D code (the shape of
// the paper's gene-series autoencoder), then use the encoder alone.
//
//   ./example_autoencoder
#include <knit/knit.hpp>
#include <knit/nn/autoencoder.hpp>

#include <cmath>
#include <cstdio>

int main() try {
    using namespace knit;
    // Data: noisy sine curves with two hidden factors, frequency and phase.
    const std::size_t n = 1000, points = 21;
    rng g(7);
    tensor<float> curves = tensor<float>::from_shape({n, points});
    for (std::size_t i = 0; i < n; ++i) {
        const double freq = g.uniform(0.5, 1.5), phase = g.uniform(0, 3);
        for (std::size_t t = 0; t < points; ++t)
            curves(i, t) = float(0.8 * std::sin(freq * 0.3 * double(t) + phase) + 0.03 * g.normal());
    }

    auto encoder = std::make_unique<nn::sequential<float>>(shape_t{points});
    encoder->add(nn::dense<float>(64, nn::activation::relu));
    encoder->add(nn::dense<float>(32, nn::activation::relu));
    encoder->add(nn::dense<float>(3, nn::activation::relu));  // the code
    auto decoder = std::make_unique<nn::sequential<float>>(shape_t{3});
    decoder->add(nn::dense<float>(32, nn::activation::relu));
    decoder->add(nn::dense<float>(64, nn::activation::relu));
    decoder->add(nn::dense<float>(points, nn::activation::tanh));
    nn::autoencoder<float> ae(std::move(encoder), std::move(decoder));
    ae.compile(/*seed=*/1);
    std::printf("%s\n", ae.model().summary().c_str());

    nn::mean_squared_error<float> mse;
    nn::adam<float> adam(nn::adam_options{2e-3});
    nn::fit_options<float> options;
    options.epochs = 60;
    options.batch_size = 32;
    options.validation_split = 0.2;
    const nn::history h = ae.fit(curves, mse, adam, options);
    std::printf("reconstruction MSE: %.4f -> %.4f (validation %.4f)\n", h.epochs.front().loss,
                h.epochs.back().loss, h.epochs.back().val_loss);

    const tensor<float> codes = ae.encode(curves);  // the encoder on its own
    std::printf("codes: %s; first curve -> (%.3f, %.3f, %.3f)\n", shape_to_string(codes.shape()).c_str(),
                codes(0, 0), codes(0, 1), codes(0, 2));
    return h.epochs.back().loss < h.epochs.front().loss ? 0 : 1;
} catch (const knit::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
}
