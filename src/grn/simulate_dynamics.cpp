// Dynamics of a simulated network: the ODE's right-hand side and its Jacobian, RK4 with
// step doubling, the chemical Langevin equation and steady states, by integration alone
// or finished with Newton's method (see docs/simulator.md).
#include "knit/grn/simulate.hpp"

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"

namespace knit::grn {

// ---- dynamics ---------------------------------------------------------------------------

namespace {

// The network flattened for the inner loops, with one perturbation applied.
class system {
public:
    system(const network& net, const perturbation& p) : n_(net.size()), protein_(net.protein) {
        net.validate();
        KNIT_CHECK_AS(value_error, p.production_scale.empty() || p.production_scale.size() == n_,
                      "perturbation: got " << p.production_scale.size()
                                           << " production scales, expected 0 or " << n_);
        KNIT_CHECK_AS(value_error, p.basal_shift.empty() || p.basal_shift.size() == n_,
                      "perturbation: got " << p.basal_shift.size() << " basal shifts, expected 0 or " << n_);
        scale_.assign(n_, 1.0);
        shift_.assign(n_, 0.0);
        for (std::size_t i = 0; i < p.production_scale.size(); ++i) {
            KNIT_CHECK_AS(value_error, p.production_scale[i] >= 0 && std::isfinite(p.production_scale[i]),
                          "perturbation: got production scale " << p.production_scale[i] << " for gene "
                                                                << i << ", expected a finite value >= 0");
            scale_[i] = p.production_scale[i];
        }
        for (std::size_t i = 0; i < p.basal_shift.size(); ++i) {
            KNIT_CHECK_AS(value_error, std::isfinite(p.basal_shift[i]),
                          "perturbation: got a non-finite basal shift for gene " << i);
            shift_[i] = p.basal_shift[i];
        }
        gene_module_begin_.push_back(0);
        module_input_begin_.push_back(0);
        for (const auto& kin : net.kinetics) {
            mrna_rate_.push_back(kin.mrna_degradation);
            protein_rate_.push_back(kin.protein_degradation);
            for (const auto& m : kin.modules) {
                off_.push_back(m.off);
                on_.push_back(m.on);
                for (const auto& in : m.inputs) {
                    regulator_.push_back(in.regulator);
                    inverse_k_.push_back(1.0 / in.k);
                    hill_n_.push_back(in.n);
                }
                module_input_begin_.push_back(regulator_.size());
            }
            gene_module_begin_.push_back(off_.size());
        }
    }

    std::size_t genes() const { return n_; }
    std::size_t state_size() const { return protein_ ? 2 * n_ : n_; }

    // clamp(f_i(y) + d_i, 0, 1): the fraction of maximal transcription of gene i.
    double activation(std::size_t i, const double* state) const {
        const double* level = protein_ ? state + n_ : state;
        double f = 1;
        for (std::size_t m = gene_module_begin_[i]; m < gene_module_begin_[i + 1]; ++m) {
            double bound = 1;
            for (std::size_t j = module_input_begin_[m]; j < module_input_begin_[m + 1]; ++j) {
                const double y = std::max(0.0, level[regulator_[j]]);
                const double nu = std::pow(y * inverse_k_[j], hill_n_[j]);
                bound *= nu / (1 + nu);
            }
            f *= off_[m] + (on_[m] - off_[m]) * bound;
        }
        return std::clamp(f + shift_[i], 0.0, 1.0);
    }

