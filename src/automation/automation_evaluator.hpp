#pragma once
// The automation conditions on assets (eager, on_cron, on_missing; docs/staleness.md): which
// steps the daemon should request now, and for every automated asset why (or why not).
//
// Design note: one evaluation is a single pass over the steps of the space in topological order,
// reading the StalenessIndex's freshness bits and upstream lists; it allocates strings only for
// steps that are requested or blocked. A step is "pending" when new data is on its way to it: it
// is in progress, requested in this evaluation, or an eager step downstream of a pending one.
// An eager step with a pending upstream waits, so a chain of eager assets is materialized one
// link per evaluation, each after its upstream's materialization, instead of all at once on stale
// inputs.
//
// What the evaluator must remember between evaluations is in AutomationCursor, which the daemon
// stores as the automation instigator's cursor (a JSON text):
//  - per requested step, the newest event id among its own and its upstreams' materializations
//    and observations when it was requested: a step whose run failed is not requested again
//    until something it depends on changes (no retry storm);
//  - per on_cron asset, up to when cron ticks were looked for, and the latest tick not yet
//    served.
// Rejected: keeping that state in the daemon's memory (lost on restart: every failed step would
// be retried and every cron tick missed) and deriving it from the run history (a query per step).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/automation.hpp"
#include "core/storage.hpp"
#include "plan/staleness.hpp"

namespace cairn {

/// The first time after `after` at which the cron of an on_cron `condition` (with its time zone)
/// fires. The daemon owns the cron parser; tests pass a fake.
using NextCronTime = std::function<std::chrono::sys_seconds(const AutomationCondition& condition,
                                                            std::chrono::sys_seconds after)>;

/// The evaluator's memory between evaluations (see the note at the top).
struct AutomationCursor {
  struct CronState {
    std::chrono::sys_seconds searched_until{};             ///< ticks up to here were looked for
    std::optional<std::chrono::sys_seconds> pending_tick;  ///< passed, not yet requested
    bool operator==(const CronState&) const = default;
  };
  /// Step key -> the input event id it was last requested for.
  std::map<std::string, std::int64_t> requested;
  /// Asset key -> its cron state.
  std::map<std::string, CronState> cron;

  bool operator==(const AutomationCursor&) const = default;
  /// A JSON text; "" parses back to an empty cursor.
  std::string serialize() const;
  /// Throws Error naming the problem if `text` is not a cursor written by serialize().
  static AutomationCursor parse(std::string_view text);
};

/// Everything one evaluation reads.
struct AutomationInputs {
  const StalenessIndex& staleness;  ///< and through it the space and the graph
  /// Step keys ("credit/raw[2025-01-01]") of the steps of queued and running runs.
  std::span<const std::string> in_progress_step_keys;
  /// The latest result of every check (Storage::latest_check_results("")).
  std::span<const CheckRecord> check_results;
  std::chrono::sys_seconds now;
  /// Needed when an asset has an on_cron condition.
  NextCronTime next_cron_time;
};

/// One step to materialize, and why.
struct RequestedStep {
  std::string step_key{};
  std::string reason{};
};

/// Steps of one asset not requested for the same reason.
struct NotRequested {
  std::string reason{};
  std::size_t count = 0;
  std::vector<std::string> examples{};  ///< the first few step keys
};

/// The outcome for one automated asset.
struct AssetEvaluation {
  std::string asset_key{};
  AutomationCondition::Kind condition = AutomationCondition::Kind::kEager;
  std::vector<RequestedStep> requested{};
  std::vector<NotRequested> not_requested{};
};

/// One run to launch: the requested steps of one partition key ("" for unpartitioned assets).
struct AutomationRunRequest {
  std::string partition_key{};
  std::vector<std::string> asset_keys{};  ///< in topological order
  /// The asset keys as a selection expression: "a, b, c".
  std::string selection() const;
};

struct AutomationEvaluation {
  std::vector<AutomationRunRequest> run_requests;
  /// Every asset with an automation condition, in topological order.
  std::vector<AssetEvaluation> assets;
  /// To store as the automation cursor when the tick commits.
  AutomationCursor cursor;

  /// The tick's detail: {"run_requests": [{"partition_key", "assets"}], "assets": [{"asset",
  /// "condition", "requested": [{"step", "reason"}], "not_requested": [{"reason", "count",
  /// "examples"}]}], "up_to_date": [asset keys]} — assets whose every step is up to date are
  /// listed in "up_to_date" only.
  std::string to_json() const;
};

/// Evaluates the automation conditions of every asset of a space. Keeps scratch buffers between
/// calls; not thread-safe.
///
/// @code
///   cairn::AutomationEvaluator evaluator;
///   auto cursor = cairn::AutomationCursor::parse(state.cursor);
///   cairn::AutomationEvaluation result = evaluator.evaluate(
///       {.staleness = index, .in_progress_step_keys = busy, .check_results = checks,
///        .now = clock.now(), .next_cron_time = next_cron}, cursor);
///   for (const auto& request : result.run_requests) launch(request.selection(),
///                                                          request.partition_key);
///   commit(result.cursor.serialize(), result.to_json());
/// @endcode
class AutomationEvaluator {
 public:
  /// Throws Error if an asset has an on_cron condition and `inputs.next_cron_time` is empty.
  AutomationEvaluation evaluate(const AutomationInputs& inputs, const AutomationCursor& cursor);

 private:
  std::vector<char> in_progress_;
  std::vector<char> pending_;
};

}  // namespace cairn
