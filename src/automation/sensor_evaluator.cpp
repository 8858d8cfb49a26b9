#include "automation/sensor_evaluator.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "automation/run_request_builder.hpp"
#include "core/suggest.hpp"

namespace cairn {
namespace {

// How many events one tick reads; the rest are seen by the next ticks.
constexpr int kEventsPerTick = 1000;

bool follows_events(const Sensor& sensor) {
  return sensor.kind != Sensor::Kind::kCustom;
}

struct StoredCursor {
  std::int64_t after_event_id = -1;  // -1: the sensor has not started following events yet
  std::string cursor;
};

StoredCursor parse_stored(const Sensor& sensor, const std::string& stored) {
  if (!follows_events(sensor)) return {.after_event_id = -1, .cursor = stored};
  if (stored.empty()) return {};
  try {
    auto j = nlohmann::json::parse(stored);
    return {.after_event_id = j.at("after_event_id").get<std::int64_t>(),
            .cursor = j.value("cursor", std::string())};
  } catch (const nlohmann::json::exception&) {
    // A cursor set by hand (`sensors reset-cursor` writes an empty one): start afresh, keeping
    // the text as the sensor's own cursor.
    return {.after_event_id = -1, .cursor = stored};
  }
}

std::string format_stored(std::int64_t after_event_id, const std::string& cursor) {
  return nlohmann::json{{"after_event_id", after_event_id}, {"cursor", cursor}}.dump();
}

class TickSensorContext final : public SensorContext {
 public:
  TickSensorContext(const Sensor& sensor, Storage& storage, std::string cursor, TimePoint now)
      : sensor_(sensor), storage_(storage), cursor_(std::move(cursor)), now_(now) {}

  const std::string& sensor_name() const override { return sensor_.name; }
  const std::string& cursor() const override { return cursor_; }
  TimePoint now() const override { return now_; }
  void log(std::string_view message) override {
    log_.append(message);
    log_.push_back('\n');
  }
  const std::vector<MaterializationInfo>& new_materializations() const override {
    return materializations_;
  }
  const std::vector<RunInfo>& finished_runs() const override { return runs_; }
  std::vector<std::string> dynamic_partition_keys(std::string_view name) override {
    return storage_.dynamic_partition_keys(name);
  }

  std::vector<MaterializationInfo> materializations_;
  std::vector<RunInfo> runs_;
  std::string log_;

