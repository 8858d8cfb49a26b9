#include "psi.hpp"

#include <algorithm>
#include <cmath>

namespace credit {

namespace {

constexpr double kMinFraction = 1e-4;

// Upper edges of the quantile bins of the sorted, NaN-free `sorted`: a value v falls in the
// first bin whose edge is >= v, or in the last bin (no edge) when it is above every edge.
std::vector<double> quantile_edges(const std::vector<double>& sorted, int bins) {
  std::vector<double> edges;
  for (int b = 1; b < bins; ++b) {
    const auto at = static_cast<std::size_t>(static_cast<double>(b) / bins *
                                             static_cast<double>(sorted.size() - 1));
    if (edges.empty() || sorted[at] > edges.back()) edges.push_back(sorted[at]);
  }
  // The largest value needs no edge of its own: it is in the last bin.
  if (!edges.empty() && edges.back() >= sorted.back()) edges.pop_back();
  return edges;
}

// Fractions of `values` per bin: one per edge, one above the last edge, one for missing values.
std::vector<double> bin_fractions(std::span<const double> values,
                                  const std::vector<double>& edges) {
  std::vector<double> counts(edges.size() + 2, 0.0);
  for (double v : values) {
    if (std::isnan(v)) {
      counts.back() += 1;
      continue;
    }
    auto bin = std::lower_bound(edges.begin(), edges.end(), v) - edges.begin();
    counts[static_cast<std::size_t>(bin)] += 1;
  }
  for (double& c : counts) c = values.empty() ? 0.0 : c / static_cast<double>(values.size());
  return counts;
}

}  // namespace

double population_stability_index(std::span<const double> reference,
                                  std::span<const double> current, int bins) {
  std::vector<double> present;
  for (double v : reference) {
    if (!std::isnan(v)) present.push_back(v);
  }
  std::sort(present.begin(), present.end());
  const std::vector<double> edges =
      present.empty() ? std::vector<double>{} : quantile_edges(present, bins);
  const std::vector<double> ref = bin_fractions(reference, edges);
  const std::vector<double> cur = bin_fractions(current, edges);
  double psi = 0.0;
  for (std::size_t b = 0; b < ref.size(); ++b) {
    if (ref[b] == 0.0 && cur[b] == 0.0) continue;
    const double r = std::max(ref[b], kMinFraction);
    const double c = std::max(cur[b], kMinFraction);
    psi += (c - r) * std::log(c / r);
  }
  return psi;
}

std::map<std::string, double> feature_psi(const cairn::ml::Table& reference,
                                          const cairn::ml::Table& current,
                                          const std::vector<std::string>& columns, int bins) {
  auto values = [](const cairn::ml::Table& t, const std::string& name) {
    const cairn::ml::Column& column = t.column(name);
    std::vector<double> out(column.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = column.number_at(i);
    return out;
  };
  std::map<std::string, double> psi;
  for (const auto& name : columns) {
    psi[name] = population_stability_index(values(reference, name), values(current, name), bins);
  }
  return psi;
}

}  // namespace credit
