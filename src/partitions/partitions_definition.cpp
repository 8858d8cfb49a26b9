// The public functions of cairn/partitions.hpp: building definitions and asking them for keys.

#include <algorithm>

#include "cairn/partitions.hpp"
#include "core/suggest.hpp"
#include "partitions/partition_key.hpp"
#include "partitions/partitions_impl.hpp"
#include "partitions/time_window.hpp"

namespace cairn {

namespace {

using detail::PartitionsImpl;

constexpr std::size_t kKeysShown = 10;

std::string list_keys(const std::vector<std::string>& keys) {
  std::string text;
  for (std::size_t i = 0; i < keys.size() && i < kKeysShown; ++i) {
    if (i > 0) text += ", ";
    text += keys[i];
  }
  if (keys.size() > kKeysShown) text += ", ... (" + std::to_string(keys.size()) + " keys)";
  return text;
}

PartitionsDefinition make_time_windows(Cadence cadence, std::string_view start,
                                       std::string_view timezone,
                                       const TimeWindowOptions& options) {
  auto impl = std::make_shared<PartitionsImpl>();
  impl->kind = PartitionsKind::kTimeWindow;
  impl->windows = TimeWindowSchedule::make(cadence, start, timezone, options);
  return PartitionsDefinition(std::move(impl));
}

/// The window number of `key` within the definition's start and end; throws PartitionError
/// stating the range otherwise.
std::int64_t window_index(const TimeWindowSchedule& windows, std::string_view key,
                          const std::string& range) {
  auto parsed = windows.parse_key(key);
  if (const auto* why = std::get_if<std::string>(&parsed)) {
    throw PartitionError(range + "; '" + std::string(key) + "' " + *why);
  }
  const std::int64_t i = std::get<std::int64_t>(parsed);
  if (i < 0) throw PartitionError(range + "; '" + std::string(key) + "' is before the first");
  if (windows.end_count() && i >= *windows.end_count()) {
    throw PartitionError(range + "; '" + std::string(key) + "' is after the last (the definition " +
                         "ends at " +
                         windows.local_text(windows.window_start(*windows.end_count())) + ")");
  }
  return i;
}

/// The position of `key` among the keys of a definition at `now` (time windows: its window
/// number); throws PartitionError stating the valid keys otherwise.
std::size_t position_of(const PartitionsDefinition& def, std::string_view key,
                        std::chrono::sys_seconds now,
                        const std::vector<std::string>& dynamic_keys) {
  const PartitionsImpl& impl = def.impl();
  switch (impl.kind) {
    case PartitionsKind::kStatic: {
      if (auto at = impl.static_position(key)) return *at;
      throw PartitionError("'" + std::string(key) + "' is not one of the static partitions " +
                           list_keys(impl.static_keys) + did_you_mean(key, impl.static_keys));
    }
    case PartitionsKind::kDynamic: {
      auto it = std::find(dynamic_keys.begin(), dynamic_keys.end(), key);
      if (it != dynamic_keys.end()) return static_cast<std::size_t>(it - dynamic_keys.begin());
      const std::string add = "; add it with ctx.add_dynamic_partitions() or `partitions add " +
                              impl.dynamic_name + " " + std::string(key) + "`";
      if (dynamic_keys.empty()) {
        throw PartitionError("'" + std::string(key) + "' is not in dynamic partition set '" +
                             impl.dynamic_name + "', which is empty" + add);
      }
      throw PartitionError("'" + std::string(key) + "' is not in dynamic partition set '" +
                           impl.dynamic_name + "' (" + list_keys(dynamic_keys) + ")" +
                           did_you_mean(key, dynamic_keys) + add);
    }
    case PartitionsKind::kTimeWindow: {
      const TimeWindowSchedule& windows = *impl.windows;
      const std::string range = windows.describe_range(now);
      const std::int64_t i = window_index(windows, key, range);
      if (i >= windows.count(now)) {
        throw PartitionError(range + "; '" + std::string(key) +
                             "' is after the last: its window has not ended yet (it ends " +
                             windows.local_text(windows.window_start(i + 1)) + ")");
      }
      return static_cast<std::size_t>(i);
    }
  }
  return 0;
}

const TimeWindowSchedule& windows_of(const PartitionsDefinition& def, std::string_view what) {
  if (def.kind() != PartitionsKind::kTimeWindow) {
    throw PartitionError(std::string(what) + " applies to time-window partitions only, not to " +
                         def.describe());
  }
  return *def.impl().windows;
}

}  // namespace

PartitionsDefinition::PartitionsDefinition(std::shared_ptr<const detail::PartitionsImpl> impl)
    : impl_(std::move(impl)) {}

PartitionsKind PartitionsDefinition::kind() const {
  return impl_->kind;
}

std::string PartitionsDefinition::describe() const {
  switch (impl_->kind) {
    case PartitionsKind::kStatic:
      return "static: " + list_keys(impl_->static_keys);
    case PartitionsKind::kDynamic:
      return "dynamic '" + impl_->dynamic_name + "'";
    case PartitionsKind::kTimeWindow:
      return impl_->windows->describe();
  }
  return "";
}

bool PartitionsDefinition::operator==(const PartitionsDefinition& other) const {
  if (impl_ == other.impl_) return true;
  if (impl_->kind != other.impl_->kind) return false;
  switch (impl_->kind) {
    case PartitionsKind::kStatic:
      return impl_->static_keys == other.impl_->static_keys;
    case PartitionsKind::kDynamic:
      return impl_->dynamic_name == other.impl_->dynamic_name;
    case PartitionsKind::kTimeWindow:
      return *impl_->windows == *other.impl_->windows;
  }
  return false;
}

const std::vector<std::string>& PartitionsDefinition::static_keys() const {
  if (impl_->kind != PartitionsKind::kStatic) {
    throw PartitionError("static_keys() applies to static partitions only, not to " + describe());
  }
  return impl_->static_keys;
}

const std::string& PartitionsDefinition::dynamic_name() const {
  if (impl_->kind != PartitionsKind::kDynamic) {
    throw PartitionError("dynamic_name() applies to dynamic partitions only, not to " + describe());
  }
  return impl_->dynamic_name;
}

Cadence PartitionsDefinition::cadence() const {
  return windows_of(*this, "cadence()").cadence();
}

const std::string& PartitionsDefinition::timezone() const {
  return windows_of(*this, "timezone()").timezone();
}

std::vector<std::string> PartitionsDefinition::keys(
    std::chrono::sys_seconds now, const std::vector<std::string>& dynamic_keys) const {
  switch (impl_->kind) {
    case PartitionsKind::kStatic:
      return impl_->static_keys;
    case PartitionsKind::kDynamic:
      return dynamic_keys;
    case PartitionsKind::kTimeWindow: {
      std::vector<std::string> keys;
      impl_->windows->append_keys(0, impl_->windows->count(now), keys);
      return keys;
    }
  }
  return {};
}

void PartitionsDefinition::validate_key(std::string_view key, std::chrono::sys_seconds now,
                                        const std::vector<std::string>& dynamic_keys) const {
  position_of(*this, key, now, dynamic_keys);
}

TimeWindow PartitionsDefinition::window(std::string_view key) const {
  const TimeWindowSchedule& windows = windows_of(*this, "window()");
  return windows.window(window_index(windows, key, windows.describe()));
}

std::optional<std::string> PartitionsDefinition::shift(std::string_view key, int steps) const {
  const TimeWindowSchedule& windows = windows_of(*this, "shift()");
  const std::int64_t i = window_index(windows, key, windows.describe()) + steps;
  if (i < 0 || (windows.end_count() && i >= *windows.end_count())) return std::nullopt;
  return windows.key(i);
}

std::optional<std::string> PartitionsDefinition::key_containing(std::chrono::sys_seconds t) const {
  const TimeWindowSchedule& windows = windows_of(*this, "key_containing()");
  const std::int64_t i = windows.index_at(t);
  if (i < 0 || (windows.end_count() && i >= *windows.end_count())) return std::nullopt;
  return windows.key(i);
}

std::vector<std::string> PartitionsDefinition::range(
    std::string_view first, std::string_view last, std::chrono::sys_seconds now,
    const std::vector<std::string>& dynamic_keys) const {
  const std::size_t from = position_of(*this, first, now, dynamic_keys);
  const std::size_t to = position_of(*this, last, now, dynamic_keys);
  if (to < from) {
    throw PartitionError("partition range " + std::string(first) + ".." + std::string(last) +
                         " is backwards: '" + std::string(last) + "' comes before '" +
                         std::string(first) + "' in " + describe() + "; swap them");
  }
  switch (impl_->kind) {
    case PartitionsKind::kStatic:
      return {impl_->static_keys.begin() + static_cast<std::ptrdiff_t>(from),
              impl_->static_keys.begin() + static_cast<std::ptrdiff_t>(to) + 1};
    case PartitionsKind::kDynamic:
      return {dynamic_keys.begin() + static_cast<std::ptrdiff_t>(from),
              dynamic_keys.begin() + static_cast<std::ptrdiff_t>(to) + 1};
    case PartitionsKind::kTimeWindow: {
      std::vector<std::string> keys;
      impl_->windows->append_keys(static_cast<std::int64_t>(from),
                                  static_cast<std::int64_t>(to) + 1, keys);
      return keys;
    }
  }
  return {};
}

PartitionsDefinition static_partitions(std::vector<std::string> keys) {
  if (keys.empty()) {
    throw PartitionError(
        "static partitions need at least one key; list the keys, e.g. "
        "static_partitions({\"eu\", \"us\"})");
  }
  auto impl = std::make_shared<PartitionsImpl>();
  impl->kind = PartitionsKind::kStatic;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    validate_partition_key(keys[i], "static partitions");
    if (!impl->static_positions.emplace(keys[i], static_cast<std::uint32_t>(i)).second) {
      throw PartitionError("static partitions list '" + keys[i] + "' twice; remove one");
    }
  }
  impl->static_keys = std::move(keys);
  return PartitionsDefinition(std::move(impl));
}

PartitionsDefinition dynamic_partitions(std::string name) {
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  if (!valid) {
    throw PartitionError("invalid dynamic partition set name '" + name +
                         "': use letters, digits, _ and - (e.g. \"models\")");
  }
  auto impl = std::make_shared<PartitionsImpl>();
  impl->kind = PartitionsKind::kDynamic;
  impl->dynamic_name = std::move(name);
  return PartitionsDefinition(std::move(impl));
}

PartitionsDefinition hourly(std::string start, std::string timezone, TimeWindowOptions options) {
  return make_time_windows(Cadence::kHourly, start, timezone, options);
}

PartitionsDefinition daily(std::string start, std::string timezone, TimeWindowOptions options) {
  return make_time_windows(Cadence::kDaily, start, timezone, options);
}

PartitionsDefinition weekly(std::string start, std::string timezone, TimeWindowOptions options) {
  return make_time_windows(Cadence::kWeekly, start, timezone, options);
}

PartitionsDefinition monthly(std::string start, std::string timezone, TimeWindowOptions options) {
  return make_time_windows(Cadence::kMonthly, start, timezone, options);
}

}  // namespace cairn
