// An autoencoder: an encoder and a decoder trained as one model on x -> x.
//
//   code = encoder(x)        (N, ...) -> (N, code...)
//   x^   = decoder(code)     (N, code...) -> (N, ...), the input's shape
//   loss = L(x^, x), typically mean squared error; gradients flow through both halves.
//
// Both halves are sequential models built by the caller, then handed over; inside, they
// are two layers of one sequential model, so they share one flat parameter buffer and
// fit / evaluate / save / load work on model() as on any model. After training,
// encode() runs the encoder alone (the paper's 3-D gene codes) and reconstruct() both.
#pragma once

#include <memory>

#include "knit/nn/sequential.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::nn {

template <class T>
class autoencoder {
public:
    autoencoder(std::unique_ptr<sequential<T>> encoder, std::unique_ptr<sequential<T>> decoder)
        : model_(encoder ? encoder->declared_input_shape() : shape_t{1}) {
        KNIT_CHECK(encoder && decoder, "autoencoder: got a null encoder or decoder, expected both");
        KNIT_CHECK_AS(shape_error, decoder->declared_input_shape() == encoder->current_output_shape(),
                      "autoencoder decoder input: got " << shape_to_string(decoder->declared_input_shape())
                                                        << ", expected the encoder's output "
                                                        << shape_to_string(encoder->current_output_shape()));
        KNIT_CHECK_AS(shape_error, decoder->current_output_shape() == encoder->declared_input_shape(),
                      "autoencoder decoder output: got " << shape_to_string(decoder->current_output_shape())
                                                         << ", expected the input shape "
                                                         << shape_to_string(encoder->declared_input_shape()));
        encoder_ = encoder.get();
        decoder_ = decoder.get();
        model_.add(std::unique_ptr<layer<T>>(std::move(encoder)));
        model_.add(std::unique_ptr<layer<T>>(std::move(decoder)));
    }

    void compile(std::uint64_t seed) { model_.compile(seed); }

    // The whole x -> x^ model, for fit / evaluate / save / load / summary.
    sequential<T>& model() { return model_; }
    const sequential<T>& model() const { return model_; }
    sequential<T>& encoder() { return *encoder_; }
    sequential<T>& decoder() { return *decoder_; }

    // Trains on x -> x.
    history fit(const tensor<T>& x, loss<T>& objective, optimizer<T>& opt, const fit_options<T>& o = {}) {
        return nn::fit(model_, x, x, objective, opt, o);
    }

    // The codes of x, in batches, at inference: (N, code...).
    tensor<T> encode(const tensor<T>& x, std::size_t batch_size = 256) { return predict(*encoder_, x, batch_size); }
    // The decoder's output for codes.
    tensor<T> decode(const tensor<T>& codes, std::size_t batch_size = 256) { return predict(*decoder_, codes, batch_size); }
    // x^ = decoder(encoder(x)).
    tensor<T> reconstruct(const tensor<T>& x, std::size_t batch_size = 256) { return predict(model_, x, batch_size); }

private:
    sequential<T> model_;
    sequential<T>* encoder_ = nullptr;
    sequential<T>* decoder_ = nullptr;
};

extern template class autoencoder<float>;
extern template class autoencoder<double>;

}  // namespace knit::nn
