// One use of every header of knit/grn.hpp (see uses_core.hpp).
#pragma once

namespace knit::test::umbrella {

inline int use_grn() {
    using namespace knit::grn;
    int used = 0;
    used += &format_time_series != nullptr;                                          // dream4.hpp
    used += &read_user_experiments != nullptr;                                       // expression_table.hpp
    used += &clr_normalise != nullptr;                                               // dynamics_features.hpp
    used += !baseline_names().empty();                                               // evaluation.hpp
    used += !evidence_family_names().empty();                                        // evidence_features.hpp
    used += experiment_kind_from_string("knockouts") == experiment_kind::knockouts;  // experiment_set.hpp
    used += gene_index({"A", "B"}).at("B") == 1;                                     // expression.hpp
    used += default_mutual_information_bins(100) > 0;                                // features.hpp
    used += gold_standard({"A", "B", "C"}).pairs() == 6;                             // gold_standard.hpp
    used += default_method({experiment_kind::time_series}) == "context-mlp";         // infer.hpp
    used += roc_auc({0.9, 0.1}, {1, 0}) == 1;                                        // metrics.hpp
    used += std::is_base_of_v<pair_model, ae_nn_model>;                              // models/ae_nn.hpp
    used += std::is_base_of_v<pair_model, cnn_model>;                                // models/cnn.hpp
    used += std::is_base_of_v<pair_model, context_mlp_model>;                        // models/context_mlp.hpp
    used += std::is_base_of_v<pair_model, evidence_mlp_model>;                       // models/evidence_mlp.hpp
    used += !pair_model_names().empty();                                             // models/pair_model.hpp
    used += std::is_base_of_v<pair_model, rnn_model>;                                // models/rnn.hpp
    used += pair_record().network == 0;                                              // pairs.hpp
    tensor<double> scores = tensor<double>::from_shape({2, 2});
    scores.fill(0.5);
    used += rank_edges(scores, {"A", "B"}).size() == 2;                              // prediction.hpp
    used += pair_split_options().balance_train;                                      // protocol.hpp
    used += fixed(0.5) == "0.500";                                                   // report.hpp
    used += network_options().genes == 100;                                          // simulate.hpp
    used += &path_explanation != nullptr;                                            // steady_state_features.hpp
    return used;
}

}  // namespace knit::test::umbrella