    // d a_i / d level_r for each regulator r of gene i, as (r, derivative) pairs appended to
    // out. With F_m = off_m + (on_m - off_m) B_m, B_m = prod_j h_j and h_j = nu/(1 + nu),
    // nu = (y_r / k)^n:  da/dy_r = sum_{m, j: r_j = r} prod_{m' != m} F_m' (on_m - off_m)
    // prod_{j' != j} h_j' dh_j/dy_r,  dh/dy = n nu / (y (1 + nu)^2)  (0 where y <= 0, and
    // 0 for every r where the clamp of f_i + d_i to [0, 1] is active).
    void activation_gradient(std::size_t i, const double* state,
                             std::vector<std::pair<std::size_t, double>>& out) const {
        const double* level = protein_ ? state + n_ : state;
        const std::size_t m0 = gene_module_begin_[i], m1 = gene_module_begin_[i + 1];
        hill_.clear();
        slope_.clear();
        factor_.clear();
        double f = 1;
        for (std::size_t m = m0; m < m1; ++m) {
            double bound = 1;
            for (std::size_t j = module_input_begin_[m]; j < module_input_begin_[m + 1]; ++j) {
                const double y = std::max(0.0, level[regulator_[j]]);
                const double nu = std::pow(y * inverse_k_[j], hill_n_[j]);
                hill_.push_back(nu / (1 + nu));
                slope_.push_back(y > 0 ? hill_n_[j] * nu / (y * (1 + nu) * (1 + nu)) : 0.0);
                bound *= hill_.back();
            }
            factor_.push_back(off_[m] + (on_[m] - off_[m]) * bound);
            f *= factor_.back();
        }
        const double a = f + shift_[i];
        if (a <= 0 || a >= 1) return;  // the clamp holds a_i still
        for (std::size_t m = m0; m < m1; ++m) {
            double others = 1;  // prod_{m' != m} F_m'
            for (std::size_t q = m0; q < m1; ++q)
                if (q != m) others *= factor_[q - m0];
            const std::size_t j0 = module_input_begin_[m], j1 = module_input_begin_[m + 1];
            const std::size_t base = j0 - module_input_begin_[m0];
            for (std::size_t j = j0; j < j1; ++j) {
                double rest = 1;  // prod_{j' != j} h_j'
                for (std::size_t q = j0; q < j1; ++q)
                    if (q != j) rest *= hill_[base + (q - j0)];
                out.emplace_back(regulator_[j], others * (on_[m] - off_[m]) * rest * slope_[base + (j - j0)]);
            }
        }
    }

    // The Jacobian of dX/dt over the state entries `entries` (positions: where[e] for an
    // entry e, -1 when the entry is held fixed), as triplets (row, column, value).
    void jacobian(const double* state, const std::vector<std::size_t>& genes, const std::vector<long>& where,
                  std::vector<Eigen::Triplet<double>>& out) const {
        std::vector<std::pair<std::size_t, double>> grad;
        for (std::size_t i : genes) {
            const long row = where[i];
            // d(m_i s_i a_i - m_i x_i)/dx_i = -m_i; d/dlevel_r = m_i s_i da_i/dy_r
            out.emplace_back(row, row, -mrna_rate_[i]);
            grad.clear();
            activation_gradient(i, state, grad);
            for (const auto& [r, d] : grad) {
                const long col = where[protein_ ? n_ + r : r];
                if (col >= 0) out.emplace_back(row, col, mrna_rate_[i] * scale_[i] * d);
            }
            if (protein_) {
                // d(p_i x_i - p_i y_i)/dx_i = p_i, /dy_i = -p_i
                const long prow = where[n_ + i];
                out.emplace_back(prow, row, protein_rate_[i]);
                out.emplace_back(prow, prow, -protein_rate_[i]);
            }
        }
    }

    // Production and degradation of every state entry of gene i (mRNA, then protein).
    void rates(std::size_t i, const double* state, double& mrna_production, double& mrna_decay,
               double& protein_production, double& protein_decay) const {
        mrna_production = mrna_rate_[i] * scale_[i] * activation(i, state);
        mrna_decay = mrna_rate_[i] * state[i];
        if (protein_) {
            protein_production = protein_rate_[i] * state[i];
            protein_decay = protein_rate_[i] * state[n_ + i];
        }
    }

    // out = dX/dt for the listed genes' entries (others untouched).
    void derivative(const double* state, const std::vector<std::size_t>& genes, double* out) const {
        for (std::size_t i : genes) {
            double pm, dm, pp = 0, dp = 0;
            rates(i, state, pm, dm, pp, dp);
            out[i] = pm - dm;
            if (protein_) out[n_ + i] = pp - dp;
        }
    }

