#include "automation/automation_evaluator.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "cairn/partitions.hpp"

namespace cairn {

namespace {

constexpr std::size_t kExamples = 3;
constexpr std::string_view kUpToDate = "up to date";
// A minutely cron left alone for a year has ~525 000 ticks; we look for at most this many per
// evaluation and continue from there at the next one.
constexpr int kMaxTicksPerEvaluation = 100000;

// Why a step is pending (AutomationEvaluator::pending_); 0: it is not.
enum Pending : char {
  kNotPending = 0,
  kInProgress = 1,
  kRequestedNow = 2,
  kWaiting = 3,  // an eager step downstream of a pending step
};

std::string_view condition_name(AutomationCondition::Kind kind) {
  switch (kind) {
    case AutomationCondition::Kind::kEager:
      return "eager";
    case AutomationCondition::Kind::kOnCron:
      return "on_cron";
    case AutomationCondition::Kind::kOnMissing:
      return "on_missing";
  }
  return "?";
}

// "2025-01-02T06:00:00Z"
std::string format_time(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buffer;
}

// One evaluation's working state.
class Pass {
 public:
  Pass(const AutomationInputs& inputs, const AutomationCursor& cursor,
       std::vector<char>& in_progress, std::vector<char>& pending)
      : inputs_(inputs),
        index_(inputs.staleness),
        space_(index_.space()),
        graph_(space_.graph()),
        cursor_(cursor),
        in_progress_(in_progress),
        pending_(pending) {}

  AutomationEvaluation run();

 private:
  std::optional<StepId> resolve(std::string_view asset_key, std::string_view partition_key) const {
    auto node = graph_.find(asset_key);
    if (!node) return std::nullopt;
    auto partition = space_.find(*node, partition_key);
    if (!partition) return std::nullopt;
    return index_.id({*node, *partition});
  }
  std::string step_key(StepId id) const { return space_.step_key(index_.step(id)); }

  void note(AssetEvaluation& asset, std::string reason, StepId id);
  void request(AssetEvaluation& asset, StepId id, std::string reason);
  /// "waiting: upstream X in progress" if an upstream of `id` is pending.
  std::optional<std::string> pending_upstream(StepId id) const;
  /// Why `id` cannot run yet because of its upstream's existence: a mapping to nothing or an
  /// upstream step never materialized.
  std::optional<std::string> missing_upstream(StepId id) const;
  std::optional<std::string> failed_check_upstream(StepId id) const;
  /// The newest event id among the materializations and observation the step depends on.
  std::int64_t input_event_id(StepId id) const;
  /// The same input event id was requested before: a failed run is not retried until something
  /// changes.
  bool requested_before(StepId id, std::int64_t input_event) const;

  void evaluate_eager(NodeId node, AssetEvaluation& asset);
  void evaluate_on_missing(NodeId node, AssetEvaluation& asset);
  void evaluate_on_cron(NodeId node, const AutomationCondition& condition, AssetEvaluation& asset);

