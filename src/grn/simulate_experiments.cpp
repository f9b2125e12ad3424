// DREAM4-like experiments on a simulated network (wild type, knockouts, knockdowns,
// multifactorial, time series) and writing them in the DREAM4 layout (docs/simulator.md).
#include "knit/grn/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <utility>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"
#include "knit/grn/dream4.hpp"

namespace knit::grn {

// ---- DREAM4-like experiments ------------------------------------------------------------

namespace {

std::vector<double> mrna_of(const std::vector<double>& state, std::size_t n) {
    return std::vector<double>(state.begin(), state.begin() + static_cast<std::ptrdiff_t>(n));
}

double measured(double x, const experiment_options& o, rng& g) {
    double v = x;
    if (o.measurement_log_sd > 0) v *= std::exp(o.measurement_log_sd * g.normal());
    if (o.measurement_sd > 0) v += o.measurement_sd * g.normal();
    return std::max(0.0, v);
}

steady_state_data steady_rows(const network& net, const std::vector<std::vector<double>>& rows,
                              steady_state_kind kind, const experiment_options& o, rng& g) {
    steady_state_data d;
    d.genes = net.genes;
    d.kind = kind;
    d.values = tensor<double>::from_shape({rows.size(), net.size()});
    for (std::size_t e = 0; e < rows.size(); ++e)
        for (std::size_t i = 0; i < net.size(); ++i) d.values(e, i) = measured(rows[e][i], o, g);
    // Row g of a knockout or knockdown set perturbs gene g, as in DREAM4.
    if (kind == steady_state_kind::knockouts || kind == steady_state_kind::knockdowns)
        d.perturbed = one_row_per_gene(net.size());
    return d;
}

void divide(tensor<double>& t, double s) {
    for (auto& v : t) v /= s;
}

double max_of(const tensor<double>& t) {
    double m = 0;
    for (double v : t) m = std::max(m, v);
    return m;
}

}  // namespace

simulated_dataset simulate_dream4_like(const network& net, const experiment_options& o) {
    net.validate();
    const std::size_t n = net.size();
    const std::size_t series = o.time_series.value_or(n <= 10 ? 5 : 10);
    const std::size_t multifactorial = o.multifactorial.value_or(n);
    KNIT_CHECK_AS(value_error, o.time_points >= 2 || series == 0,
                  "simulate_dream4_like: got " << o.time_points << " time points, expected >= 2");
    KNIT_CHECK_AS(value_error, o.duration > 0 && o.release_time >= 0 && o.release_time <= o.duration,
                  "simulate_dream4_like: got duration " << o.duration << " and release_time "
                                                        << o.release_time
                                                        << ", expected 0 <= release_time <= duration");
    KNIT_CHECK_AS(value_error, o.perturbed_fraction >= 0 && o.perturbed_fraction <= 1,
                  "simulate_dream4_like: got perturbed_fraction " << o.perturbed_fraction
                                                                  << ", expected a value in [0, 1]");
    KNIT_CHECK_AS(value_error,
                  o.noise >= 0 && o.sde_step > 0 && o.measurement_log_sd >= 0 && o.measurement_sd >= 0 &&
                      o.multifactorial_sd >= 0,
                  "simulate_dream4_like: got noise " << o.noise << ", sde_step " << o.sde_step
                                                     << ", measurement sds " << o.measurement_log_sd << "/"
                                                     << o.measurement_sd << ", multifactorial_sd "
                                                     << o.multifactorial_sd
                                                     << ", expected sde_step > 0 and the rest >= 0");

    simulated_dataset out(net.edges());
    rng master(o.seed);
    rng measurement(master.split());

    const steady_state_result wild = steady_state(net, {}, {}, {}, 1e-10, 1e5, o.steady_states);
    if (!wild.converged) ++out.unconverged;
    const std::vector<double> wild_mrna = mrna_of(wild.state, n);

    // Every other experiment starts from the wild type and is independent of the rest. Each
    // is first set up here, its random perturbation drawn in the order of the serial code
    // (so each stream gives the same numbers); then the solves run as parallel_for tasks,
    // each writing its own slot; then the measurement noise is drawn in the old order from
    // the one `measurement` stream. The data are bit-identical for every o.threads.
    // A steady-state job holds only what the draws decided; its start state and perturbation
    // are built in its task, so memory stays at the size of the data (not solves x state).
    struct steady_job {
        double production_scale = 1;      // knockout 0, knockdown 0.5, of gene `gene`
        std::size_t gene = 0;
        std::vector<double> basal_shift;  // multifactorial: the shifts drawn (single-gene: empty)
        std::vector<double> mrna;         // the solve's result
        bool converged = false;
    };
    std::vector<steady_job> steady_jobs;
    for (const auto& [on, scale] : {std::pair{o.knockouts, 0.0}, std::pair{o.knockdowns, 0.5}})
        if (on)
            for (std::size_t g = 0; g < n; ++g) {
                steady_job job;
                job.production_scale = scale;
                job.gene = g;
                steady_jobs.push_back(std::move(job));
            }
    if (multifactorial > 0) {
        rng draws(master.split());
        for (std::size_t e = 0; e < multifactorial; ++e) {
            steady_job job;
            job.basal_shift.resize(n);
            for (auto& d : job.basal_shift) d = draws.normal(0.0, o.multifactorial_sd);
            steady_jobs.push_back(std::move(job));
        }
    }
    auto solve = [&](steady_job& job) {
        perturbation p;
        std::vector<double> start = wild.state;
        std::vector<std::size_t> genes;  // the genes that move; empty: all
        if (job.basal_shift.empty()) {
            p.production_scale.assign(n, 1.0);
            p.production_scale[job.gene] = job.production_scale;
            // A knocked-out gene's steady state is exactly 0 (no production, linear decay):
            // start it there rather than leave a decaying residue.
            if (job.production_scale == 0) {
                start[job.gene] = 0;
                if (net.protein) start[n + job.gene] = 0;
            }
            // Knockouts and knockdowns move only the genes downstream of the perturbed gene.
            genes = downstream_genes(net, job.gene);
        } else {
            p.basal_shift = std::move(job.basal_shift);
        }
        const auto r = steady_state(net, p, std::move(start), genes, 1e-10, 1e5, o.steady_states);
        job.converged = r.converged;
        job.mrna = mrna_of(r.state, n);
    };

    // The time series: their perturbations are drawn here too, and each series integrates
    // with its own `dynamics` stream, split from `master` in the serial order.
    std::vector<double> times(o.time_points), before, after{o.release_time};
    std::size_t early = 0;
    struct series_job {
        perturbation p;
        rng dynamics;
        tensor<double> first, second;
    };
    std::vector<series_job> series_jobs;
    if (series > 0) {
        for (std::size_t k = 0; k < o.time_points; ++k)
            times[k] = o.duration * static_cast<double>(k) / static_cast<double>(o.time_points - 1);
        // Sample times up to the release (plus the release itself when it is not one), then
        // from the release on.
        for (double t : times) (t <= o.release_time ? before : after).push_back(t);
        early = before.size();
        if (before.back() != o.release_time) before.push_back(o.release_time);
        for (std::size_t s = 0; s < series; ++s) {
            rng draws(master.split());
            series_job job{{}, rng(master.split()), {}, {}};
            job.p.basal_shift.assign(n, 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                const bool hit = draws.uniform() < o.perturbed_fraction;
                const double u = draws.uniform();  // drawn always, so the stream stays aligned
                if (hit) job.p.basal_shift[i] = u - net.basal_activation(i);
            }
            series_jobs.push_back(std::move(job));
        }
    }

    integration_options io;
    io.noise = o.noise;
    io.sde_step = o.sde_step;
    const std::size_t solves = steady_jobs.size();
    parallel_for(solves + series_jobs.size(), o.threads, [&](std::size_t t) {
        if (t < solves) return solve(steady_jobs[t]);
        series_job& job = series_jobs[t - solves];
        std::vector<double> state = wild.state;
        job.first = integrate(net, job.p, state, before, io, &job.dynamics);
        job.second = integrate(net, {}, state, after, io, &job.dynamics);
    });

    // Measured in the serial order: wild type, knockouts, knockdowns, multifactorial, series.
    if (o.wildtype) out.wildtype = steady_rows(net, {wild_mrna}, steady_state_kind::wildtype, o, measurement);
    std::size_t next_job = 0;
    auto rows_of = [&](std::size_t count) {
        std::vector<std::vector<double>> rows;
        for (std::size_t e = 0; e < count; ++e, ++next_job) {
            steady_job& job = steady_jobs[next_job];
            if (!job.converged) ++out.unconverged;
            rows.push_back(std::move(job.mrna));
        }
        return rows;
    };
    if (o.knockouts) out.knockouts = steady_rows(net, rows_of(n), steady_state_kind::knockouts, o, measurement);
    if (o.knockdowns) out.knockdowns = steady_rows(net, rows_of(n), steady_state_kind::knockdowns, o, measurement);
    if (multifactorial > 0)
        out.multifactorial =
            steady_rows(net, rows_of(multifactorial), steady_state_kind::multifactorial, o, measurement);

    out.time_series.genes = net.genes;
    for (const series_job& job : series_jobs) {
        time_series_experiment ex;
        ex.times = times;
        ex.values = tensor<double>::from_shape({times.size(), n});
        for (std::size_t k = 0; k < times.size(); ++k) {
            // Rows of `first` are the early samples; row 0 of `second` is the release.
            const double* src = k < early ? &job.first(k, 0) : &job.second(k - early + 1, 0);
            for (std::size_t i = 0; i < n; ++i) ex.values(k, i) = measured(src[i], o, measurement);
        }
        out.time_series.experiments.push_back(std::move(ex));
    }

    if (o.normalise) {
        double m = 0;
        for (const auto& ex : out.time_series.experiments) m = std::max(m, max_of(ex.values));
        for (const auto* d : {&out.wildtype, &out.knockouts, &out.knockdowns, &out.multifactorial})
            if (d->experiment_count() > 0) m = std::max(m, max_of(d->values));
        if (m > 0) {
            out.scale = m;
            for (auto& ex : out.time_series.experiments) divide(ex.values, m);
            for (auto* d : {&out.wildtype, &out.knockouts, &out.knockdowns, &out.multifactorial})
                if (d->experiment_count() > 0) divide(d->values, m);
        }
    }
    return out;
}

namespace {

void make_parent(const std::string& path) {
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    KNIT_CHECK_AS(io_error, !ec, "write_dataset: cannot create directory '" << parent.string() << "': "
                                                                            << ec.message());
}

}  // namespace

std::vector<std::string> write_dataset(const simulated_dataset& data, const std::string& root, int size_label,
                                       int network_index) {
    KNIT_CHECK_AS(value_error, size_label >= 1 && network_index >= 1,
                  "write_dataset: got size label " << size_label << " and network " << network_index
                                                   << ", expected both >= 1");
    std::vector<std::string> written;
    auto path_of = [&](dream4_file f) {
        std::string p = dream4_path(root, size_label, network_index, f);
        make_parent(p);
        written.push_back(p);
        return p;
    };
    if (data.time_series.experiment_count() > 0)
        write_time_series(data.time_series, path_of(dream4_file::time_series));
    const std::pair<const steady_state_data*, dream4_file> steady[] = {
        {&data.wildtype, dream4_file::wildtype},
        {&data.knockouts, dream4_file::knockouts},
        {&data.knockdowns, dream4_file::knockdowns},
        {&data.multifactorial, dream4_file::multifactorial}};
    for (const auto& [d, f] : steady)
        if (d->experiment_count() > 0) write_steady_state(*d, path_of(f));
    write_gold_standard(path_of(dream4_file::gold_standard), data.gold, true);
    if (data.gold.positives() > 0) write_signed_gold_standard(path_of(dream4_file::gold_standard_signed), data.gold);
    return written;
}

}  // namespace knit::grn
