// One use of every header of knit/core.hpp. Included after an umbrella header only (it
// includes nothing itself), so it compiles only when the umbrella brings every header.
#pragma once

namespace knit::test::umbrella {

// Returns the number of headers used, for the caller to check.
inline int use_core() {
    int used = 0;
    double c = 0;
    const double a = 2, b = 3;
    knit::gemm_reference(knit::transpose::no, knit::transpose::no, 1, 1, 1, 1.0, &a, 1, &b, 1, 0.0, &c, 1);  // blas.hpp
    used += c == 6;
    knit::byte_writer w;  // bytes.hpp
    w.u32(7);
    used += w.bytes().size() == 4;
    knit::tensor<double> t = knit::tensor<double>::from_shape({2, 2});  // tensor.hpp
    t.fill(1);
    used += knit::as_eigen(t).sum() == 4;  // eigen.hpp
    used += std::string(knit::value_error("x").what()) == "x";  // error.hpp
    used += knit::hardware_threads() >= 1;  // parallel.hpp
    used += knit::this_process().size() == 1;  // communicator.hpp
    knit::param_store<float> store;  // params.hpp
    used += store.size() == 0;
    knit::rng g(1);  // random.hpp
    used += g.uniform() < 1;
    used += knit::ranking::roc_auc({0.9, 0.1}, {1, 0}) == 1;  // ranking.hpp
    const double scores[] = {0.5, 2.0};
    std::vector<std::size_t> order = {0, 1};
    knit::order_by_decreasing_score(scores, order);  // score_order.hpp
    used += order.front() == 1;
    const knit::stopwatch clock;  // stopwatch.hpp
    used += clock.seconds() >= 0;
    used += std::string(knit::version).size() > 0;  // version.hpp
    return used + 1;  // tensor.hpp, used above
}

}  // namespace knit::test::umbrella
