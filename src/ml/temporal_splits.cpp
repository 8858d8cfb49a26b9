// Time-based splits: temporal_split (one cutoff) and walk_forward_folds (a cutoff that moves).
//
// Walk-forward sorts the row indices by timestamp once and finds each fold's windows by binary
// search, so a fold costs O(log n + its rows). Window arithmetic is done on unsigned offsets
// from the first test start: timestamps may lie anywhere in int64 and a signed overflow would be
// undefined behaviour.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "cairn/ml/splits.hpp"

namespace cairn::ml {

namespace {

std::string duration_text(std::chrono::microseconds d) {
  constexpr std::int64_t kDay = 86'400'000'000;
  constexpr std::int64_t kSecond = 1'000'000;
  const std::int64_t us = d.count();
  if (us != 0 && us % kDay == 0) return std::to_string(us / kDay) + " days";
  if (us != 0 && us % kSecond == 0) return std::to_string(us / kSecond) + " s";
  return std::to_string(us) + " µs";
}

/// The column's values as timestamps; throws for other types and nulls.
std::span<const Timestamp> time_values(std::string_view split, const Table& table,
                                       std::string_view time_column) {
  const Column& column = table.column(time_column);
  if (column.type() != DataType::kTimestamp && column.type() != DataType::kInt64) {
    throw SplitError(std::string(split) + ": column '" + std::string(time_column) + "' is " +
                     std::string(to_string(column.type())) +
                     "; pass a timestamp or int64 column (read it with a schema that types it "
                     "as timestamp)");
  }
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (column.is_null(i)) {
      throw SplitError(std::string(split) + ": time column '" + std::string(time_column) +
                       "' is null at row " + std::to_string(i) +
                       "; drop or fill rows without a time first");
    }
  }
  return column.int64_values();
}

std::vector<std::size_t> ascending(std::vector<std::size_t>::const_iterator first,
                                   std::vector<std::size_t>::const_iterator last) {
  std::vector<std::size_t> rows(first, last);
  std::sort(rows.begin(), rows.end());
  return rows;
}

Timestamp plus(Timestamp t, std::uint64_t offset) {
  return static_cast<Timestamp>(static_cast<std::uint64_t>(t) + offset);
}

/// t + d for d > 0, or the largest timestamp when that overflows.
Timestamp plus_saturating(Timestamp t, std::chrono::microseconds d) {
  const std::int64_t us = d.count();
  return t > std::numeric_limits<Timestamp>::max() - us ? std::numeric_limits<Timestamp>::max()
                                                        : t + us;
}

struct CheckedOptions {
  Timestamp first_test_start = 0;
  std::uint64_t horizon = 0;
  std::uint64_t step = 0;
};

CheckedOptions check(const WalkForwardOptions& o, Timestamp earliest, Timestamp latest) {
  constexpr std::string_view kName = "walk_forward_folds: ";
  if (o.initial_train.has_value() == o.first_test_start.has_value()) {
    throw SplitError(std::string(kName) +
                     "set exactly one of WalkForwardOptions::initial_train (a duration) and "
                     "first_test_start (a timestamp)");
  }
  if (o.test_horizon.count() <= 0) {
    throw SplitError(std::string(kName) + "test_horizon must be positive, got " +
                     duration_text(o.test_horizon) + "; e.g. std::chrono::days(28)");
  }
  if (o.step.count() < 0) {
    throw SplitError(std::string(kName) + "step must not be negative, got " +
                     duration_text(o.step) + "; 0 means one test horizon");
  }
  if (o.initial_train && o.initial_train->count() <= 0) {
    throw SplitError(std::string(kName) + "initial_train must be positive, got " +
                     duration_text(*o.initial_train));
  }
  CheckedOptions c;
  c.first_test_start =
      o.first_test_start ? *o.first_test_start : plus_saturating(earliest, *o.initial_train);
  if (c.first_test_start <= earliest) {
    throw SplitError(std::string(kName) + "first_test_start " +
                     format_timestamp(c.first_test_start) +
                     " is at or before the earliest timestamp " + format_timestamp(earliest) +
                     ", so the first fold has nothing to train on; start the tests later");
  }
  if (c.first_test_start > latest) {
    throw SplitError(std::string(kName) + "the first test window starts at " +
                     format_timestamp(c.first_test_start) + ", after the latest timestamp " +
                     format_timestamp(latest) +
                     "; shorten initial_train or move first_test_start earlier");
  }
  c.horizon = static_cast<std::uint64_t>(o.test_horizon.count());
  c.step = o.step.count() == 0 ? c.horizon : static_cast<std::uint64_t>(o.step.count());
  return c;
}

}  // namespace

