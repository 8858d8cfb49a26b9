#pragma once
// Step keys (DESIGN.md §1): a step is one asset × one partition, named "asset[partition]" when
// the asset is partitioned and "asset" otherwise. PartitionSpace::step_key() writes them; the
// engine, the event log, backfills and the automation evaluator read them back with
// split_step_key(). It sits in core because storage reads step keys too (a backfill partition's
// outcome is decided when its run's final event is appended).

#include <string_view>
#include <utility>

namespace cairn {

/// Splits a step key into asset key and partition key ("a/b[2025-01-01]" -> {"a/b",
/// "2025-01-01"}; "a/b" -> {"a/b", ""}).
inline std::pair<std::string_view, std::string_view> split_step_key(std::string_view step_key) {
  const std::size_t open = step_key.find('[');
  if (open == std::string_view::npos || !step_key.ends_with(']')) return {step_key, {}};
  return {step_key.substr(0, open), step_key.substr(open + 1, step_key.size() - open - 2)};
}

}  // namespace cairn