    // The state indices of the listed genes.
    std::vector<std::size_t> entries(const std::vector<std::size_t>& genes) const {
        std::vector<std::size_t> e(genes);
        if (protein_)
            for (std::size_t i : genes) e.push_back(n_ + i);
        return e;
    }

private:
    std::size_t n_;
    bool protein_;
    std::vector<double> scale_, shift_, mrna_rate_, protein_rate_;
    std::vector<std::size_t> gene_module_begin_, module_input_begin_, regulator_;
    std::vector<double> off_, on_, inverse_k_, hill_n_;
    mutable std::vector<double> hill_, slope_, factor_;  // activation_gradient's scratch
};

// Classic RK4 with step doubling on a subset of the state (the rest is held fixed).
class rk4_integrator {
public:
    rk4_integrator(const system& sys, std::vector<std::size_t> genes, double tolerance)
        : sys_(sys), genes_(std::move(genes)), entries_(sys.entries(genes_)), tolerance_(tolerance) {
        const std::size_t s = sys.state_size();
        for (auto* b : {&k1_, &k2_, &k3_, &k4_, &tmp_, &full_, &half_, &slope0_}) b->assign(s, 0.0);
    }

    // dX/dt at x over the active entries, stored for the next step; returns max |dX/dt|.
    double slope(const std::vector<double>& x) {
        sys_.derivative(x.data(), genes_, slope0_.data());
        double m = 0;
        for (std::size_t e : entries_) m = std::max(m, std::abs(slope0_[e]));
        have_slope_ = true;
        return m;
    }

    // One adaptive step of at most h from x (updated); returns the step taken.
    double step(std::vector<double>& x, double h) {
        if (!have_slope_) slope(x);
        for (;;) {
            rk4(x, slope0_, h, full_);
            rk4(x, slope0_, h / 2, half_);
            sys_.derivative(half_.data(), genes_, k1_.data());
            rk4(half_, k1_, h / 2, half_);
            double err = 0;
            for (std::size_t e : entries_) err = std::max(err, std::abs(half_[e] - full_[e]) / 15);
            if (!(err > tolerance_) || h < 1e-9) {
                for (std::size_t e : entries_) x[e] = std::max(0.0, half_[e]);
                have_slope_ = false;
                suggested_ = h * (err > 0 ? std::clamp(0.9 * std::pow(tolerance_ / err, 0.2), 0.2, 4.0) : 4.0);
                return h;
            }
            h *= std::clamp(0.9 * std::pow(tolerance_ / err, 0.2), 0.1, 0.5);
        }
    }

    // Integrates x from t0 to t1 exactly.
    void advance(std::vector<double>& x, double t0, double t1) {
        double t = t0;
        while (t1 - t > 1e-12 * std::max(1.0, std::abs(t1))) {
            const double h = std::min(suggested_, t1 - t);
            const double taken = step(x, h);
            t = (taken == t1 - t) ? t1 : t + taken;
        }
    }

    double suggested() const { return suggested_; }

private:
    // out = x + RK4 increment over h, with k1 = dX/dt at x given. out may alias x's copy.
    void rk4(const std::vector<double>& x, const std::vector<double>& k1, double h, std::vector<double>& out) {
        tmp_ = x;
        for (std::size_t e : entries_) tmp_[e] = x[e] + h / 2 * k1[e];
        sys_.derivative(tmp_.data(), genes_, k2_.data());
        for (std::size_t e : entries_) tmp_[e] = x[e] + h / 2 * k2_[e];
        sys_.derivative(tmp_.data(), genes_, k3_.data());
        for (std::size_t e : entries_) tmp_[e] = x[e] + h * k3_[e];
        sys_.derivative(tmp_.data(), genes_, k4_.data());
        if (&out != &x) out = x;
        for (std::size_t e : entries_)
            out[e] = x[e] + h / 6 * (k1[e] + 2 * k2_[e] + 2 * k3_[e] + k4_[e]);
    }

