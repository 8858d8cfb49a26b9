#pragma once
// Population stability index: how far a feature's distribution in new data has moved from its
// distribution in the reference (training) data.
//
//   PSI = sum over bins b of (cur_b - ref_b) * ln(cur_b / ref_b)
//
// where ref_b and cur_b are the fractions of reference and current values in bin b. The bins
// are the reference's quantiles (deciles for 10 bins: edges at its 10%, 20%, ... quantiles;
// equal edges merged, so a feature with few distinct values gets fewer bins) plus one bin for
// missing values. A fraction
// of 0 is counted as 0.0001 so that a bin empty on one side gives a large but finite term.
// Rules of thumb: below 0.1 no real change, 0.1-0.25 a moderate shift, above 0.25 a major one.

#include <cairn/ml/table.hpp>

#include <map>
#include <span>
#include <string>
#include <vector>

namespace credit {

/// The PSI of `current` against `reference` (NaN = missing), with up to `bins` quantile bins.
/// Returns 0 when both are empty.
double population_stability_index(std::span<const double> reference,
                                  std::span<const double> current, int bins = 10);

/// The PSI of each of `columns` (numeric columns of both tables), by column name, with up to
/// `bins` quantile bins per feature.
std::map<std::string, double> feature_psi(const cairn::ml::Table& reference,
                                          const cairn::ml::Table& current,
                                          const std::vector<std::string>& columns, int bins);

}  // namespace credit
