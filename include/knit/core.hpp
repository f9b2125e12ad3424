// knit's core: tensors, errors, BLAS, randomness, parameter buffers, Eigen interop,
// atomic file writes, binary encoding, ranking metrics, a stopwatch, parallel_for and the
// ranks of a run (communicator; its MPI form is knit/mpi/communicator.hpp, not included).
#pragma once

#include "knit/core/atomic_file.hpp"
#include "knit/core/blas.hpp"
#include "knit/core/bytes.hpp"
#include "knit/core/communicator.hpp"
#include "knit/core/eigen.hpp"
#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"
#include "knit/core/params.hpp"
#include "knit/core/random.hpp"
#include "knit/core/ranking.hpp"
#include "knit/core/score_order.hpp"
#include "knit/core/stopwatch.hpp"
#include "knit/core/tensor.hpp"
#include "knit/version.hpp"
