// What fit() records: one row per epoch, and how the run ended.
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace knit::nn {

// One row per epoch. val_* are NaN when there is no validation data.
struct epoch_record {
    double loss = 0;
    double val_loss = std::numeric_limits<double>::quiet_NaN();
    std::map<std::string, double> metrics;      // e.g. "binary_accuracy", "roc_auc"
    std::map<std::string, double> val_metrics;
    double learning_rate = 0;  // the optimiser's learning rate during the epoch
    double seconds = 0;        // wall-clock time of the epoch, validation included
};

struct history {
    std::vector<epoch_record> epochs;
    std::size_t best_epoch = 0;        // index of the best monitored value (val_loss, else loss)
    bool stopped_early = false;        // early stopping ended the run
    bool stopped_on_nonfinite = false; // terminate_on_nan ended it at a non-finite batch loss
};

}  // namespace knit::nn
