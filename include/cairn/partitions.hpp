#pragma once
/// @file partitions.hpp
/// Partitions: the slices of an asset (a day, a model name, a region) and how the partitions of
/// an asset map to those of its upstreams (docs/partitions.md).
///
/// @code
///   auto raw = cairn::asset<Table>("credit/raw")
///       .partitioned(cairn::daily("2025-01-01", "Europe/London"))
///       .compute([](cairn::Context& ctx) { return load_day(ctx.partition_window()); });
///
///   // Yesterday's partition of `raw` for each day of `drift`:
///   auto drift = cairn::asset<double>("credit/drift")
///       .partitioned(cairn::daily("2025-01-02", "Europe/London"))
///       .compute([](cairn::Context&, const Table& today, const Table& yesterday) { ... },
///                raw, raw.offset(-1));
///
///   // Every partition of `raw` at once (fan-in): the value is a map key -> Table.
///   auto model = cairn::asset<Model>("credit/model")
///       .compute([](cairn::Context&, const cairn::Partitioned<Table>& days) { ... },
///                raw.all_partitions());
/// @endcode

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/error.hpp"

namespace cairn {

/// A partition key that the asset's definition does not contain, or a definition that cannot
/// be built (unknown time zone, bad start date, bad format). The message states the valid range.
class PartitionError : public Error {
 public:
  using Error::Error;
};

/// A half-open interval of absolute time [start, end): the time window of a time-partitioned
/// asset's partition.
struct TimeWindow {
  std::chrono::sys_seconds start{};
  std::chrono::sys_seconds end{};
  bool operator==(const TimeWindow&) const = default;
};

enum class PartitionsKind { kStatic, kTimeWindow, kDynamic };
enum class Cadence { kHourly, kDaily, kWeekly, kMonthly };

/// Options of a time-window partitions definition.
struct TimeWindowOptions {
  /// Exclusive end (a start-of-window in the same format as the start): the last partition is
  /// the last window ending at or before it. Empty: open-ended, the last partition is the last
  /// window that has ended by "now".
  std::string end{};
  /// strftime-style key format (%Y %m %d %H %M); empty: the cadence's default
  /// ("%Y-%m-%d-%H:%M" hourly, "%Y-%m-%d" otherwise).
  std::string format{};
  int minute_offset = 0;  ///< windows start at this minute of the hour (hourly and longer)
  int hour_offset = 0;    ///< windows start at this hour of the day (daily and longer)
  int day_offset = 0;     ///< weekly: 0 = Sunday .. 6; monthly: day of the month - 1 (0..27)
};

namespace detail {
class PartitionsImpl;  // src/partitions
}

/// How an asset is partitioned. A value type (cheap to copy, immutable, safe to share between
/// threads).
///
/// @code
///   auto days = cairn::daily("2025-01-01", "Europe/London");
///   days.keys(now);                  // "2025-01-01" ... the last day that has ended by `now`
///   days.window("2025-03-30");       // 23 hours: the clocks go forward that day
///   days.shift("2025-01-05", -1);    // "2025-01-04"
///   days.validate_key("2024-12-31", now);  // throws PartitionError: "... is before the first"
/// @endcode
class PartitionsDefinition {
 public:
  PartitionsKind kind() const;
  /// One line for humans: "daily from 2025-01-01 (Europe/London)", "static: a, b, c",
  /// "dynamic 'models'".
  std::string describe() const;
  /// True when both define the same partitions (same kind and parameters, or same dynamic name).
  bool operator==(const PartitionsDefinition& other) const;

  /// Static: the keys. Throws PartitionError for other kinds.
  const std::vector<std::string>& static_keys() const;
  /// Dynamic: the name of the set. Throws PartitionError for other kinds.
  const std::string& dynamic_name() const;
  /// Time windows: the cadence. Throws PartitionError for other kinds.
  Cadence cadence() const;
  /// Time windows: the IANA time zone name.
  const std::string& timezone() const;

  /// The keys of a static or time-window definition that exist at `now`, in order (time
  /// windows: every window starting at or after start that has ended by `now`, and before the
  /// end if one is set). `dynamic_keys` is the current content of a dynamic set, and is
  /// returned as given for a dynamic definition.
  std::vector<std::string> keys(std::chrono::sys_seconds now,
                                const std::vector<std::string>& dynamic_keys = {}) const;
  /// Throws PartitionError if `key` is not a key of this definition at `now`; the message says
  /// what the valid keys are ("daily partitions from 2025-01-01 to 2025-03-04 (UTC), keys like
  /// 2025-01-01").
  void validate_key(std::string_view key, std::chrono::sys_seconds now,
                    const std::vector<std::string>& dynamic_keys = {}) const;
  /// Time windows: the window of `key`. Throws PartitionError if the key does not parse or is
  /// outside the definition.
  TimeWindow window(std::string_view key) const;
  /// Time windows: the key `steps` windows after (negative: before) `key`, or nullopt if that
  /// falls before the start or at/after the end.
  std::optional<std::string> shift(std::string_view key, int steps) const;
  /// Time windows: the key of the window containing `t`, or nullopt if before the start.
  std::optional<std::string> key_containing(std::chrono::sys_seconds t) const;
  /// The keys from `first` to `last` inclusive, in definition order (for `--partitions
  /// FROM..TO`). Throws PartitionError if either is not a key or `last` comes before `first`.
  std::vector<std::string> range(std::string_view first, std::string_view last,
                                 std::chrono::sys_seconds now,
                                 const std::vector<std::string>& dynamic_keys = {}) const;