    const system& sys_;
    std::vector<std::size_t> genes_, entries_;
    double tolerance_;
    std::vector<double> k1_, k2_, k3_, k4_, tmp_, full_, half_, slope0_;
    bool have_slope_ = false;
    double suggested_ = 1.0;
};

std::vector<std::size_t> all_genes(std::size_t n) {
    std::vector<std::size_t> g(n);
    for (std::size_t i = 0; i < n; ++i) g[i] = i;
    return g;
}

void check_state(const system& sys, const std::vector<double>& state, const char* what) {
    KNIT_CHECK_AS(value_error, state.size() == sys.state_size(),
                  what << ": got a state of " << state.size() << " values, expected " << sys.state_size()
                       << " (mRNA, then protein when modelled)");
    for (double v : state)
        KNIT_CHECK_AS(value_error, std::isfinite(v) && v >= 0,
                      what << ": got state value " << v << ", expected finite values >= 0");
}

// Euler-Maruyama on the chemical Langevin equation from t0 to t1, steps of at most h.
void langevin(const system& sys, std::vector<double>& x, double t0, double t1, double h, double c,
              rng& g) {
    const std::size_t n = sys.genes();
    const bool protein = sys.state_size() == 2 * n;
    std::vector<double> next(x.size());
    double t = t0;
    while (t1 - t > 1e-12 * std::max(1.0, std::abs(t1))) {
        const double dt = std::min(h, t1 - t);
        const double root_dt = std::sqrt(dt);
        for (std::size_t i = 0; i < n; ++i) {
            double pm, dm, pp = 0, dp = 0;
            sys.rates(i, x.data(), pm, dm, pp, dp);
            next[i] = std::max(0.0, x[i] + (pm - dm) * dt + c * std::sqrt(pm + dm) * root_dt * g.normal());
            if (protein)
                next[n + i] = std::max(
                    0.0, x[n + i] + (pp - dp) * dt + c * std::sqrt(pp + dp) * root_dt * g.normal());
        }
        x.swap(next);
        t = (dt == t1 - t) ? t1 : t + dt;
    }
}

// Newton's method on dX/dt = 0 over the entries of `genes`, from x (updated when it
// succeeds): J dx = -F with the sparse Jacobian (SparseLU), each step halved until the
// largest rate falls. Returns the iterations taken, or 0 when it did not reach
// rate_tolerance within its budget (x is then left as it was).
std::size_t newton_polish(const system& sys, const std::vector<std::size_t>& genes, std::vector<double>& x,
                          double rate_tolerance) {
    const std::vector<std::size_t> entries = sys.entries(genes);
    std::vector<long> where(sys.state_size(), -1);
    for (std::size_t k = 0; k < entries.size(); ++k) where[entries[k]] = static_cast<long>(k);
    const auto size = static_cast<Eigen::Index>(entries.size());
    std::vector<double> rates(sys.state_size(), 0.0), trial;
    const auto largest_rate = [&](const std::vector<double>& state) {
        sys.derivative(state.data(), genes, rates.data());
        double m = 0;
        for (std::size_t e : entries) m = std::max(m, std::abs(rates[e]));
        return m;
    };
    std::vector<double> y = x;
    double residual = largest_rate(y);
    std::vector<Eigen::Triplet<double>> triplets;
    Eigen::SparseMatrix<double> j(size, size);
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    Eigen::VectorXd f(size);
    for (std::size_t iteration = 1; iteration <= 20; ++iteration) {
        triplets.clear();
        sys.jacobian(y.data(), genes, where, triplets);
        j.setFromTriplets(triplets.begin(), triplets.end());
        lu.compute(j);
        if (lu.info() != Eigen::Success) return 0;
        for (std::size_t k = 0; k < entries.size(); ++k) f[static_cast<Eigen::Index>(k)] = -rates[entries[k]];
        const Eigen::VectorXd step = lu.solve(f);
        if (lu.info() != Eigen::Success || !step.allFinite()) return 0;
        double fraction = 1;
        bool fell = false;
        for (int halving = 0; halving < 12 && !fell; ++halving, fraction /= 2) {
            trial = y;
            for (std::size_t k = 0; k < entries.size(); ++k)
                trial[entries[k]] = std::max(0.0, y[entries[k]] + fraction * step[static_cast<Eigen::Index>(k)]);
            const double r = largest_rate(trial);
            if (r < residual) fell = true, residual = r, y.swap(trial);
        }
        if (!fell) return 0;
        if (residual <= rate_tolerance) {
            x.swap(y);
            return iteration;
        }
        // `rates` already holds the accepted point's rates: it was the last one evaluated
    }
    return 0;
}

}  // namespace

std::vector<double> derivative(const network& net, const perturbation& p, const std::vector<double>& state) {
    const system sys(net, p);
    check_state(sys, state, "derivative");
    std::vector<double> out(sys.state_size(), 0.0);
    sys.derivative(state.data(), all_genes(sys.genes()), out.data());
    return out;
}

tensor<double> jacobian(const network& net, const perturbation& p, const std::vector<double>& state) {
    const system sys(net, p);
    check_state(sys, state, "jacobian");
    const std::size_t size = sys.state_size();
    std::vector<long> where(size);
    for (std::size_t e = 0; e < size; ++e) where[e] = static_cast<long>(e);
    std::vector<Eigen::Triplet<double>> triplets;
    sys.jacobian(state.data(), all_genes(sys.genes()), where, triplets);
    tensor<double> out = tensor<double>::from_shape({size, size});
    std::fill(out.begin(), out.end(), 0.0);
    for (const auto& t : triplets) out(std::size_t(t.row()), std::size_t(t.col())) += t.value();
    return out;
}

tensor<double> integrate(const network& net, const perturbation& p, std::vector<double>& state,
                         const std::vector<double>& times, const integration_options& options,
                         rng* noise_source) {
    const system sys(net, p);
    check_state(sys, state, "integrate");
    KNIT_CHECK_AS(value_error, !times.empty(), "integrate: got no times, expected at least one");
    for (std::size_t k = 0; k < times.size(); ++k) {
        KNIT_CHECK_AS(value_error, std::isfinite(times[k]) && (k == 0 || times[k] >= times[k - 1]),
                      "integrate: got time " << times[k] << " at index " << k
                                             << ", expected finite, non-decreasing times");
    }
    KNIT_CHECK_AS(value_error, options.tolerance > 0 && options.noise >= 0 && options.sde_step > 0,
                  "integrate: got tolerance " << options.tolerance << ", noise " << options.noise
                                              << ", sde_step " << options.sde_step
                                              << ", expected tolerance > 0, noise >= 0, sde_step > 0");
    KNIT_CHECK_AS(value_error, options.noise == 0 || noise_source != nullptr,
                  "integrate: got noise " << options.noise << " and no rng, expected an rng for noise > 0");
    const std::size_t n = sys.genes();
    tensor<double> out = tensor<double>::from_shape({times.size(), n});
    rk4_integrator ode(sys, all_genes(n), options.tolerance);
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (k > 0) {
            if (options.noise > 0)
                langevin(sys, state, times[k - 1], times[k], options.sde_step, options.noise, *noise_source);
            else
                ode.advance(state, times[k - 1], times[k]);
        }
        for (std::size_t i = 0; i < n; ++i) out(k, i) = state[i];
    }
    return out;
}

