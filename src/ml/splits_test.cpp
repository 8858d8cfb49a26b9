#include "cairn/ml/splits.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "cairn/ml/csv.hpp"

namespace cairn::ml {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Rows = std::vector<std::size_t>;

constexpr Timestamp kDay = 86'400'000'000;

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const SplitError& e) {
    return e.what();
  }
  return "";
}

/// Train and test are ascending, disjoint and together hold rows 0..rows-1.
void expect_partition(const Split& s, std::size_t rows) {
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
  std::set<std::size_t> all(s.train.begin(), s.train.end());
  all.insert(s.test.begin(), s.test.end());
  EXPECT_EQ(all.size(), rows);
  EXPECT_EQ(s.train.size() + s.test.size(), rows);
  if (!all.empty()) {
    EXPECT_EQ(*all.rbegin(), rows - 1);
  }
}

TEST(RandomSplit, TakesTheCeilingOfTheFractionForTest) {
  const Split s = random_split(1000, 0.25, 1);
  EXPECT_EQ(s.test.size(), 250u);
  expect_partition(s, 1000);
  EXPECT_EQ(random_split(10, 0.3, 1).test.size(), 3u);  // 0.3 × 10 is not 3.0000000000000004
  EXPECT_EQ(random_split(10, 0.21, 1).test.size(), 3u);
  EXPECT_EQ(random_split(3, 0.5, 1).test.size(), 2u);
}

TEST(RandomSplit, IsTheSameOnEveryPlatform) {
  // Computed by an independent Python implementation of splitmix64, xoshiro256**, rejection
  // sampling and the partial Fisher–Yates shuffle. A change here changes every user's splits.
  const Split a = random_split(10, 0.3, 42);
  EXPECT_THAT(a.test, ElementsAre(1, 2, 3));
  EXPECT_THAT(a.train, ElementsAre(0, 4, 5, 6, 7, 8, 9));
  const Split b = random_split(20, 0.25, 7);
  EXPECT_THAT(b.test, ElementsAre(3, 8, 12, 14, 18));
}

TEST(RandomSplit, SeedsMatter) {
  EXPECT_EQ(random_split(500, 0.2, 5).test, random_split(500, 0.2, 5).test);
  EXPECT_NE(random_split(500, 0.2, 5).test, random_split(500, 0.2, 6).test);
}

TEST(RandomSplit, Errors) {
  EXPECT_THAT(error_of([] { random_split(10, 0.0, 1); }),
              HasSubstr("random_split: test_fraction must be in (0, 1), got 0"));
  EXPECT_THAT(error_of([] { random_split(10, 1.0, 1); }), HasSubstr("got 1;"));
  EXPECT_THAT(error_of([] { random_split(10, std::numeric_limits<double>::quiet_NaN(), 1); }),
              HasSubstr("got nan"));
  EXPECT_THAT(error_of([] { random_split(0, 0.2, 1); }), HasSubstr("random_split: no rows"));
  EXPECT_THAT(error_of([] { random_split(1, 0.2, 1); }),
              HasSubstr("test_fraction 0.2 of 1 rows leaves the train set empty"));
  EXPECT_EQ(random_split(4, 1e-3, 1).test.size(), 1u);
}

std::size_t count_label(const std::vector<double>& labels, const Rows& rows, double label) {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [&](std::size_t i) { return labels[i] == label; }));
}

TEST(StratifiedSplit, KeepsClassProportions) {
  std::vector<double> labels(1000, 0.0);
  for (std::size_t i = 0; i < labels.size(); i += 20) labels[i] = 1.0;  // 5 % positives
  const Split s = stratified_split(labels, 0.2, 3);
  expect_partition(s, 1000);
  EXPECT_EQ(s.test.size(), 200u);
  EXPECT_EQ(count_label(labels, s.test, 1.0), 10u);
  EXPECT_EQ(count_label(labels, s.train, 1.0), 40u);
  EXPECT_NE(s.test, stratified_split(labels, 0.2, 4).test);
}

TEST(StratifiedSplit, GivesLeftoverRowsToTheLargestRemainders) {
  // Shares 0.5 and 1.5 of a total of 2: floors 0 and 1, the tie goes to the smaller label.
  std::vector<double> labels(20, 1.0);
  std::fill(labels.begin(), labels.begin() + 5, 0.0);
  Split s = stratified_split(labels, 0.1, 1);
  EXPECT_EQ(count_label(labels, s.test, 0.0), 1u);
  EXPECT_EQ(count_label(labels, s.test, 1.0), 1u);
  // Shares 1.5, 1.5, 2 of 5: floors 1, 1, 2 and one more for label 2 (before 7).
  labels = {7, 7, 7, 2, 2, 2, 9, 9, 9, 9};
  s = stratified_split(labels, 0.5, 1);
  EXPECT_EQ(count_label(labels, s.test, 2.0), 2u);
  EXPECT_EQ(count_label(labels, s.test, 7.0), 1u);
  EXPECT_EQ(count_label(labels, s.test, 9.0), 2u);
  // Shares 0.75 and 2.25 of 3: floors 0 and 2, the leftover to the larger remainder, 0.75.
  labels = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  s = stratified_split(labels, 0.25, 1);
  EXPECT_EQ(count_label(labels, s.test, 0.0), 1u);
  EXPECT_EQ(count_label(labels, s.test, 1.0), 2u);
}

