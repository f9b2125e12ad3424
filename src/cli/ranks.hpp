// The processes one knit-grn run shares its work with. Built with -DKNIT_WITH_MPI=ON and
// started by an MPI launcher (mpirun, mpiexec, Slurm's srun), knit-grn is one of the job's
// ranks: predict and infer deal their pair blocks over the ranks, rank 0 writes the output
// and prints, and a rank that fails aborts the whole job (MPI_Abort) with its exit code.
// Otherwise, and always in a build without MPI, it is this process alone.
#pragma once

#include <cstddef>
#include <string>

#include "knit/core/communicator.hpp"

namespace knit::cli {

// Starts MPI when a launcher started this process (and knit-grn has MPI); call once, first.
void start_ranks(int& argc, char**& argv);
// The job's ranks (this process alone before start_ranks or without MPI).
communicator& ranks();
// --threads' default: the cores, shared out among the ranks on this machine.
std::size_t default_threads();
// Ends the run with `code`: MPI_Finalize when all went well; MPI_Abort with `code` when a
// rank of a multi-rank job failed, so that the other ranks do not wait for it forever.
int finish_ranks(int code);
// "" for one process, else " (rank k of K)", for messages.
std::string rank_label();

}  // namespace knit::cli