  const AutomationInputs& inputs_;
  const StalenessIndex& index_;
  const PartitionSpace& space_;
  const AssetGraph& graph_;
  const AutomationCursor& cursor_;
  std::vector<char>& in_progress_;
  std::vector<char>& pending_;
  std::unordered_map<StepId, const CheckRecord*> failed_checks_;
  AutomationEvaluation result_;
  std::map<std::string, AutomationRunRequest> runs_;  // by partition key
};

void Pass::note(AssetEvaluation& asset, std::string reason, StepId id) {
  auto it = std::find_if(asset.not_requested.begin(), asset.not_requested.end(),
                         [&](const NotRequested& n) { return n.reason == reason; });
  if (it == asset.not_requested.end()) {
    it = asset.not_requested.insert(asset.not_requested.end(), NotRequested{std::move(reason)});
  }
  ++it->count;
  if (it->examples.size() < kExamples) it->examples.push_back(step_key(id));
}

void Pass::request(AssetEvaluation& asset, StepId id, std::string reason) {
  const StepRef step = index_.step(id);
  std::string key = step_key(id);
  result_.cursor.requested[key] = input_event_id(id);
  asset.requested.push_back({std::move(key), std::move(reason)});
  pending_[id] = kRequestedNow;
  AutomationRunRequest& run = runs_[std::string(space_.key(step))];
  run.partition_key = space_.key(step);
  if (run.asset_keys.empty() || run.asset_keys.back() != asset.asset_key) {
    run.asset_keys.push_back(asset.asset_key);
  }
}

std::optional<std::string> Pass::pending_upstream(StepId id) const {
  for (StepId up : index_.upstream(id)) {
    switch (pending_[up]) {
      case kNotPending:
        continue;
      case kInProgress:
        return "waiting: upstream " + step_key(up) + " in progress";
      case kRequestedNow:
        return "waiting: upstream " + step_key(up) + " requested in this evaluation";
      default:
        return "waiting: upstream " + step_key(up) + " waits for its own upstream";
    }
  }
  return std::nullopt;
}

std::optional<std::string> Pass::missing_upstream(StepId id) const {
  if (auto why = space_.missing_upstream(index_.step(id))) return why;
  for (StepId up : index_.upstream(id)) {
    if (index_.materialization(index_.step(up)) == nullptr) {
      return "missing upstream " + step_key(up);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Pass::failed_check_upstream(StepId id) const {
  if (failed_checks_.empty()) return std::nullopt;
  for (StepId up : index_.upstream(id)) {
    auto it = failed_checks_.find(up);
    if (it == failed_checks_.end()) continue;
    return "blocking check " + step_key(up) + "/" + it->second->check_name + " failed on upstream";
  }
  return std::nullopt;
}

std::int64_t Pass::input_event_id(StepId id) const {
  auto event_of = [&](StepId s) -> std::int64_t {
    const AssetVersionRecord* record = index_.materialization(index_.step(s));
    return record ? record->event_id : 0;
  };
  std::int64_t newest = event_of(id);
  if (const ObservationRecord* observation = index_.observation(index_.step(id))) {
    newest = std::max(newest, observation->event_id);
  }
  for (StepId up : index_.upstream(id)) newest = std::max(newest, event_of(up));
  return newest;
}

bool Pass::requested_before(StepId id, std::int64_t input_event) const {
  auto it = cursor_.requested.find(step_key(id));
  return it != cursor_.requested.end() && it->second == input_event;
}

void Pass::evaluate_eager(NodeId node, AssetEvaluation& asset) {
  const std::size_t count = space_.step_count(node);
  const auto& partitions = graph_.definition(node).partitions;
  const bool time_windows = partitions && partitions->kind() == PartitionsKind::kTimeWindow;
  for (std::size_t p = 0; p < count; ++p) {
    const StepRef step{node, static_cast<PartitionIndex>(p)};
    const StepId id = index_.id(step);
    if (in_progress_[id]) {
      pending_[id] = kInProgress;
      note(asset, "in progress", id);
      continue;
    }
    std::optional<std::string> waiting = pending_upstream(id);
    // New data is on its way to this step: what reads it must wait too.
    if (waiting) pending_[id] = kWaiting;
    const Freshness freshness = index_.freshness(step);
    if (freshness == Freshness::kFresh) {
      note(asset, std::string(kUpToDate), id);
      continue;
    }
    if (waiting) {
      note(asset, std::move(*waiting), id);
      continue;
    }
    const bool missing = freshness == Freshness::kMissing;
    if (!missing && (index_.causes(step) & stale_cause::kNewData) == 0) {
      note(asset, "no new upstream data; stale because " + index_.reasons(step).front(), id);
      continue;
    }
    if (missing && time_windows && p + 1 != count) {
      note(asset,
           "missing, but eager fills only the latest partition of a time-partitioned asset; "
           "backfill older ones",
           id);
      continue;
    }
    if (auto why = space_.missing_upstream(step)) {
      note(asset, std::move(*why), id);
      continue;
    }
    if (auto why = missing_upstream(id)) {
      note(asset, std::move(*why), id);
      continue;
    }
    if (auto why = failed_check_upstream(id)) {
      note(asset, std::move(*why), id);
      continue;
    }
    if (requested_before(id, input_event_id(id))) {
      note(asset, "requested before for the same upstream data; waits for new data", id);
      continue;
    }
    request(asset, id,
            missing ? std::string("missing") : index_.reasons(step, stale_cause::kNewData).front());
  }
}

void Pass::evaluate_on_missing(NodeId node, AssetEvaluation& asset) {
  const std::size_t count = space_.step_count(node);
  for (std::size_t p = 0; p < count; ++p) {
    const StepRef step{node, static_cast<PartitionIndex>(p)};
    const StepId id = index_.id(step);
    if (in_progress_[id]) {
      pending_[id] = kInProgress;
      note(asset, "in progress", id);
      continue;
    }
    if (index_.freshness(step) != Freshness::kMissing) {
      note(asset, "materialized", id);
      continue;
    }
    if (auto why = missing_upstream(id)) {
      note(asset, std::move(*why), id);
      continue;
    }
    if (requested_before(id, input_event_id(id))) {
      note(asset, "requested before for the same upstream data; waits for new data", id);
      continue;
    }
    request(asset, id, "missing");
  }
}

void Pass::evaluate_on_cron(NodeId node, const AutomationCondition& condition,
                            AssetEvaluation& asset) {
  if (!inputs_.next_cron_time) {
    throw Error("asset '" + asset.asset_key +
                "' has an on_cron condition but the automation evaluator was given no "
                "next_cron_time function");
  }
  const std::chrono::sys_seconds now = inputs_.now;
  AutomationCursor::CronState state;
  if (auto it = cursor_.cron.find(asset.asset_key); it != cursor_.cron.end()) {
    state = it->second;
    auto tick = inputs_.next_cron_time(condition, state.searched_until);
    int seen = 0;
    while (tick <= now && seen < kMaxTicksPerEvaluation) {
      state.pending_tick = tick;
      state.searched_until = tick;
      tick = inputs_.next_cron_time(condition, tick);
      ++seen;
    }
    // max: a clock set back must not find a served tick again.
    if (tick > now) state.searched_until = std::max(state.searched_until, now);
  } else {
    // First sight of the asset: ticks before now are not ours to serve.
    state.searched_until = now;
  }

  // The steps a tick requests: the latest window of a time-partitioned asset, every partition
  // of another partitioned asset.
  const std::size_t count = space_.step_count(node);
  const auto& partitions = graph_.definition(node).partitions;
  const bool time_windows = partitions && partitions->kind() == PartitionsKind::kTimeWindow;
  std::vector<StepId> steps;
  for (std::size_t p = time_windows && count > 0 ? count - 1 : 0; p < count; ++p) {
    steps.push_back(index_.id({node, static_cast<PartitionIndex>(p)}));
  }
  for (std::size_t p = 0; p < count; ++p) {
    const StepId id = index_.id({node, static_cast<PartitionIndex>(p)});
    if (in_progress_[id]) pending_[id] = kInProgress;
  }

  if (!state.pending_tick) {
    const std::string next = format_time(inputs_.next_cron_time(condition, now));
    for (StepId id : steps) note(asset, "waiting for the cron tick at " + next, id);
    result_.cursor.cron[asset.asset_key] = state;
    return;
  }
  const std::chrono::sys_seconds tick = *state.pending_tick;
  const double tick_seconds = static_cast<double>(tick.time_since_epoch().count());
  const std::string tick_text = format_time(tick);
  // A tick is served all at once: when every step it requests is ready.
  bool ready = true;
  for (StepId id : steps) {
    std::optional<std::string> why;
    if (in_progress_[id]) {
      why = "in progress";
    } else if (auto missing = space_.missing_upstream(index_.step(id))) {
      why = std::move(missing);
    } else {
      for (StepId up : index_.upstream(id)) {
        const AssetVersionRecord* record = index_.materialization(index_.step(up));
        if (in_progress_[up] || record == nullptr || record->timestamp < tick_seconds) {
          why = "waiting: upstream " + step_key(up) + " not updated since the cron tick at " +
                tick_text;
          break;
        }
      }
    }
    if (why) {
      ready = false;
      note(asset, std::move(*why), id);
    }
  }
  if (ready) {
    for (StepId id : steps) {
      request(asset, id,
              "cron tick at " + tick_text +
                  (index_.upstream(id).empty() ? " passed"
                                               : " passed and every upstream updated since"));
    }
    state.pending_tick.reset();
  }
  result_.cursor.cron[asset.asset_key] = state;
}

AutomationEvaluation Pass::run() {
  const std::size_t n = index_.size();
  in_progress_.assign(n, 0);
  pending_.assign(n, kNotPending);
  for (const std::string& key : inputs_.in_progress_step_keys) {
    auto [asset_key, partition_key] = split_step_key(key);
    if (auto id = resolve(asset_key, partition_key)) in_progress_[*id] = 1;
  }
  for (const CheckRecord& check : inputs_.check_results) {
    if (!check.blocking || check.passed || check.severity == "warn") continue;
    auto id = resolve(check.asset_key, check.partition_key);
    if (!id) continue;
    // A result older than the latest materialization judged a value that has been replaced.
    const AssetVersionRecord* record = index_.materialization(index_.step(*id));
    if (record != nullptr && check.event_id < record->event_id) continue;
    failed_checks_.emplace(*id, &check);
  }

  result_.cursor.requested = cursor_.requested;
  for (NodeId node : graph_.topological_order()) {
    const auto& condition = graph_.definition(node).automation;
    if (!condition) {
      const std::size_t first = index_.id({node, 0});
      for (std::size_t p = 0; p < space_.step_count(node); ++p) {
        if (in_progress_[first + p]) pending_[first + p] = kInProgress;
      }
      continue;
    }
    AssetEvaluation asset{.asset_key = graph_.key(node), .condition = condition->kind};
    switch (condition->kind) {
      case AutomationCondition::Kind::kEager:
        evaluate_eager(node, asset);
        break;
      case AutomationCondition::Kind::kOnMissing:
        evaluate_on_missing(node, asset);
        break;
      case AutomationCondition::Kind::kOnCron:
        evaluate_on_cron(node, *condition, asset);
        break;
    }
    result_.assets.push_back(std::move(asset));
  }

  // Forget requests that did their job (the step is fresh) or whose step is gone.
  for (auto it = result_.cursor.requested.begin(); it != result_.cursor.requested.end();) {
    auto [asset_key, partition_key] = split_step_key(it->first);
    auto id = resolve(asset_key, partition_key);
    if (!id || index_.freshness(index_.step(*id)) == Freshness::kFresh) {
      it = result_.cursor.requested.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [key, run] : runs_) result_.run_requests.push_back(std::move(run));
  return std::move(result_);
}

}  // namespace

std::string AutomationRunRequest::selection() const {
  std::string out;
  for (const std::string& key : asset_keys) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

AutomationEvaluation AutomationEvaluator::evaluate(const AutomationInputs& inputs,
                                                   const AutomationCursor& cursor) {
  return Pass(inputs, cursor, in_progress_, pending_).run();
}

std::string AutomationEvaluation::to_json() const {
  nlohmann::json runs = nlohmann::json::array();
  for (const AutomationRunRequest& run : run_requests) {
    runs.push_back({{"partition_key", run.partition_key}, {"assets", run.asset_keys}});
  }
  // Assets with nothing to say but "up to date" are listed by key only: a daemon evaluating
  // a thousand quiet assets every second stores ticks, not essays.
  nlohmann::json up_to_date = nlohmann::json::array();
  nlohmann::json evaluated = nlohmann::json::array();
  for (const AssetEvaluation& asset : assets) {
    if (asset.requested.empty() && asset.not_requested.size() == 1 &&
        asset.not_requested.front().reason == kUpToDate) {
      up_to_date.push_back(asset.asset_key);
      continue;
    }
    nlohmann::json requested = nlohmann::json::array();
    for (const RequestedStep& step : asset.requested) {
      requested.push_back({{"step", step.step_key}, {"reason", step.reason}});
    }
    nlohmann::json not_requested = nlohmann::json::array();
    for (const NotRequested& n : asset.not_requested) {
      not_requested.push_back({{"reason", n.reason}, {"count", n.count}, {"examples", n.examples}});
    }
    evaluated.push_back({{"asset", asset.asset_key},
                         {"condition", condition_name(asset.condition)},
                         {"requested", std::move(requested)},
                         {"not_requested", std::move(not_requested)}});
  }
  return nlohmann::json{{"run_requests", std::move(runs)},
                        {"assets", std::move(evaluated)},
                        {"up_to_date", std::move(up_to_date)}}
      .dump();
}

std::string AutomationCursor::serialize() const {
  nlohmann::json cron_states = nlohmann::json::object();
  for (const auto& [key, state] : cron) {
    cron_states[key] = {
        {"searched_until", state.searched_until.time_since_epoch().count()},
        {"pending_tick", state.pending_tick
                             ? nlohmann::json(state.pending_tick->time_since_epoch().count())
                             : nlohmann::json(nullptr)}};
  }
  return nlohmann::json{{"version", 1}, {"requested", requested}, {"cron", std::move(cron_states)}}
      .dump();
}

AutomationCursor AutomationCursor::parse(std::string_view text) {
  AutomationCursor cursor;
  if (text.empty()) return cursor;
  try {
    const nlohmann::json json = nlohmann::json::parse(text);
    if (json.at("version").get<int>() != 1) {
      throw Error("version " + json.at("version").dump() + " is not known to this cairn");
    }
    cursor.requested = json.at("requested").get<std::map<std::string, std::int64_t>>();
    for (const auto& [key, state] : json.at("cron").items()) {
      CronState cron_state;
      cron_state.searched_until = std::chrono::sys_seconds(
          std::chrono::seconds(state.at("searched_until").get<std::int64_t>()));
      if (!state.at("pending_tick").is_null()) {
        cron_state.pending_tick = std::chrono::sys_seconds(
            std::chrono::seconds(state.at("pending_tick").get<std::int64_t>()));
      }
      cursor.cron.emplace(key, cron_state);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("the automation cursor cannot be read (" + std::string(e.what()) +
                "); it was not written by this version of cairn");
  } catch (const Error& e) {
    throw Error("the automation cursor cannot be read (" + std::string(e.what()) +
                "); it was not written by this version of cairn");
  }
  return cursor;
}

}  // namespace cairn
