// Everything in knit::grn: expression data and the DREAM4 files, gold standards, pair
// records, protocols, features and classic scores, metrics, the models, the simulator,
// evaluations and reports. Its internals (knit/grn/detail/) are not part of the interface.
#pragma once

#include "knit/grn/dream4.hpp"
#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/evidence_features.hpp"
#include "knit/grn/experiment_set.hpp"
#include "knit/grn/expression.hpp"
#include "knit/grn/expression_table.hpp"
#include "knit/grn/features.hpp"
#include "knit/grn/gold_standard.hpp"
#include "knit/grn/infer.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/models/ae_nn.hpp"
#include "knit/grn/models/cnn.hpp"
#include "knit/grn/models/context_mlp.hpp"
#include "knit/grn/models/ensemble_scoring.hpp"
#include "knit/grn/models/evidence_mlp.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/grn/models/rnn.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/prediction.hpp"
#include "knit/grn/protocol.hpp"
#include "knit/grn/report.hpp"
#include "knit/grn/simulate.hpp"
#include "knit/grn/steady_state_features.hpp"
