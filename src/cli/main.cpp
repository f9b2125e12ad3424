// knit-grn: gene-regulatory-network inference from the command line.
//
//   knit-grn demo                       simulate, then evaluate everything (no downloads)
//   knit-grn reproduce                  the paper's protocol and models, beside its numbers
//   knit-grn evaluate --protocol lono   honest numbers with the DREAM metric
//   knit-grn baselines | train | predict | score | simulate
//
// Every subcommand has --help. Errors print one line naming the problem and exit with 2.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "knit/core/blas.hpp"

#include "common.hpp"
#include "knit/version.hpp"

int main(int argc, char** argv) {
    // Run on OpenBLAS's fast kernels when it fell back to its generic ones (see
    // knit::blas_core_override); the variable is read at load time, so start again.
    const std::string core = knit::blas_core_override();
    if (!core.empty() && setenv("OPENBLAS_CORETYPE", core.c_str(), 1) == 0) execv("/proc/self/exe", argv);

    CLI::App app{"knit-grn " + std::string(knit::version) +
                 ": gene-regulatory-network inference (DREAM4 data, the paper's models, honest evaluation)"};
    app.set_version_flag("--version", std::string(knit::version));
    app.require_subcommand(1);
    knit::cli::add_demo(app);
    knit::cli::add_reproduce(app);
    knit::cli::add_evaluate(app);
    knit::cli::add_baselines(app);
    knit::cli::add_train(app);
    knit::cli::add_predict(app);
    knit::cli::add_score(app);
    knit::cli::add_simulate(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const knit::error& e) {
        // The "[check `...` at file:line]" suffix helps developers, not users.
        std::string message = e.what();
        const auto where = message.find(" [check `");
        if (where != std::string::npos) message.erase(where);
        std::cerr << "knit-grn: error: " << message << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "knit-grn: internal error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