TEST(StratifiedSplit, Errors) {
  EXPECT_THAT(error_of([] { stratified_split(std::vector<double>{}, 0.2, 1); }),
              HasSubstr("stratified_split: no rows"));
  EXPECT_THAT(error_of([] {
                stratified_split(std::vector<double>{0, 1}, 1.5, 1);
              }),
              HasSubstr("test_fraction must be in (0, 1), got 1.5"));
  EXPECT_THAT(error_of([] {
                stratified_split(std::vector<double>{0, std::nan(""), 1}, 0.5, 1);
              }),
              HasSubstr("stratified_split: label at index 1 is NaN"));
}

TEST(StratifiedSplit, TableLabelsMayBeStrings) {
  // lending_club's target, a string column: "bad" or "good".
  const Table loans =
      read_csv(std::filesystem::path(CAIRN_SOURCE_DIR) / "data" / "lending_club.csv");
  std::vector<std::string> classes;
  for (std::size_t i = 0; i < loans.num_rows(); ++i) {
    classes.emplace_back(loans.column("Class").string_at(i));
  }
  const Split s = stratified_split(loans, "Class", 0.2, 2016);
  expect_partition(s, classes.size());
  EXPECT_EQ(s.test.size(), 1972u);  // ceil(0.2 × 9857)
  const auto bad = [&](const Rows& rows) {
    return std::count_if(rows.begin(), rows.end(),
                         [&](std::size_t i) { return classes[i] == "bad"; });
  };
  EXPECT_EQ(bad(s.test) + bad(s.train), 517);
  // Shares 103.4 (bad) and 1868 (good) of 1972: the leftover row goes to bad.
  EXPECT_EQ(bad(s.test), 104);
}

TEST(StratifiedSplit, TableErrors) {
  Column labels(DataType::kFloat64);
  labels.append_float64(1.0);
  labels.append_null();
  labels.append_float64(0.0);
  Table t;
  t.add_column("y", labels);
  EXPECT_THAT(error_of([&] { stratified_split(t, "y", 0.5, 1); }),
              HasSubstr("stratified_split: label column 'y' is null at row 1"));
  EXPECT_THROW(stratified_split(t, "why", 0.5, 1), TableError);
}

TEST(TemporalSplit, TrainBeforeCutoffTestFromIt) {
  const std::vector<Timestamp> t{5 * kDay, 1 * kDay, 3 * kDay, 4 * kDay, 2 * kDay};
  const Split s = temporal_split(t, 3 * kDay);
  EXPECT_THAT(s.train, ElementsAre(1, 4));
  EXPECT_THAT(s.test, ElementsAre(0, 2, 3));
}

TEST(TemporalSplit, Errors) {
  const std::vector<Timestamp> t{1 * kDay, 2 * kDay};
  EXPECT_THAT(error_of([&] { temporal_split(t, 1 * kDay); }),
              HasSubstr("temporal_split: cutoff 1970-01-02 leaves the train set empty: the "
                        "timestamps run from 1970-01-02 to 1970-01-03"));
  EXPECT_THAT(error_of([&] { temporal_split(t, 3 * kDay); }),
              HasSubstr("leaves the test set empty"));
  EXPECT_THAT(error_of([] { temporal_split(std::vector<Timestamp>{}, 0); }),
              HasSubstr("temporal_split: no rows"));
}

TEST(TemporalSplit, TableColumn) {
  Table t;
  t.add_column("when", Column::from_timestamp({3 * kDay, 1 * kDay, 2 * kDay}));
  t.add_column("x", Column::from_float64({1.0, 2.0, 3.0}));
  const Split s = temporal_split(t, "when", 2 * kDay);
  EXPECT_THAT(s.train, ElementsAre(1));
  EXPECT_THAT(s.test, ElementsAre(0, 2));
  EXPECT_THAT(error_of([&] { temporal_split(t, "x", 2 * kDay); }),
              HasSubstr("temporal_split: column 'x' is float64; pass a timestamp or int64 column"));
  Column with_null(DataType::kTimestamp);
  with_null.append_timestamp(kDay);
  with_null.append_null();
  with_null.append_timestamp(kDay);
  t.add_column("gappy", with_null);
  EXPECT_THAT(error_of([&] { temporal_split(t, "gappy", 2 * kDay); }),
              HasSubstr("time column 'gappy' is null at row 1"));
}

