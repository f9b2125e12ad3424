#include <doctest/doctest.h>

#include "knit/core/eigen.hpp"
#include "knit/core/params.hpp"

using namespace knit;

TEST_CASE("param_store lays named views out contiguously, values beside gradients") {
    param_store<double> store;
    auto views = store.allocate({{"0.dense.weight", {{"weight"}, {3, 2}}}, {"0.dense.bias", {{"bias"}, {2}}}});
    REQUIRE(views.size() == 2);
    CHECK(store.size() == 8);
    CHECK(views[0].value == store.values());
    CHECK(views[1].value == store.values() + 6);
    CHECK(views[1].grad == store.grads() + 6);
    views[1].value[1] = 5;
    CHECK(store.view("0.dense.bias").values()(1) == 5);
    views[0].grad[0] = 1;
    store.zero_grad();
    CHECK(store.grads()[0] == 0);
    CHECK_THROWS_AS(store.view("nope"), value_error);
    CHECK_THROWS_AS(store.allocate({}), state_error);
}

TEST_CASE("Eigen maps share memory with knit tensors both ways") {
    tensor<double> t = {{1, 2, 3}, {4, 5, 6}};
    auto m = as_eigen(t);
    CHECK(m.rows() == 2);
    CHECK(m(1, 0) == 4);
    m(0, 2) = 30;  // written through Eigen, seen through the tensor
    CHECK(t(0, 2) == 30);

    eigen_row_matrix<double> e(2, 2);
    e << 1, 2, 3, 4;
    auto view = as_tensor(e);
    view(1, 1) = 40;  // written through xtensor, seen through Eigen
    CHECK(e(1, 1) == 40);

    Eigen::MatrixXd col_major(2, 3);
    col_major << 1, 2, 3, 4, 5, 6;
    tensor<double> copy = to_tensor(col_major);
    CHECK(copy(1, 2) == 6);
    CHECK(copy(0, 1) == 2);

    tensor<double> rank3 = tensor<double>::from_shape({2, 2, 2});
    CHECK_THROWS_AS(as_eigen(rank3), shape_error);
}

TEST_CASE("KNIT_CHECK messages say what was got and what was expected") {
    try {
        KNIT_CHECK_AS(shape_error, 2 == 3, "rank: got " << 2 << ", expected " << 3);
        FAIL("no throw");
    } catch (const shape_error& e) {
        CHECK(std::string(e.what()).find("rank: got 2, expected 3") == 0);
    }
    parse_error p("data.tsv", 12, 4, "expected a number");
    CHECK(std::string(p.what()) == "data.tsv:12:4: expected a number");
    CHECK(p.line() == 12);
}
