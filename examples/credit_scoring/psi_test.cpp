#include "psi.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace credit {
namespace {

std::vector<double> range(int from, int to) {
  std::vector<double> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

TEST(PopulationStabilityIndex, IsZeroForTheSameDistribution) {
  auto a = range(0, 1000);
  EXPECT_NEAR(population_stability_index(a, a), 0.0, 1e-12);
  // Another sample of the same uniform distribution: small, well below the 0.1 of "no change".
  std::vector<double> every_other;
  for (int i = 0; i < 1000; i += 2) every_other.push_back(i);
  EXPECT_LT(population_stability_index(a, every_other), 0.01);
}

TEST(PopulationStabilityIndex, MatchesTheFormulaForAShift) {
  // Reference 0..999 in deciles [0,99], (99,199], ...; current = the upper half only: 5 bins
  // empty (0.0001 each), 5 bins with 0.2 each.
  auto reference = range(0, 1000);
  auto current = range(500, 1000);
  const double full = (0.2 - 0.1) * std::log(0.2 / 0.1);
  const double empty = (0.0001 - 0.1) * std::log(0.0001 / 0.1);
  EXPECT_NEAR(population_stability_index(reference, current), 5 * full + 5 * empty, 0.02);
  EXPECT_GT(population_stability_index(reference, current), 0.25);  // a major shift
}

TEST(PopulationStabilityIndex, CountsMissingValuesInABinOfTheirOwn) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> reference = range(0, 100);
  std::vector<double> current = range(0, 50);
  current.resize(100, nan);
  // Half the values went missing: the missing bin alone contributes (0.5 - 0.0001) ln(5000).
  EXPECT_GT(population_stability_index(reference, current), 4.0);
}

TEST(PopulationStabilityIndex, MergesEqualEdgesOfFewValuedFeatures) {
  std::vector<double> reference(1000, 0.0);
  for (int i = 0; i < 100; ++i) reference[i] = 1.0;
  EXPECT_NEAR(population_stability_index(reference, reference), 0.0, 1e-12);
  std::vector<double> current(1000, 0.0);
  for (int i = 0; i < 500; ++i) current[i] = 1.0;
  const double expected = (0.5 - 0.9) * std::log(0.5 / 0.9) + (0.5 - 0.1) * std::log(0.5 / 0.1);
  EXPECT_NEAR(population_stability_index(reference, current), expected, 1e-9);
}

}  // namespace
}  // namespace credit
