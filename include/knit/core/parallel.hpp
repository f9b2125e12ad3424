// knit's task layer: a flat loop of independent tasks over threads.
//
// parallel_for(count, threads, body) calls body(0), ..., body(count - 1), each exactly
// once, on at most `threads` threads (the calling thread is one of them), and returns when
// all have finished. Tasks are handed out one at a time in index order, so a long task
// does not hold up a queue of short ones. The contract:
//
//   requires  threads >= 1; body(i) for different i touch no shared mutable state (each
//             writes its own slot of a result vector, its own RNG, ...).
//   ensures   every index ran exactly once, unless a task threw: then the indices not yet
//             started are skipped, the others finish, and the exception of the lowest
//             index that threw is rethrown in the caller (the one a serial loop would
//             have met first).
//
// While the tasks run, OpenBLAS runs on one thread (its setting is process-wide: it is
// set before the tasks start and restored after they end), so the machine is not
// oversubscribed. This holds for threads == 1 too: multi-threaded OpenBLAS can move the
// last bits of a product, so tasks whose results are bit-identical for every `threads`
// must see the same BLAS whatever `threads` is. Every task runs with the caller's
// floating-point environment (rounding mode; on x86 MXCSR's flush-to-zero bits). With
// threads == 1 or count == 1 the tasks run in the calling thread, in index order; a
// parallel_for called from inside a task does too, and leaves BLAS alone. Because the BLAS
// setting is one for the process, two parallel_for calls from two of the program's own
// threads at once would restore it under each other: call it from one thread at a time
// (or set BLAS to one thread yourself, and it stays there).
//
// The threads are GCC's OpenMP (libgomp); OpenMP stays out of this header
// (docs/threads.md says why OpenMP and what the tasks may share).
#pragma once

#include <cstddef>
#include <functional>

namespace knit {

void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body);

// The same for tasks that call no BLAS (sorting, formatting, element-wise passes): the
// OpenBLAS setting is left alone, so with threads == 1 this is a plain loop in the calling
// thread that a program may run from several of its own threads at once.
void parallel_for_without_blas(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body);

// The cores this machine reports (std::thread::hardware_concurrency()), at least 1:
// knit-grn's default for --threads.
std::size_t hardware_threads();

// True on a thread that is running a parallel_for task.
bool in_parallel_task();

}  // namespace knit