 private:
  const Sensor& sensor_;
  Storage& storage_;
  std::string cursor_;
  TimePoint now_;
};

// Reads the events after `after` the sensor watches into the context; returns the id of the last
// event read (the new position), or `after` if there were none.
std::int64_t read_events(const Sensor& sensor, Storage& storage, std::int64_t after,
                         TickSensorContext& ctx) {
  std::int64_t position = after;
  if (sensor.kind == Sensor::Kind::kAsset) {
    constexpr std::array types = {EventType::kAssetMaterialization};
    for (const Event& e : storage.events_after(after, types, kEventsPerTick)) {
      position = e.id;
      if (std::find(sensor.assets.begin(), sensor.assets.end(), e.asset_key) ==
          sensor.assets.end()) {
        continue;
      }
      std::string data_version;
      if (!e.payload_json.empty()) {
        auto payload = nlohmann::json::parse(e.payload_json, nullptr, false);
        if (payload.is_object()) data_version = payload.value("data_version", std::string());
      }
      ctx.materializations_.push_back({.asset_key = e.asset_key,
                                       .partition_key = e.partition_key,
                                       .run_id = e.run_id,
                                       .event_id = e.id,
                                       .timestamp = e.timestamp,
                                       .data_version = data_version});
    }
  } else if (sensor.kind == Sensor::Kind::kRunStatus) {
    constexpr std::array types = {EventType::kRunSuccess, EventType::kRunFailure,
                                  EventType::kRunCanceled};
    for (const Event& e : storage.events_after(after, types, kEventsPerTick)) {
      position = e.id;
      std::string status = e.type == EventType::kRunSuccess   ? "SUCCESS"
                           : e.type == EventType::kRunFailure ? "FAILURE"
                                                              : "CANCELED";
      if (std::find(sensor.run_statuses.begin(), sensor.run_statuses.end(), status) ==
          sensor.run_statuses.end()) {
        continue;
      }
      auto run = storage.get_run(e.run_id);
      if (!run) continue;
      if (!sensor.run_jobs.empty() && std::find(sensor.run_jobs.begin(), sensor.run_jobs.end(),
                                                run->job_name) == sensor.run_jobs.end()) {
        continue;
      }
      ctx.runs_.push_back(
          {.run_id = run->run_id,
           .job_name = run->job_name,
           .status = status,
           .failure_reason = run->failure_reason.empty() ? e.message : run->failure_reason,
           .tags = run->tags,
           .ended_at = e.timestamp});
    }
  }
  return position;
}

}  // namespace

void validate_sensor(const Sensor& sensor, const AssetGraph& graph) {
  std::string what = "sensor '" + sensor.name + "'";
  if (sensor.name.empty()) throw ScheduleError("a sensor has no name; give every sensor a name");
  if (!sensor.evaluate) throw ScheduleError(what + " has no evaluate function");
  if (sensor.interval <= std::chrono::seconds(0)) {
    throw ScheduleError(what + ": interval must be positive");
  }
  if (!sensor.job.empty() && graph.find_job(sensor.job) == nullptr) {
    std::vector<std::string> names;
    for (const Job& job : graph.definitions().jobs) names.push_back(job.name);
    throw ScheduleError(what + " names job '" + sensor.job + "' which is not in Definitions" +
                        did_you_mean(sensor.job, names) + "; add it to Definitions::jobs");
  }
  if (sensor.kind == Sensor::Kind::kAsset) {
    if (sensor.assets.empty()) throw ScheduleError(what + " is an asset sensor watching no asset");
    for (const auto& key : sensor.assets) {
      if (!graph.find(key)) {
        throw ScheduleError(what + " watches asset '" + key + "' which is not in Definitions" +
                            did_you_mean(key, graph.keys()));
      }
    }
  }
  if (sensor.kind == Sensor::Kind::kRunStatus) {
    if (sensor.run_statuses.empty()) {
      throw ScheduleError(what + " is a run-status sensor watching no status");
    }
    for (const auto& status : sensor.run_statuses) {
      if (status != "SUCCESS" && status != "FAILURE" && status != "CANCELED") {
        throw ScheduleError(what + " watches run status '" + status +
                            "'; use SUCCESS, FAILURE or CANCELED");
      }
    }
  }
}

std::string sensor_cursor_of(const Sensor& sensor, const std::string& stored_cursor) {
  return parse_stored(sensor, stored_cursor).cursor;
}

void evaluate_sensor(const Sensor& sensor, const AssetGraph& graph, Storage& storage,
                     const std::string& stored_cursor, TimePoint now, TickCommit& commit) {
  StoredCursor stored = parse_stored(sensor, stored_cursor);
  // A run-status sensor reports runs that finish from its first evaluation on, not the history.
  // An asset sensor sees the existing materializations at first, as if they had just happened.
  std::int64_t after = stored.after_event_id;
  if (after < 0) after = sensor.kind == Sensor::Kind::kRunStatus ? storage.last_event_id() : 0;

  TickSensorContext ctx(sensor, storage, stored.cursor, now);
  std::int64_t position = read_events(sensor, storage, after, ctx);

  TickRecord& tick = commit.tick;
  SensorResult result;
  try {
    result = sensor.evaluate(ctx);
  } catch (const std::exception& e) {
    tick.status = TickStatus::kFailure;
    tick.error = "sensor '" + sensor.name + "' threw: " + e.what();
    tick.log = ctx.log_;
    return;
  }
  tick.log = ctx.log_;
  try {
    commit.runs = build_queued_runs(
        result.run_requests,
        {.tag_key = "cairn/sensor", .name = sensor.name, .default_job = sensor.job}, graph, storage,
        now, result.add_dynamic_partitions);
  } catch (const ScheduleError& e) {
    tick.status = TickStatus::kFailure;
    tick.error = e.what();
    commit.runs.clear();
    return;
  }
  for (const RunRecord& run : commit.runs) {
    if (!run.run_key.empty()) tick.run_keys.push_back(run.run_key);
  }
  for (auto& [name, keys] : result.add_dynamic_partitions) {
    commit.add_dynamic_partitions.emplace_back(name, keys);
  }
  std::string own_cursor = result.cursor.value_or(stored.cursor);
  if (follows_events(sensor)) {
    std::string next = format_stored(position, own_cursor);
    if (next != stored_cursor) commit.cursor = next;
  } else if (result.cursor) {
    commit.cursor = *result.cursor;
  }
  tick.cursor = commit.cursor.value_or(stored_cursor);
  if (commit.runs.empty()) {
    tick.status = TickStatus::kSkipped;
    tick.skip_reason = result.skip_reason.empty() ? "no run requested" : result.skip_reason;
  } else {
    tick.status = TickStatus::kSuccess;
  }
}

}  // namespace cairn