  /// Internal.
  explicit PartitionsDefinition(std::shared_ptr<const detail::PartitionsImpl> impl);
  const detail::PartitionsImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const detail::PartitionsImpl> impl_;
};

/// A fixed list of keys (e.g. model variants, regions). Throws PartitionError on an empty list,
/// a duplicate, or a key with characters outside [A-Za-z0-9_.:@+-].
///
/// @code
///   auto by_region = cairn::asset<Table>("sales/by_region")
///       .partitioned(cairn::static_partitions({"eu", "us", "apac"}))
///       .compute([](cairn::Context& ctx) { return load_region(ctx.partition_key()); });
/// @endcode
PartitionsDefinition static_partitions(std::vector<std::string> keys);
/// A named set of keys added at run time (ctx.add_dynamic_partitions(), the CLI's `partitions
/// add`, or a sensor). Throws PartitionError on an invalid name (letters, digits, _ and -).
///
/// @code
///   auto evaluation = cairn::asset<double>("models/evaluation")
///       .partitioned(cairn::dynamic_partitions("models"))
///       .compute([](cairn::Context& ctx) { return evaluate(ctx.partition_key()); });
/// @endcode
PartitionsDefinition dynamic_partitions(std::string name);
/// Time windows in an IANA time zone; the first window is the first one starting at or after
/// `start` ("2025-01-01", or "2025-01-01-06:00" for hourly). Windows follow the local calendar:
/// a daily window on a DST change lasts 23 or 25 hours. Hourly windows are consecutive real
/// hours: a skipped local hour has no partition, and the second of two repeated local hours is
/// keyed with the suffix "-2nd" ("2025-10-26-01:00-2nd"). Throws PartitionError on an unknown
/// time zone, a start or end that does not parse, an offset out of range, or a key format that
/// would give two windows the same key.
///
/// @code
///   cairn::daily("2025-01-01", "America/New_York", {.hour_offset = 6});
///   cairn::hourly("2025-01-01-00:00", "Europe/London");
///   cairn::weekly("2025-01-01", "UTC", {.day_offset = 1});    // weeks start on Monday
///   cairn::monthly("2025-01", "UTC", {.format = "%Y-%m"});   // keys "2025-01", "2025-02"
/// @endcode
PartitionsDefinition hourly(std::string start, std::string timezone = "UTC",
                            TimeWindowOptions options = {});
PartitionsDefinition daily(std::string start, std::string timezone = "UTC",
                           TimeWindowOptions options = {});
PartitionsDefinition weekly(std::string start, std::string timezone = "UTC",
                            TimeWindowOptions options = {});
PartitionsDefinition monthly(std::string start, std::string timezone = "UTC",
                             TimeWindowOptions options = {});

/// How the partitions of a downstream asset map to those of one upstream.
struct PartitionMapping {
  enum class Kind {
    kDefault,  ///< identity if both are partitioned alike; the single value if the upstream
               ///< is not partitioned
    kOffset,   ///< time windows: the upstream window `offset` windows away (-1: the previous)
    kAll,      ///< every partition of the upstream (fan-in); value is Partitioned<T>
    kStatic,   ///< explicit downstream key -> upstream key
    kSingle,   ///< always this one upstream partition
  };
  Kind kind = Kind::kDefault;
  int offset = 0;
  std::map<std::string, std::string> static_map{};
  std::string single_key{};
};

/// The value of a fan-in dependency (`upstream.all_partitions()`): every materialized
/// partition of the upstream, by key, in the definition's order of keys.
template <class T>
struct Partitioned {
  std::vector<std::pair<std::string, T>> parts;

  std::size_t size() const { return parts.size(); }
  auto begin() const { return parts.begin(); }
  auto end() const { return parts.end(); }
  /// The value of `key`. Throws NotFoundError if the upstream has no such partition.
  const T& at(std::string_view key) const {
    for (const auto& [k, v] : parts) {
      if (k == key) return v;
    }
    throw NotFoundError("no partition '" + std::string(key) + "' in this fan-in input");
  }
};

}  // namespace cairn
