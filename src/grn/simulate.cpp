// Synthetic gene networks and DREAM4-like data (see include/knit/grn/simulate.hpp and
// docs/simulator.md).
#include "knit/grn/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "knit/core/error.hpp"
#include "knit/grn/dream4.hpp"

namespace knit::grn {

// ---- network ----------------------------------------------------------------------------

std::size_t network::edge_count() const {
    std::size_t count = 0;
    for (const auto& gene : kinetics)
        for (const auto& module : gene.modules) count += module.inputs.size();
    return count;
}

gold_standard network::edges() const {
    gold_standard gold(genes);
    for (std::size_t target = 0; target < kinetics.size(); ++target)
        for (const auto& module : kinetics[target].modules)
            for (const auto& input : module.inputs)
                gold.add_edge(input.regulator, target, module.represses() ? -1 : 1);
    return gold;
}

double network::basal_activation(std::size_t gene) const {
    KNIT_CHECK_AS(value_error, gene < kinetics.size(),
                  "basal_activation: got gene " << gene << ", expected < " << kinetics.size());
    double a = 1;
    for (const auto& module : kinetics[gene].modules) a *= module.off;
    return a;
}

void network::validate() const {
    const std::size_t n = genes.size();
    KNIT_CHECK_AS(value_error, n >= 2, "network: got " << n << " genes, expected at least 2");
    KNIT_CHECK_AS(value_error, kinetics.size() == n,
                  "network: got kinetics for " << kinetics.size() << " genes, expected " << n);
    gene_index names(genes);  // refuses empty and duplicate names
    (void)names;
    std::vector<std::size_t> seen(n, n);  // seen[r] == target: r already regulates target
    for (std::size_t i = 0; i < n; ++i) {
        const auto& g = kinetics[i];
        KNIT_CHECK_AS(value_error, g.mrna_degradation > 0 && std::isfinite(g.mrna_degradation),
                      "network: gene " << genes[i] << " got mRNA degradation "
                                       << g.mrna_degradation << ", expected a finite rate > 0");
        KNIT_CHECK_AS(value_error,
                      g.protein_degradation > 0 && std::isfinite(g.protein_degradation),
                      "network: gene " << genes[i] << " got protein degradation "
                                       << g.protein_degradation << ", expected a finite rate > 0");
        for (const auto& m : g.modules) {
            KNIT_CHECK_AS(value_error, !m.inputs.empty(),
                          "network: gene " << genes[i] << " got an empty module, expected >= 1 input");
            KNIT_CHECK_AS(value_error, m.off >= 0 && m.off <= 1 && m.on >= 0 && m.on <= 1 && m.off != m.on,
                          "network: gene " << genes[i] << " got module off = " << m.off << ", on = "
                                           << m.on << ", expected both in [0, 1] and different");
            for (const auto& in : m.inputs) {
                KNIT_CHECK_AS(value_error, in.regulator < n && in.regulator != i,
                              "network: gene " << genes[i] << " got regulator " << in.regulator
                                               << ", expected an index < " << n
                                               << " other than the gene itself");
                KNIT_CHECK_AS(value_error, seen[in.regulator] != i,
                              "network: gene " << genes[i] << " got regulator "
                                               << genes[in.regulator]
                                               << " twice, expected each regulator once");
                seen[in.regulator] = i;
                KNIT_CHECK_AS(value_error, in.k > 0 && in.n > 0 && std::isfinite(in.k) && std::isfinite(in.n),
                              "network: gene " << genes[i] << " got Hill k = " << in.k << ", n = "
                                               << in.n << ", expected finite values > 0");
            }
        }
    }
}

namespace {

void check_probability(double p, const char* what) {
    KNIT_CHECK_AS(value_error, p >= 0 && p <= 1,
                  "generate_network: got " << what << " = " << p << ", expected a value in [0, 1]");
}

// Index into `pool` drawn with weight out_degree + 1 among the eligible entries; n when none.
template <class Eligible>
std::size_t preferential_pick(const std::vector<std::size_t>& pool,
                              const std::vector<std::size_t>& out_degree, Eligible eligible,
                              rng& g, std::size_t none) {
    double total = 0;
    for (std::size_t r : pool)
        if (eligible(r)) total += static_cast<double>(out_degree[r] + 1);
    if (total <= 0) return none;
    double u = g.uniform() * total;
    std::size_t last = none;
    for (std::size_t r : pool) {
        if (!eligible(r)) continue;
        last = r;
        u -= static_cast<double>(out_degree[r] + 1);
        if (u < 0) return r;
    }
    return last;  // rounding at the very end of the range
}

}  // namespace

network generate_network(const network_options& o) {
    const std::size_t n = o.genes;
    KNIT_CHECK_AS(value_error, n >= 2, "generate_network: got " << n << " genes, expected >= 2");
    KNIT_CHECK_AS(value_error, o.max_in_degree >= 1,
                  "generate_network: got max_in_degree 0, expected >= 1");
    KNIT_CHECK_AS(value_error, o.mean_in_degree >= 1 && std::isfinite(o.mean_in_degree),
                  "generate_network: got mean_in_degree " << o.mean_in_degree << ", expected >= 1");
    check_probability(o.within_module, "within_module");
    check_probability(o.feed_forward, "feed_forward");
    check_probability(o.feedback, "feedback");
    check_probability(o.repressing_modules, "repressing_modules");

    rng g(o.seed);
    const std::size_t module_count = o.modules ? std::min(o.modules, n) : std::max<std::size_t>(1, n / 20);
    // Hierarchy position and module membership are independent random orders.
    const std::vector<std::size_t> order = permutation(n, g);
    const std::vector<std::size_t> by_module = permutation(n, g);
    std::vector<std::size_t> module_of(n);
    for (std::size_t j = 0; j < n; ++j) module_of[by_module[j]] = j * module_count / n;

    std::vector<std::vector<std::size_t>> regulators(n);
    std::vector<std::size_t> out_degree(n, 0);
    const double continue_probability = 1.0 - 1.0 / o.mean_in_degree;  // geometric tail
    std::vector<std::size_t> earlier, everyone(n), same_module;
    for (std::size_t i = 0; i < n; ++i) everyone[i] = i;

    for (std::size_t p = 1; p < n; ++p) {
        const std::size_t target = order[p];
        earlier.push_back(order[p - 1]);
        const std::size_t reachable = o.feedback > 0 ? n - 1 : p;
        const std::size_t cap = std::min(o.max_in_degree, reachable);
        std::size_t degree = 1;
        while (degree < cap && g.uniform() < continue_probability) ++degree;

        auto& regs = regulators[target];
        auto free_regulator = [&](std::size_t r) {
            return r != target && std::find(regs.begin(), regs.end(), r) == regs.end();
        };
        for (std::size_t slot = 0; slot < degree; ++slot) {
            std::size_t chosen = n;
            if (!regs.empty() && g.uniform() < o.feed_forward) {
                // r2 -> r1 -> target plus r2 -> target: a feed-forward loop.
                const std::size_t r1 = regs[g.below(regs.size())];
                chosen = preferential_pick(regulators[r1], out_degree, free_regulator, g, n);
            }
            if (chosen == n) {
                const auto& pool = g.uniform() < o.feedback ? everyone : earlier;
                if (g.uniform() < o.within_module) {
                    same_module.clear();
                    for (std::size_t r : pool)
                        if (module_of[r] == module_of[target]) same_module.push_back(r);
                    chosen = preferential_pick(same_module, out_degree, free_regulator, g, n);
                }
                if (chosen == n) chosen = preferential_pick(pool, out_degree, free_regulator, g, n);
            }
            if (chosen == n) break;
            regs.push_back(chosen);
            ++out_degree[chosen];
        }
    }

    network net;
    net.protein = o.protein;
    net.genes.resize(n);
    net.kinetics.resize(n);
    const double log_lo = std::log(0.014), log_hi = std::log(0.06);  // DREAM4's range of rates
    for (std::size_t i = 0; i < n; ++i) {
        net.genes[i] = "G" + std::to_string(i + 1);
        auto& kin = net.kinetics[i];
        kin.mrna_degradation = std::exp(g.uniform(log_lo, log_hi));
        kin.protein_degradation = std::exp(g.uniform(log_lo, log_hi));
        auto regs = regulators[i];
        g.shuffle(regs.begin(), regs.end());
        for (std::size_t j = 0; j < regs.size(); ++j) {
            if (j == 0 || g.uniform() < 0.5) {
                regulatory_module m;
                const double weak = g.uniform(0.0, 0.25);
                const bool represses = g.uniform() < o.repressing_modules;
                m.off = represses ? 1.0 : weak;
                m.on = represses ? weak : 1.0;
                kin.modules.push_back(m);
            }
            regulatory_input in;
            in.regulator = regs[j];
            in.k = g.uniform(0.01, 1.0);
            in.n = std::clamp(g.normal(2.0, 2.0), 1.0, 10.0);  // GNW's default Hill prior
            kin.modules.back().inputs.push_back(in);
        }
    }
    return net;
}

std::vector<std::size_t> downstream_genes(const network& net, std::size_t gene) {
    const std::size_t n = net.size();
    KNIT_CHECK_AS(value_error, gene < n, "downstream_genes: got gene " << gene << ", expected < " << n);
    std::vector<std::vector<std::size_t>> targets(n);
    for (std::size_t t = 0; t < n; ++t)
        for (const auto& m : net.kinetics[t].modules)
            for (const auto& in : m.inputs) targets[in.regulator].push_back(t);
    std::vector<char> seen(n, 0);
    std::vector<std::size_t> stack{gene}, out;
    seen[gene] = 1;
    while (!stack.empty()) {
        const std::size_t r = stack.back();
        stack.pop_back();
        out.push_back(r);
        for (std::size_t t : targets[r])
            if (!seen[t]) {
                seen[t] = 1;
                stack.push_back(t);
            }
    }
    std::sort(out.begin(), out.end());
    return out;
}

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

}  // namespace