std::vector<Timestamp> days(std::size_t n) {
  std::vector<Timestamp> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<Timestamp>(i) * kDay;
  return t;
}

/// Every fold: train strictly before test, no row in both, within its windows.
void expect_valid(const std::vector<Fold>& folds, const std::vector<Timestamp>& t) {
  for (std::size_t k = 0; k < folds.size(); ++k) {
    SCOPED_TRACE("fold " + std::to_string(k));
    const Fold& f = folds[k];
    ASSERT_FALSE(f.train.empty());
    ASSERT_FALSE(f.test.empty());
    Timestamp last_train = std::numeric_limits<Timestamp>::min();
    for (std::size_t i : f.train) {
      EXPECT_GE(t[i], f.train_start);
      last_train = std::max(last_train, t[i]);
    }
    for (std::size_t i : f.test) {
      EXPECT_GE(t[i], f.test_start);
      EXPECT_LT(t[i], f.test_end);
      EXPECT_GT(t[i], last_train);
    }
    if (k > 0) {
      EXPECT_GT(f.test_start, folds[k - 1].test_start);
    }
  }
}

TEST(WalkForward, ExpandingWindow) {
  const auto t = days(100);
  const auto folds = walk_forward_folds(
      t, {.initial_train = std::chrono::days(30), .test_horizon = std::chrono::days(10)});
  ASSERT_EQ(folds.size(), 7u);  // tests start on days 30, 40, ..., 90
  expect_valid(folds, t);
  for (std::size_t k = 0; k < folds.size(); ++k) {
    EXPECT_EQ(folds[k].train.size(), 30 + 10 * k);
    EXPECT_EQ(folds[k].train.front(), 0u);
    EXPECT_EQ(folds[k].test.size(), 10u);
    EXPECT_EQ(folds[k].test.front(), 30 + 10 * k);
    EXPECT_EQ(folds[k].train_start, 0);
    EXPECT_EQ(folds[k].test_start, static_cast<Timestamp>(30 + 10 * k) * kDay);
    EXPECT_EQ(folds[k].test_end, static_cast<Timestamp>(40 + 10 * k) * kDay);
  }
}

TEST(WalkForward, SlidingWindowKeepsItsLength) {
  const auto t = days(100);
  const auto folds = walk_forward_folds(t, {.initial_train = std::chrono::days(30),
                                            .test_horizon = std::chrono::days(10),
                                            .window = TrainWindow::kSliding});
  ASSERT_EQ(folds.size(), 7u);
  expect_valid(folds, t);
  for (std::size_t k = 0; k < folds.size(); ++k) {
    EXPECT_EQ(folds[k].train.size(), 30u);
    EXPECT_EQ(folds[k].train.front(), 10 * k);
    EXPECT_EQ(folds[k].train_start, static_cast<Timestamp>(10 * k) * kDay);
  }
}

TEST(WalkForward, StepShorterThanHorizonAndMaxFolds) {
  const auto t = days(100);
  WalkForwardOptions o{.first_test_start = 30 * kDay,
                       .test_horizon = std::chrono::days(10),
                       .step = std::chrono::days(5)};
  auto folds = walk_forward_folds(t, o);
  ASSERT_EQ(folds.size(), 14u);  // starts 30, 35, ..., 95; the last window holds days 95-99
  expect_valid(folds, t);
  EXPECT_EQ(folds.back().test.size(), 5u);
  o.max_folds = 3;
  folds = walk_forward_folds(t, o);
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_EQ(folds[2].test_start, 40 * kDay);
}

TEST(WalkForward, UnsortedTimestampsAndGaps) {
  // Days 0-39 and 60-79, shuffled: the windows [40, 50) and [50, 60) hold nothing.
  std::vector<Timestamp> t;
  for (Timestamp d = 0; d < 80; ++d) {
    if (d < 40 || d >= 60) t.push_back(d * kDay);
  }
  std::reverse(t.begin(), t.end());
  const auto folds = walk_forward_folds(
      t, {.initial_train = std::chrono::days(20), .test_horizon = std::chrono::days(10)});
  expect_valid(folds, t);
  std::vector<Timestamp> starts;
  for (const auto& f : folds) starts.push_back(f.test_start / kDay);
  EXPECT_THAT(starts, ElementsAre(20, 30, 60, 70));
  EXPECT_EQ(folds[2].train.size(), 40u);
}

