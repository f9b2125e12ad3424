// knit::communicator over an MPI communicator, for programs built with MPI (knit-grn with
// -DKNIT_WITH_MPI=ON, or your own program linked to MPI::MPI_CXX). Header-only, so that
// the knit library itself needs no MPI. The caller owns MPI_Init/MPI_Finalize and the
// MPI_Comm; every call goes through MPI's default error handler (a failed call aborts the
// job). Pieces of at most 2^30 bytes keep every count below MPI's int limit. gather() sends
// point to point with tag 7321 on the given communicator: if your program receives with
// MPI_ANY_TAG on it while knit works, give knit a duplicate (MPI_Comm_dup) instead.
//
//   knit::mpi_communicator ranks(MPI_COMM_WORLD);
//   grn::pair_scoring_options options;
//   options.ranks = &ranks;                      // each rank scores its share of the blocks
//   const auto scores = model->score_all_pairs(data, options);  // the same on every rank
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "knit/core/communicator.hpp"

namespace knit {

class mpi_communicator final : public communicator {
public:
    explicit mpi_communicator(MPI_Comm comm) : comm_(comm) {
        int r = 0, s = 0;
        MPI_Comm_rank(comm_, &r);
        MPI_Comm_size(comm_, &s);
        rank_ = std::size_t(r);
        size_ = std::size_t(s);
    }
    std::size_t rank() const override { return rank_; }
    std::size_t size() const override { return size_; }
    MPI_Comm comm() const { return comm_; }

    void broadcast(void* bytes, std::size_t count, std::size_t root) override {
        char* p = static_cast<char*>(bytes);
        for (std::size_t at = 0; at < count; at += piece)
            MPI_Bcast(p + at, int(std::min(piece, count - at)), MPI_BYTE, int(root), comm_);
    }
    void sum(double* values, std::size_t count) override {
        const std::size_t doubles = piece / sizeof(double);
        for (std::size_t at = 0; at < count; at += doubles)
            MPI_Allreduce(MPI_IN_PLACE, values + at, int(std::min(doubles, count - at)), MPI_DOUBLE, MPI_SUM, comm_);
    }
    std::vector<char> gather(const void* bytes, std::size_t count, std::size_t root) override {
        const char* p = static_cast<const char*>(bytes);
        std::uint64_t mine = count;
        if (rank_ != root) {
            MPI_Send(&mine, 1, MPI_UINT64_T, int(root), tag, comm_);
            for (std::size_t at = 0; at < count; at += piece)
                MPI_Send(p + at, int(std::min(piece, count - at)), MPI_BYTE, int(root), tag, comm_);
            return {};
        }
        std::vector<char> out;
        for (std::size_t from = 0; from < size_; ++from) {
            if (from == root) {
                out.insert(out.end(), p, p + count);
                continue;
            }
            std::uint64_t theirs = 0;
            MPI_Recv(&theirs, 1, MPI_UINT64_T, int(from), tag, comm_, MPI_STATUS_IGNORE);
            const std::size_t start = out.size();
            out.resize(start + std::size_t(theirs));
            for (std::size_t at = 0; at < theirs; at += piece)
                MPI_Recv(out.data() + start + at, int(std::min<std::size_t>(piece, theirs - at)), MPI_BYTE, int(from),
                         tag, comm_, MPI_STATUS_IGNORE);
        }
        return out;
    }

private:
    static constexpr std::size_t piece = std::size_t(1) << 30;
    static constexpr int tag = 7321;  // knit's gathers, apart from the program's own messages
    MPI_Comm comm_;
    std::size_t rank_ = 0, size_ = 1;
};

}  // namespace knit
