// Synthetic gene networks: topology and kinetics (generate_network) and the network
// type's checks (see include/knit/grn/simulate.hpp and docs/simulator.md).
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

}  // namespace knit::grn
