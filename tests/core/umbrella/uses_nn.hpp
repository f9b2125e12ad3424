// One use of every header of knit/nn.hpp (see uses_core.hpp).
#pragma once

namespace knit::test::umbrella {

inline int use_nn() {
    using namespace knit::nn;
    int used = 0;
    used += activation_from_string("relu") == activation::relu;                   // activations.hpp
    used += std::is_class_v<autoencoder<float>>;                                   // autoencoder.hpp
    used += bidirectional<float>(3).kind() == "bidirectional";                     // bidirectional.hpp
    used += branches<float>().kind() == "branches";                                // branches.hpp
    used += terminate_on_nan<float>().name() == "terminate_on_nan";                // callbacks.hpp
    used += training_state().epochs_done == 0;                                      // checkpoint.hpp
    used += conv2d<float>(2, extent2d{3, 3}).kind() == "conv2d";                   // conv2d.hpp
    used += !generator_options().shuffle;                                           // data_source.hpp
    used += dense<float>(2).kind() == "dense";                                     // dense.hpp
    used += dropout<float>(0.5).rate() == 0.5;                                     // dropout.hpp
    used += history().epochs.empty();                                               // history.hpp
    used += init::orthogonal().name() == "orthogonal(1)";                          // init.hpp
    used += mode::train != mode::infer;                                            // layer.hpp
    used += std::is_abstract_v<loss<float>>;                                       // loss.hpp
    used += mean_squared_error<float>().name() == "mean_squared_error";                          // losses.hpp
    used += lstm<float>(4).kind() == "lstm";                                       // lstm.hpp
    used += to_string(metric::roc_auc) == "roc_auc";                               // metrics.hpp
    used += adam<float>().name() == "adam";                                        // optim/adam.hpp
    used += optimizer_state<float>().steps == 0;                                    // optim/optimizer.hpp
    used += nn::detail::checked_learning_rate("sgd", 0.1) == 0.1;                  // optim/option_checks.hpp
    used += rmsprop<float>().name() == "rmsprop";                                  // optim/rmsprop.hpp
    used += sgd<float>().name() == "sgd";                                          // optim/sgd.hpp
    used += max_pool2d<float>(extent2d{2, 2}).kind() == "max_pool2d";              // pool2d.hpp
    used += flatten<float>().kind() == "flatten";                                  // reshape.hpp
    used += sequential<float>(shape_t{2}).size() == 0;                             // sequential.hpp
    used += model_format_version == 2;                                             // serialize.hpp
    used += fit_options<float>().epochs == 1;                                      // trainer.hpp
    return used;
}

}  // namespace knit::test::umbrella
