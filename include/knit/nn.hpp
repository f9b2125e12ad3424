// Everything in knit::nn: layers, losses, optimisers, models, training, save/load.
#pragma once

#include "knit/nn/activations.hpp"
#include "knit/nn/autoencoder.hpp"
#include "knit/nn/branches.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/dropout.hpp"
#include "knit/nn/init.hpp"
#include "knit/nn/layer.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "knit/nn/sequential.hpp"
#include "knit/nn/serialize.hpp"
#include "knit/nn/trainer.hpp"
