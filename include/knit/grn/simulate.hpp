// Synthetic gene-regulatory networks with known ground truth, simulated in the spirit of
// GeneNetWeaver (GNW) and written in exactly the DREAM4 file formats. The model, its
// equations and how it differs from GNW: docs/simulator.md.
//
// Topology (generate_network): G genes in a random hierarchy split into modules; each
// target draws a bounded number of regulators, mostly earlier in the hierarchy and in its
// own module, by preferential attachment (scale-free out-degree); with some probability a
// further regulator closes a feed-forward loop; a few edges point back up (cycles).
//
// Kinetics, gene i with mRNA x_i and protein y_i (regulators act through their protein;
// with protein = false, through their mRNA, y := x):
//
//   dx_i/dt = m_i s_i clamp(f_i(y) + d_i, 0, 1) - l_i x_i
//   dy_i/dt = r_i x_i - q_i y_i
//   f_i(y)  = prod_modules [ off_M + (on_M - off_M) mu_M(y) ]
//   mu_M(y) = prod_{inputs j of M} nu_j / (1 + nu_j),    nu_j = (y_j / k_j)^n_j
//
// m_i = l_i and r_i = q_i, so every level stays in [0, 1]. An enhancing module has
// on = 1 > off (its inputs are activations, sign +1); a repressing one off = 1 > on
// (repressions, -1). s_i is the production scale (1 wild type, 0 knockout, 1/2 knockdown)
// and d_i a shift of the activation table (0 unless perturbed: a perturbation that sets
// the basal activation a_0 = f_i(0) to u uses d_i = u - a_0).
//
// Intrinsic noise (noise > 0): Euler-Maruyama on the chemical Langevin equation
//   dX = (P - D) dt + c sqrt(P + D) dW     (P production, D degradation of X, c = noise)
// clamped at 0. Deterministic runs and steady states use RK4 with step-doubling error
// control. Measurement noise: v = max(0, x exp(N(0, s_log)) + N(0, s_add)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"
#include "knit/grn/expression.hpp"
#include "knit/grn/gold_standard.hpp"

namespace knit::grn {

// ---- networks ---------------------------------------------------------------------------

struct regulatory_input {
    std::size_t regulator = 0;  // gene index
    double k = 0.5;             // Hill constant, > 0
    double n = 2;               // Hill coefficient, > 0
};

// A cis-regulatory module: bound when all its inputs are bound (independent binding).
struct regulatory_module {
    std::vector<regulatory_input> inputs;  // >= 1
    double off = 0.1;  // relative activation when unbound, in [0, 1]
    double on = 1.0;   // relative activation when bound, in [0, 1]; on > off: enhancing
    bool represses() const { return on < off; }
};

struct gene_kinetics {
    std::vector<regulatory_module> modules;  // empty: constant production f = 1
    double mrna_degradation = 0.025;         // l_i (= m_i, maximal transcription), > 0
    double protein_degradation = 0.025;      // q_i (= r_i, maximal translation), > 0
};

struct network {
    std::vector<std::string> genes;     // G1..Gn
    std::vector<gene_kinetics> kinetics;  // one per gene
    bool protein = true;                // model proteins (regulators act through them)

