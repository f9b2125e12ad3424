#include "ranks.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "knit/core/parallel.hpp"

#ifdef KNIT_WITH_MPI
#include <memory>

#include "knit/mpi/communicator.hpp"
#endif

namespace knit::cli {
namespace {

#ifdef KNIT_WITH_MPI
std::unique_ptr<mpi_communicator> world;
std::size_t local_ranks = 1;

// Launchers that start MPI ranks set one of these: Open MPI's mpirun, PMIx (Open MPI 4,
// srun --mpi=pmix), PMI (MPICH's hydra, srun --mpi=pmi2). A knit-grn started by hand is
// not made an MPI singleton: MPI_Init would then start a runtime for nothing.
bool started_by_launcher() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(name)) return true;
    return false;
}
#endif

}  // namespace

void start_ranks(int& argc, char**& argv) {
#ifdef KNIT_WITH_MPI
    if (!started_by_launcher()) return;
    int provided = 0;
    // Only the main thread calls MPI; knit's task threads never do.
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    world = std::make_unique<mpi_communicator>(MPI_COMM_WORLD);
    // knit's task threads never call MPI, but MPI_THREAD_SINGLE promises there are none.
    if (provided < MPI_THREAD_FUNNELED && world->rank() == 0)
        std::cerr << "knit-grn: warning: this MPI gives no thread support (MPI_THREAD_FUNNELED); run with "
                     "--threads 1 to keep to one thread per rank\n";
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int here = 1;
    MPI_Comm_size(node, &here);
    MPI_Comm_free(&node);
    local_ranks = std::size_t(std::max(1, here));
#else
    (void)argc;
    (void)argv;
    // Started by mpirun but built without MPI: every process would do the whole job.
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* size = std::getenv(name); size && std::atoi(size) > 1) {
            std::cerr << "knit-grn: warning: started as one of " << size
                      << " MPI processes, but this knit-grn was built without MPI (-DKNIT_WITH_MPI=ON): each "
                         "process runs the whole job alone\n";
            break;
        }
#endif
}

communicator& ranks() {
#ifdef KNIT_WITH_MPI
    if (world) return *world;
#endif
    return this_process();
}

std::size_t default_threads() {
    std::size_t cores = std::min<std::size_t>(hardware_threads(), 1024);
#ifdef KNIT_WITH_MPI
    cores = std::max<std::size_t>(1, cores / local_ranks);
#endif
    return cores;
}

int finish_ranks(int code) {
#ifdef KNIT_WITH_MPI
    if (world) {
        if (code != 0 && world->size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
        world.reset();
        MPI_Finalize();
    }
#endif
    return code;
}

std::string rank_label() {
    const communicator& r = ranks();
    return r.size() == 1 ? "" : " (rank " + std::to_string(r.rank()) + " of " + std::to_string(r.size()) + ")";
}

}  // namespace knit::cli