TEST(WalkForward, SkipsLongGapsWithoutVisitingEveryStep) {
  // One microsecond steps across a gap of ten years must not take 3·10^14 iterations.
  const std::vector<Timestamp> t{0, 1, 2, 3650 * kDay, 3650 * kDay + 1};
  const auto folds = walk_forward_folds(t, {.first_test_start = 2,
                                            .test_horizon = std::chrono::microseconds(1),
                                            .step = std::chrono::microseconds(1)});
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_THAT(folds[1].test, ElementsAre(3));
  EXPECT_THAT(folds[2].test, ElementsAre(4));
  EXPECT_EQ(folds[2].train.size(), 4u);
}

TEST(WalkForward, ExtremeTimestampsDoNotOverflow) {
  constexpr Timestamp kMax = std::numeric_limits<Timestamp>::max();
  constexpr Timestamp kMin = std::numeric_limits<Timestamp>::min();
  const std::vector<Timestamp> t{kMin, 0, kMax};
  const auto folds = walk_forward_folds(
      t, {.first_test_start = 0, .test_horizon = std::chrono::microseconds(kMax)});
  // [0, max) saturates at the largest timestamp, which no half-open window can hold.
  ASSERT_EQ(folds.size(), 1u);
  EXPECT_THAT(folds[0].train, ElementsAre(0));
  EXPECT_THAT(folds[0].test, ElementsAre(1));
}

TEST(WalkForward, Errors) {
  const auto t = days(10);
  const auto h = std::chrono::days(2);
  EXPECT_THAT(error_of([&] { walk_forward_folds(t, {.test_horizon = h}); }),
              HasSubstr("set exactly one of WalkForwardOptions::initial_train"));
  EXPECT_THAT(error_of([&] {
                walk_forward_folds(t,
                                   {.initial_train = h, .first_test_start = 0, .test_horizon = h});
              }),
              HasSubstr("set exactly one"));
  EXPECT_THAT(error_of([&] { walk_forward_folds(t, {.initial_train = h}); }),
              HasSubstr("test_horizon must be positive, got 0 µs"));
  EXPECT_THAT(error_of([&] {
                walk_forward_folds(
                    t, {.initial_train = h, .test_horizon = h, .step = -std::chrono::days(1)});
              }),
              HasSubstr("step must not be negative, got -1 days"));
  EXPECT_THAT(error_of([&] { walk_forward_folds(t, {.initial_train = -h, .test_horizon = h}); }),
              HasSubstr("initial_train must be positive"));
  EXPECT_THAT(error_of([&] { walk_forward_folds(t, {.first_test_start = 0, .test_horizon = h}); }),
              HasSubstr("first_test_start 1970-01-01 is at or before the earliest timestamp "
                        "1970-01-01, so the first fold has nothing to train on"));
  EXPECT_THAT(error_of([&] {
                walk_forward_folds(t, {.initial_train = std::chrono::days(10), .test_horizon = h});
              }),
              HasSubstr("the first test window starts at 1970-01-11, after the latest timestamp "
                        "1970-01-10"));
  EXPECT_THAT(error_of([] {
                walk_forward_folds(
                    std::vector<Timestamp>{},
                    {.initial_train = std::chrono::days(1), .test_horizon = std::chrono::days(1)});
              }),
              HasSubstr("walk_forward_folds: no rows"));
}

TEST(WalkForward, ChicagoRidershipBacktest) {
  // 5 698 consecutive days, 2001-01-22 to 2016-08-28: three years of training, then 28-day
  // test windows to the end.
  const Table chicago = read_csv(std::filesystem::path(CAIRN_SOURCE_DIR) / "data" / "chicago.csv");
  ASSERT_EQ(chicago.column("date").type(), DataType::kTimestamp);
  const std::span<const Timestamp> day = chicago.column("date").int64_values();
  const std::vector<Timestamp> dates(day.begin(), day.end());
  ASSERT_EQ(dates.size(), 5698u);
  const auto folds = walk_forward_folds(
      chicago, "date",
      {.initial_train = std::chrono::days(3 * 365), .test_horizon = std::chrono::days(28)});
  expect_valid(folds, dates);
  // Test days: 5698 − 1095 = 4603 = 164 × 28 + 11.
  ASSERT_EQ(folds.size(), 165u);
  EXPECT_EQ(folds.front().train.size(), 1095u);
  EXPECT_EQ(format_timestamp(folds.front().test_start), "2004-01-22");
  EXPECT_EQ(folds.back().test.size(), 11u);
  for (std::size_t k = 0; k + 1 < folds.size(); ++k) EXPECT_EQ(folds[k].test.size(), 28u);
}

}  // namespace
}  // namespace cairn::ml