steady_state_result steady_state(const network& net, const perturbation& p, std::vector<double> initial,
                                 const std::vector<std::size_t>& only_genes, double rate_tolerance,
                                 double max_time, steady_state_solver solver) {
    const system sys(net, p);
    if (initial.empty()) initial.assign(sys.state_size(), 0.0);
    check_state(sys, initial, "steady_state");
    KNIT_CHECK_AS(value_error, rate_tolerance > 0 && max_time > 0,
                  "steady_state: got rate_tolerance " << rate_tolerance << ", max_time " << max_time
                                                      << ", expected both > 0");
    for (std::size_t i : only_genes)
        KNIT_CHECK_AS(value_error, i < sys.genes(),
                      "steady_state: got gene " << i << ", expected < " << sys.genes());
    const std::vector<std::size_t> genes = only_genes.empty() ? all_genes(sys.genes()) : only_genes;
    // The step error bound follows the rate bound, so the last steps do not wander.
    const double step_tolerance = std::max(1e-12, rate_tolerance * 10);
    // newton: the flow only has to bring the state near its attractor, so its steps may be
    // as coarse as the rates at which Newton takes over; Newton then converges to that
    // attractor quadratically. Integration resumes with the fine steps if Newton fails.
    const double newton_from = std::max(rate_tolerance, steady_state_newton_start);
    bool newton_tried = solver != steady_state_solver::newton;
    std::optional<rk4_integrator> ode;
    ode.emplace(sys, genes, newton_tried ? step_tolerance : std::max(step_tolerance, newton_from * 10));
    steady_state_result result;
    result.state = std::move(initial);
    double t = 0;
    while (t < max_time) {
        const double slope = ode->slope(result.state);
        if (slope <= rate_tolerance) {
            result.converged = true;
            break;
        }
        if (!newton_tried && slope <= newton_from) {
            newton_tried = true;
            result.newton_iterations = newton_polish(sys, genes, result.state, rate_tolerance);
            if (result.newton_iterations > 0) {
                result.converged = true;
                break;
            }
            ode.emplace(sys, genes, step_tolerance);
            continue;
        }
        t += ode->step(result.state, std::min({ode->suggested(), 200.0, max_time - t}));
    }
    result.time = t;
    return result;
}

}  // namespace knit::grn