    std::size_t size() const { return genes.size(); }
    std::size_t state_size() const { return protein ? 2 * size() : size(); }
    std::size_t edge_count() const;
    // The directed, signed edges as a gold standard (+1 activation, -1 repression).
    gold_standard edges() const;
    // f_i(y) without perturbation when no regulator is bound: GNW's a_0.
    double basal_activation(std::size_t gene) const;
    // Throws knit::value_error unless: >= 2 genes with unique names, kinetics per gene,
    // positive rates, regulators valid and not the gene itself, no regulator twice per
    // gene, non-empty modules, k > 0, n > 0, off/on in [0, 1] and off != on.
    void validate() const;
};

struct network_options {
    std::size_t genes = 100;
    std::uint64_t seed = 1;
    std::size_t max_in_degree = 4;   // >= 1
    double mean_in_degree = 2.0;     // target average (DREAM4 size 100: 1.8-2.5); >= 1
    std::size_t modules = 0;         // 0: max(1, genes / 20)
    double within_module = 0.8;      // P(a regulator comes from the target's module)
    double feed_forward = 0.3;       // P(a further regulator closes a feed-forward loop)
    double feedback = 0.05;          // P(a regulator may come from anywhere, cycles included)
    double repressing_modules = 0.5; // fraction of repressing modules
    bool protein = true;
};

// Seeded: the same options give the same network.
network generate_network(const network_options& options);

// ---- dynamics ---------------------------------------------------------------------------

// Empty vectors mean "no perturbation" (all scales 1, all shifts 0); otherwise size G.
struct perturbation {
    std::vector<double> production_scale;  // s_i >= 0
    std::vector<double> basal_shift;       // d_i
};

// Right-hand side of the ODE at `state` (mRNA 0..G-1, then protein when modelled).
std::vector<double> derivative(const network& net, const perturbation& p,
                               const std::vector<double>& state);

// d(dX/dt)/dX at `state`, dense (S, S): what the Newton steady states solve with (sparse).
tensor<double> jacobian(const network& net, const perturbation& p, const std::vector<double>& state);

struct integration_options {
    double tolerance = 1e-8;     // RK4 step-doubling: max absolute error per step
    double noise = 0;            // c of the Langevin equation; 0: deterministic RK4
    double sde_step = 0.5;       // Euler-Maruyama step (noise > 0)
};

// Integrates from state at times.front() and records the mRNA at every time (T, G);
// state is left at times.back(). times must be non-decreasing; rng is used when noise > 0.
tensor<double> integrate(const network& net, const perturbation& p, std::vector<double>& state,
                         const std::vector<double>& times, const integration_options& options,
                         rng* noise_source = nullptr);

struct steady_state_result {
    std::vector<double> state;
    bool converged = false;
    double time = 0;                    // integration time used
    std::size_t newton_iterations = 0;  // > 0: Newton's method finished the solve
};

// How steady_state finishes. integrate: RK4 all the way to the rate tolerance (the
// reference; its results are the data sets the docs quote). newton: RK4 until the largest
// rate is below steady_state_newton_start, then Newton's method with the sparse Jacobian
// (SparseLU), falling back to RK4 when Newton does not converge. Both stop at the same
// rate tolerance, so their states agree to about rate_tolerance / (slowest decay rate);
// newton skips the slow approach along the slowest mode (docs/simulator.md).
enum class steady_state_solver { integrate, newton };
constexpr double steady_state_newton_start = 1e-5;

// Integrates the ODE until max |dX/dt| <= rate_tolerance (or max_time). initial: the
// starting state (all zero when empty). only_genes: when non-empty, only these genes
// (mRNA and protein) move; the caller guarantees the others are already steady (knit
// uses the genes downstream of a knocked-out gene).
steady_state_result steady_state(const network& net, const perturbation& p,
                                 std::vector<double> initial = {},
                                 const std::vector<std::size_t>& only_genes = {},
                                 double rate_tolerance = 1e-10, double max_time = 1e5,
                                 steady_state_solver solver = steady_state_solver::integrate);

// Genes reachable from `gene` along regulatory edges, the gene itself included, sorted.
std::vector<std::size_t> downstream_genes(const network& net, std::size_t gene);

// ---- DREAM4-like experiments ------------------------------------------------------------

struct experiment_options {
    std::uint64_t seed = 1;
    std::optional<std::size_t> time_series;     // default: 5 when G <= 10, else 10
    std::size_t time_points = 21;               // t = 0, ..., duration
    double duration = 1000;
    double release_time = 500;                  // perturbation removed here
    double perturbed_fraction = 1.0 / 3.0;      // P(a gene is perturbed) per series
    double noise = 0.05;                        // Langevin c of the time series; 0: ODE
    double sde_step = 0.5;
    double measurement_log_sd = 0.05;           // s_log of the measurement noise
    double measurement_sd = 0.001;              // s_add (before normalisation)
    bool wildtype = true, knockouts = true, knockdowns = true;
    std::optional<std::size_t> multifactorial;  // default: G
    double multifactorial_sd = 0.2;             // shift d_i ~ N(0, sd) for every gene
    bool normalise = true;                      // divide everything by the common maximum
    steady_state_solver steady_states = steady_state_solver::integrate;  // see steady_state
    // Threads for the steady-state solves and time series (parallel_for tasks,
    // core/parallel.hpp); the data are bit-identical for every value >= 1.
    std::size_t threads = 1;
};

struct simulated_dataset {
    explicit simulated_dataset(gold_standard gold_) : gold(std::move(gold_)) {}
    time_series_data time_series;
    steady_state_data wildtype, knockouts, knockdowns, multifactorial;  // empty when off
    gold_standard gold;         // signed
    double scale = 1;           // the common maximum the raw values were divided by
    std::size_t unconverged = 0;  // steady states that hit max_time (oscillating networks)
};

// Seeded: the same network and options give bit-identical data.
simulated_dataset simulate_dream4_like(const network& net, const experiment_options& options);

// Writes the DREAM4 file set under root, named as data/dream4 is (dream4_path): e.g.
// root/size100/insilico_size100_1_timeseries.tsv, .../goldstandard/DREAM4_GoldStandard_
// InSilico_Size100_1.tsv, .../goldstandard_signed/..._goldstandard_signed.tsv. Any size
// label >= 1 and network >= 1 work (DREAM4's naming pattern extended). Empty parts are
// skipped. Returns the paths written.
std::vector<std::string> write_dataset(const simulated_dataset& data, const std::string& root,
                                       int size_label, int network_index);

}  // namespace knit::grn
