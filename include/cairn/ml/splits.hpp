#pragma once
/// @file splits.hpp
/// Train/test splits of a table's rows: random, stratified by label, temporal (train before a
/// cutoff, test from it on) and walk-forward backtest folds. A split is two lists of row
/// indices, ascending, to pass to Table::take.
///
/// @code
///   using namespace cairn::ml;
///   Split s = stratified_split(loans, "Class", 0.2, /*seed=*/42);
///   Table train = loans.take(s.train), test = loans.take(s.test);
///
///   WalkForwardOptions o{.initial_train = std::chrono::days(3 * 365),
///                        .test_horizon = std::chrono::days(28)};
///   for (const Fold& fold : walk_forward_folds(chicago, "date", o)) { ... }
/// @endcode
///
/// Random splits are the same on every platform and compiler for the same seed: they use
/// cairn's own generator (xoshiro256** seeded by splitmix64) and Fisher–Yates shuffle, not
/// <random>'s distributions, whose output the standard leaves to each library.
/// Bad input (an empty data set, a fraction outside (0, 1), a split that leaves one side
/// empty, a null or NaN label or timestamp) throws SplitError. docs/ml-metrics.md has pictures.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cairn/error.hpp"
#include "cairn/ml/table.hpp"

namespace cairn::ml {

/// A split was asked for with input it cannot honour (see the file comment).
class SplitError : public Error {
 public:
  using Error::Error;
};

/// Row indices of the training and the test set: disjoint, each ascending.
struct Split {
  std::vector<std::size_t> train = {};
  std::vector<std::size_t> test = {};
};

/// `rows` rows shuffled with `seed`; the test set gets ceil(test_fraction × rows) of them (as
/// scikit-learn's train_test_split; representation noise below 1e-9 is ignored, so 0.3 × 10 is
/// 3), the train set the rest. Throws SplitError when either side would be empty.
Split random_split(std::size_t rows, double test_fraction, std::uint64_t seed);

/// Like random_split, but each class (distinct label value) is split on its own, so both sets
/// keep the class proportions. The test set has ceil(test_fraction × rows) rows, as
/// random_split's; class c gets floor(test_fraction × n_c) of them or one more, the extra rows
/// going to the classes with the largest remainders test_fraction × n_c − floor(...) (ties: the
/// class whose label sorts first). A class of one row can therefore land wholly in either set.
/// Throws SplitError for a NaN label.
Split stratified_split(std::span<const double> labels, double test_fraction, std::uint64_t seed);
/// The labels are a column of `table`: numeric, bool or string (each distinct string is a
/// class). Throws SplitError naming the row of a null label; TableError for an unknown column.
Split stratified_split(const Table& table, std::string_view label_column, double test_fraction,
                       std::uint64_t seed);

/// Train: rows with timestamp < cutoff. Test: rows with timestamp >= cutoff. Throws SplitError
/// when either side is empty, saying where the data starts and ends.
Split temporal_split(std::span<const Timestamp> timestamps, Timestamp cutoff);
/// The timestamps are a timestamp or int64 column of `table`, without nulls.
Split temporal_split(const Table& table, std::string_view time_column, Timestamp cutoff);

/// How the training window of later walk-forward folds moves.
enum class TrainWindow {
  kExpanding,  ///< from the earliest timestamp to the fold's test start
  kSliding,    ///< the length of the first fold's window, ending at the fold's test start
};

/// Walk-forward (rolling-origin) backtesting. Set exactly one of `initial_train` and
/// `first_test_start`; `test_horizon` is required.
struct WalkForwardOptions {
  /// The first fold's test window starts this long after the earliest timestamp.
  std::optional<std::chrono::microseconds> initial_train = std::nullopt;
  /// ... or at this timestamp.
  std::optional<Timestamp> first_test_start = std::nullopt;
  /// Length of every test window.
  std::chrono::microseconds test_horizon{0};
  /// How far each fold's test window starts after the previous one's. Default (0): the test
  /// horizon, so the test windows tile the time axis without overlap.
  std::chrono::microseconds step{0};
  TrainWindow window = TrainWindow::kExpanding;
  /// At most this many folds, the earliest ones. 0: no limit.
  std::size_t max_folds = 0;
};

/// One walk-forward fold: the rows of [train_start, test_start) and of [test_start, test_end).
/// Every training row is strictly earlier than every test row.
struct Fold : Split {
  Timestamp train_start = 0;
  Timestamp test_start = 0;
  Timestamp test_end = 0;
};

/// Folds in time order. Fold k tests on [s + k·step, s + k·step + test_horizon), where s is the
/// first test start, while that window starts at or before the latest timestamp; the last
/// window may be cut short by the end of the data. A fold whose train or test window holds no
/// row (a gap in the data) is left out. Timestamps need not be sorted.
/// Throws SplitError for missing or non-positive durations, when both or neither of
/// `initial_train` and `first_test_start` are set, or when no fold has rows on both sides.
std::vector<Fold> walk_forward_folds(std::span<const Timestamp> timestamps,
                                     const WalkForwardOptions& options);
/// The timestamps are a timestamp or int64 column of `table`, without nulls.
std::vector<Fold> walk_forward_folds(const Table& table, std::string_view time_column,
                                     const WalkForwardOptions& options);

}  // namespace cairn::ml