std::vector<double> derivative(const network& net, const perturbation& p, const std::vector<double>& state) {
    const system sys(net, p);
    check_state(sys, state, "derivative");
    std::vector<double> out(sys.state_size(), 0.0);
    sys.derivative(state.data(), all_genes(sys.genes()), out.data());
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
                                 double max_time) {
    const system sys(net, p);
    if (initial.empty()) initial.assign(sys.state_size(), 0.0);
    check_state(sys, initial, "steady_state");
    KNIT_CHECK_AS(value_error, rate_tolerance > 0 && max_time > 0,
                  "steady_state: got rate_tolerance " << rate_tolerance << ", max_time " << max_time
                                                      << ", expected both > 0");
    for (std::size_t i : only_genes)
        KNIT_CHECK_AS(value_error, i < sys.genes(),
                      "steady_state: got gene " << i << ", expected < " << sys.genes());
    // The step error bound follows the rate bound, so the last steps do not wander.
    rk4_integrator ode(sys, only_genes.empty() ? all_genes(sys.genes()) : only_genes,
                       std::max(1e-12, rate_tolerance * 10));
    steady_state_result result;
    result.state = std::move(initial);
    double t = 0;
    while (t < max_time) {
        if (ode.slope(result.state) <= rate_tolerance) {
            result.converged = true;
            break;
        }
        t += ode.step(result.state, std::min({ode.suggested(), 200.0, max_time - t}));
    }
    result.time = t;
    return result;
}

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

    const steady_state_result wild = steady_state(net, {});
    if (!wild.converged) ++out.unconverged;
    const std::vector<double> wild_mrna = mrna_of(wild.state, n);

    if (o.wildtype) out.wildtype = steady_rows(net, {wild_mrna}, steady_state_kind::wildtype, o, measurement);

    // Knockouts and knockdowns move only the genes downstream of the perturbed gene.
    auto single_gene = [&](double scale, steady_state_kind kind) {
        std::vector<std::vector<double>> rows;
        for (std::size_t g = 0; g < n; ++g) {
            perturbation p;
            p.production_scale.assign(n, 1.0);
            p.production_scale[g] = scale;
            // A knocked-out gene's steady state is exactly 0 (no production, linear decay):
            // start it there rather than leave a decaying residue.
            std::vector<double> start = wild.state;
            if (scale == 0) {
                start[g] = 0;
                if (net.protein) start[n + g] = 0;
            }
            const auto r = steady_state(net, p, std::move(start), downstream_genes(net, g));
            if (!r.converged) ++out.unconverged;
            rows.push_back(mrna_of(r.state, n));
        }
        return steady_rows(net, rows, kind, o, measurement);
    };
    if (o.knockouts) out.knockouts = single_gene(0.0, steady_state_kind::knockouts);
    if (o.knockdowns) out.knockdowns = single_gene(0.5, steady_state_kind::knockdowns);

    if (multifactorial > 0) {
        rng draws(master.split());
        std::vector<std::vector<double>> rows;
        for (std::size_t e = 0; e < multifactorial; ++e) {
            perturbation p;
            p.basal_shift.resize(n);
            for (auto& d : p.basal_shift) d = draws.normal(0.0, o.multifactorial_sd);
            const auto r = steady_state(net, p, wild.state);
            if (!r.converged) ++out.unconverged;
            rows.push_back(mrna_of(r.state, n));
        }
        out.multifactorial = steady_rows(net, rows, steady_state_kind::multifactorial, o, measurement);
    }

    out.time_series.genes = net.genes;
    if (series > 0) {
        std::vector<double> times(o.time_points);
        for (std::size_t k = 0; k < o.time_points; ++k)
            times[k] = o.duration * static_cast<double>(k) / static_cast<double>(o.time_points - 1);
        // Sample times up to the release (plus the release itself when it is not one), then
        // from the release on.
        std::vector<double> before, after{o.release_time};
        for (double t : times) (t <= o.release_time ? before : after).push_back(t);
        const std::size_t early = before.size();
        if (before.back() != o.release_time) before.push_back(o.release_time);

        integration_options io;
        io.noise = o.noise;
        io.sde_step = o.sde_step;
        for (std::size_t s = 0; s < series; ++s) {
            rng draws(master.split());
            rng dynamics(master.split());
            perturbation p;
            p.basal_shift.assign(n, 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                const bool hit = draws.uniform() < o.perturbed_fraction;
                const double u = draws.uniform();  // drawn always, so the stream stays aligned
                if (hit) p.basal_shift[i] = u - net.basal_activation(i);
            }
            std::vector<double> state = wild.state;
            const tensor<double> first = integrate(net, p, state, before, io, &dynamics);
            const tensor<double> second = integrate(net, {}, state, after, io, &dynamics);
            time_series_experiment ex;
            ex.times = times;
            ex.values = tensor<double>::from_shape({times.size(), n});
            for (std::size_t k = 0; k < times.size(); ++k) {
                // Rows of `first` are the early samples; row 0 of `second` is the release.
                const double* src = k < early ? &first(k, 0) : &second(k - early + 1, 0);
                for (std::size_t i = 0; i < n; ++i) ex.values(k, i) = measured(src[i], o, measurement);
            }
            out.time_series.experiments.push_back(std::move(ex));
        }
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