Split temporal_split(std::span<const Timestamp> timestamps, Timestamp cutoff) {
  if (timestamps.empty()) throw SplitError("temporal_split: no rows to split");
  Split split;
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    (timestamps[i] < cutoff ? split.train : split.test).push_back(i);
  }
  if (split.train.empty() || split.test.empty()) {
    const auto [earliest, latest] = std::minmax_element(timestamps.begin(), timestamps.end());
    throw SplitError("temporal_split: cutoff " + format_timestamp(cutoff) + " leaves the " +
                     (split.train.empty() ? "train" : "test") +
                     " set empty: the timestamps run from " + format_timestamp(*earliest) + " to " +
                     format_timestamp(*latest) +
                     "; pick a cutoff after the first and at or before the last");
  }
  return split;
}

Split temporal_split(const Table& table, std::string_view time_column, Timestamp cutoff) {
  return temporal_split(time_values("temporal_split", table, time_column), cutoff);
}

std::vector<Fold> walk_forward_folds(std::span<const Timestamp> timestamps,
                                     const WalkForwardOptions& options) {
  if (timestamps.empty()) throw SplitError("walk_forward_folds: no rows to split");
  std::vector<std::size_t> order(timestamps.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return timestamps[a] < timestamps[b]; });
  std::vector<Timestamp> sorted(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = timestamps[order[i]];
  const Timestamp earliest = sorted.front();
  const Timestamp latest = sorted.back();
  const CheckedOptions o = check(options, earliest, latest);

  const std::uint64_t last_offset =
      static_cast<std::uint64_t>(latest) - static_cast<std::uint64_t>(o.first_test_start);
  const auto at = [&](Timestamp t) {
    return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), t) -
                                    sorted.begin());
  };

  std::vector<Fold> folds;
  std::uint64_t offset = 0;  // of the fold's test start from the first test start
  while (offset <= last_offset && (options.max_folds == 0 || folds.size() < options.max_folds)) {
    const Timestamp test_start = plus(o.first_test_start, offset);
    const Timestamp test_end = plus_saturating(
        test_start, std::chrono::microseconds(static_cast<std::int64_t>(o.horizon)));
    // A sliding window keeps the first fold's length, first_test_start − earliest.
    const Timestamp train_start =
        options.window == TrainWindow::kExpanding ? earliest : plus(earliest, offset);
    const std::size_t lo = at(train_start);
    const std::size_t mid = at(test_start);
    const std::size_t hi = at(test_end);

    std::uint64_t next = offset + o.step;
    if (mid == hi && mid < sorted.size()) {
      // A gap: jump to the first window that reaches the next timestamp, t < start + horizon.
      const std::uint64_t gap =
          static_cast<std::uint64_t>(sorted[mid]) - static_cast<std::uint64_t>(o.first_test_start);
      if (gap >= o.horizon) {
        const std::uint64_t steps = (gap - o.horizon) / o.step + 1;
        if (steps > std::numeric_limits<std::uint64_t>::max() / o.step) break;
        next = std::max(next, steps * o.step);
      }
    } else if (lo < mid && mid < hi) {
      Fold fold;
      fold.train = ascending(order.begin() + static_cast<std::ptrdiff_t>(lo),
                             order.begin() + static_cast<std::ptrdiff_t>(mid));
      fold.test = ascending(order.begin() + static_cast<std::ptrdiff_t>(mid),
                            order.begin() + static_cast<std::ptrdiff_t>(hi));
      fold.train_start = train_start;
      fold.test_start = test_start;
      fold.test_end = test_end;
      folds.push_back(std::move(fold));
    }
    if (next < offset) break;  // wrapped around: past every timestamp
    offset = next;
  }
  if (folds.empty()) {
    throw SplitError(
        "walk_forward_folds: no fold has rows in both its train and its test "
        "window (the timestamps run from " +
        format_timestamp(earliest) + " to " + format_timestamp(latest) +
        "); shorten initial_train or test_horizon");
  }
  return folds;
}

std::vector<Fold> walk_forward_folds(const Table& table, std::string_view time_column,
                                     const WalkForwardOptions& options) {
  return walk_forward_folds(time_values("walk_forward_folds", table, time_column), options);
}

}  // namespace cairn::ml
