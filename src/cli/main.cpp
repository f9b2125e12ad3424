// knit-grn: gene-regulatory-network inference from the command line.
//
//   knit-grn demo                       simulate, then evaluate everything (no downloads)
//   knit-grn reproduce                  the paper's protocol and models, beside its numbers
//   knit-grn evaluate --protocol lono   honest numbers with the DREAM metric
//   knit-grn infer --timeseries F       rank a user's own data with a shipped model
//   knit-grn baselines | train | predict | score | simulate
//
// Every subcommand has --help and accepts only its own options. Bad input and bad arguments
// print one line naming the problem ("knit-grn: error: ...") and exit with 2; --help and
// --version exit with 0; a bug (an exception knit did not mean to throw) exits with 3.
#include <unistd.h>

#include <csignal>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <cstdlib>
#include <iostream>
#include <new>

#include "knit/core/atomic_file.hpp"
#include "knit/core/blas.hpp"
#include "knit/grn/detail/text.hpp"

#include "common.hpp"
#include "knit/version.hpp"

namespace {

// "knit-grn: error: <what>" on stderr, one line, and exit code 2 (bad input or arguments).
int refuse(const std::string& what) {
    std::cerr << "knit-grn: error" << knit::cli::rank_label() << ": " << what << "\n";
    return 2;
}

// The subcommands that share their work over MPI ranks; the others run in one process.
bool shares_over_ranks(const std::string& subcommand) { return subcommand == "predict" || subcommand == "infer"; }

int run(int argc, char** argv);

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

int main(int argc, char** argv) {
    // Run on OpenBLAS's fast kernels when it fell back to its generic ones (see
    // knit::blas_core_override); the variable is read at load time, so start again.
    const std::string core = knit::blas_core_override();
    if (!core.empty() && setenv("OPENBLAS_CORETYPE", core.c_str(), 1) == 0) execv("/proc/self/exe", argv);
    // Ctrl-C or a kill by SIGTERM removes the temporary files of the writes in flight.
    knit::install_temporary_cleanup();
    // A reader that goes away (`knit-grn infer --out - | head`) makes writes fail, which
    // knit-grn reports, instead of killing it with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
    // Blocks of 4 MB and more come from mmap and go back to the system when freed. glibc
    // otherwise raises this threshold to the largest block freed so far, and a (G, G)
    // score matrix freed by one parallel task is then kept in that thread's arena, unused:
    // predict --threads 2 on 2,000 genes peaked at 450 MB instead of 370 MB.
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
    knit::cli::start_ranks(argc, argv);
    return knit::cli::finish_ranks(run(argc, argv));
}

namespace {

int run(int argc, char** argv) {
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
    knit::cli::add_infer(app);

    std::string names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
        known = known || (argc > 1 && sub->get_name() == argv[1]);
    }
    if (argc < 2) return refuse("got no subcommand, expected one of " + names + " (see knit-grn --help)");
    const std::string first = argv[1];
    if (!known && first.rfind("-", 0) != 0)
        return refuse("got unknown subcommand '" + knit::grn::detail::shorten(first) + "', expected one of " + names);
    const std::string help = known ? "knit-grn " + first + " --help" : "knit-grn --help";
    if (knit::cli::ranks().size() > 1 && known && !shares_over_ranks(first))
        return refuse("got " + std::to_string(knit::cli::ranks().size()) + " MPI ranks for '" +
                      knit::grn::detail::shorten(first) +
                      "', which runs in one process: only predict and infer share their work over ranks "
                      "(start it without mpirun, and use --threads)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ExtrasError& e) {
        // CLI11 lists the extra arguments backwards ("3 --seed"); name the first one instead.
        const std::vector<std::string> extras = known ? app.get_subcommand(first)->remaining() : app.remaining();
        std::string extra = extras.empty() ? std::string() : extras.front();
        for (const auto& arg : extras)
            if (arg.rfind("-", 0) == 0) {
                extra = arg;
                break;
            }
        const std::string who = known ? first : std::string("knit-grn");
        return refuse(extra.rfind("-", 0) == 0
                          ? "got option '" + knit::grn::detail::shorten(extra) + "', which " + who + " does not take (see " + help + ")"
                          : "got the extra argument '" + knit::grn::detail::shorten(extra) + "', expected options only (see " + help + ")");
    } catch (const CLI::ParseError& e) {
        // --help and --version: printed once, by rank 0, under mpirun.
        if (e.get_exit_code() == 0) return knit::cli::ranks().rank() == 0 ? app.exit(e) : 0;
        return refuse(first_line(e.what()) + " (see " + help + ")");
    } catch (const knit::error& e) {
        // The "[check `...` at file:line]" suffix helps developers, not users.
        std::string message = e.what();
        const auto where = message.find(" [check `");
        if (where != std::string::npos) message.erase(where);
        return refuse(message);
    } catch (const std::bad_alloc&) {
        // Not a bug and not bad input: the data are larger than the memory (no file was
        // written: outputs appear only by a final rename).
        std::cerr << "knit-grn: " << first << " ran out of memory" << knit::cli::rank_label();
        if (first == "predict" || first == "infer")
            std::cerr << ". Ranking all pairs of G genes holds about 10 G^2 numbers (320 MB at 2,000 genes, 32 GB at "
                         "20,000; docs/performance.md, 'All pairs at scale'), and each of the --threads tasks one "
                         "block of --block-rows pair rows (default 8192): lower --block-rows or --threads when the "
                         "blocks are what does not fit. For a genome, infer with context-mlp and --regulators "
                         "(--streaming, docs/infer.md) keeps no (G, G) matrix";
        std::cerr << ": run it on less data or on a machine with more memory\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << "knit-grn: internal error" << knit::cli::rank_label() << ": " << e.what() << "\n";
        return 3;
    }
    return 0;
}

}  // namespace
