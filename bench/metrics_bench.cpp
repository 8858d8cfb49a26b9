// Metric computation on large prediction vectors: ROC AUC (the target: 10 M predictions
// in under 1 s), PR AUC, log loss, the classification and regression reports, and the splits.
// For ROC AUC it also times the two designs radix sort replaced — std::sort of an index array
// and std::sort of (score, label) pairs, each followed by the same walk over tied groups — so
// the choice stays measured. Prints one JSON line per measurement (best and median of --repeat
// runs); nothing fails on timing.
//
//   cairn_metrics_bench [--n 10000000] [--repeat 5] [--only roc_auc]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cairn/ml/metrics.hpp"
#include "cairn/ml/splits.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double sink = 0.0;  // results go here so the optimizer keeps the work

std::string only;  // --only NAME: run just that measurement

/// Wall time, and the process's CPU time, which a busy shared machine distorts less.
void measure(const std::string& name, std::size_t n, int repeat, const std::function<double()>& f) {
  if (!only.empty() && name != only) return;
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeat; ++i) {
    const auto start = Clock::now();
    const std::clock_t cpu_start = std::clock();
    sink += f();
    cpu.push_back(static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    wall.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf(
      "{\"bench\": \"%s\", \"n\": %zu, \"best_s\": %.4f, \"median_s\": %.4f, "
      "\"best_cpu_s\": %.4f}\n",
      name.c_str(), n, wall.front(), wall[wall.size() / 2], cpu.front());
  std::fflush(stdout);
}

/// ROC AUC from rows already in descending score order: a trapezoid per group of tied scores.
template <class ScoreAt, class LabelAt>
double auc_of_descending(std::size_t n, ScoreAt score_at, LabelAt label_at) {
  double tp = 0, fp = 0, area = 0;
  for (std::size_t i = 0; i < n;) {
    double p = 0, q = 0;
    const double s = score_at(i);
    for (; i < n && score_at(i) == s; ++i) (label_at(i) == 1.0 ? p : q) += 1;
    area += q * (2 * tp + p);
    tp += p;
    fp += q;
  }
  return area / (2 * tp * fp);
}

double auc_sorting_indices(const std::vector<double>& labels, const std::vector<double>& scores) {
  std::vector<std::uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return scores[a] > scores[b]; });
  return auc_of_descending(
      order.size(), [&](std::size_t i) { return scores[order[i]]; },
      [&](std::size_t i) { return labels[order[i]]; });
}

double auc_sorting_pairs(const std::vector<double>& labels, const std::vector<double>& scores) {
  std::vector<std::pair<double, double>> rows(scores.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = {scores[i], labels[i]};
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  return auc_of_descending(
      rows.size(), [&](std::size_t i) { return rows[i].first; },
      [&](std::size_t i) { return rows[i].second; });
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 10'000'000;
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
  }

  // A realistic classifier: 10 % positives, probabilities from a logistic model with noise,
  // and a copy rounded to 3 decimals (many ties, as from a model with few distinct outputs).
  std::mt19937_64 rng(2024);
  std::bernoulli_distribution positive(0.1);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> labels(n), scores(n), rounded(n), actual(n), predicted(n);
  for (std::size_t i = 0; i < n; ++i) {
    labels[i] = positive(rng) ? 1.0 : 0.0;
    scores[i] = 1.0 / (1.0 + std::exp(-(noise(rng) + 2.0 * labels[i] - 2.0)));
    rounded[i] = std::round(scores[i] * 1000.0) / 1000.0;
    actual[i] = 100.0 + 20.0 * noise(rng);
    predicted[i] = actual[i] + 5.0 * noise(rng);
  }

  using namespace cairn::ml;
  measure("roc_auc", n, repeat, [&] { return roc_auc(labels, scores); });
  measure("roc_auc_ties", n, repeat, [&] { return roc_auc(labels, rounded); });
  measure("roc_auc_std_sort_indices", n, repeat,
          [&] { return auc_sorting_indices(labels, scores); });
  measure("roc_auc_std_sort_pairs", n, repeat, [&] { return auc_sorting_pairs(labels, scores); });
  measure("pr_auc", n, repeat, [&] { return pr_auc(labels, scores); });
  measure("log_loss", n, repeat, [&] { return log_loss(labels, scores); });
  measure("binary_classification_report", n, repeat,
          [&] { return binary_classification_report(labels, scores).f1; });
  measure("regression_report", n, repeat,
          [&] { return regression_report(actual, predicted).rmse; });
  measure("random_split", n, repeat,
          [&] { return static_cast<double>(random_split(n, 0.2, 7).test.size()); });
  measure("stratified_split", n, repeat,
          [&] { return static_cast<double>(stratified_split(labels, 0.2, 7).test.size()); });

  if (only.empty() &&
      std::abs(roc_auc(labels, scores) - auc_sorting_pairs(labels, scores)) > 1e-9) {
    std::fprintf(stderr, "metrics_bench: the baselines disagree with roc_auc\n");
    return 1;
  }
  std::fprintf(stderr, "checksum %g\n", sink);
  return 0;
}
