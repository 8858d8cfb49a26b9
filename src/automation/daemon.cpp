#include "automation/daemon.hpp"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>

#include "automation/cron.hpp"
#include "automation/run_request_builder.hpp"
#include "automation/sensor_evaluator.hpp"
#include "core/run_id.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

constexpr std::string_view kLeaseName = "daemon";

std::chrono::sys_seconds floor_seconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

std::chrono::sys_seconds from_epoch(double seconds) {
  return std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(seconds)));
}

// A schedule's stored cursor is the epoch second from which it counts ticks: when it was first
// seen running, or started again by `schedules start`.
std::optional<std::chrono::sys_seconds> schedule_start(const std::string& cursor) {
  if (cursor.empty()) return std::nullopt;
  try {
    return std::chrono::sys_seconds(std::chrono::seconds(std::stoll(cursor)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Daemon::Daemon(Storage& storage, const AssetGraph& graph, Clock& clock, DaemonOptions options,
               RunQueueHook& run_queue)
    : storage_(storage),
      store_(storage.automation()),
      graph_(graph),
      clock_(clock),
      options_(std::move(options)),
      run_queue_(run_queue),
      staleness_(graph, storage, current_versions(graph, nullptr)) {
  if (options_.owner.empty()) {
    options_.owner =
        local_hostname() + ":" + std::to_string(::getpid()) + ":" + new_run_id().substr(0, 8);
  }
  std::set<std::string> names;
  for (const Schedule& schedule : graph.definitions().schedules) {
    if (!names.insert(schedule.name).second || schedule.name.empty()) {
      throw ScheduleError("schedule name '" + schedule.name +
                          "' is empty or used twice; give each schedule and sensor its own name");
    }
    schedules_.push_back(std::make_unique<ScheduleEvaluator>(schedule, graph));
  }
  for (const Sensor& sensor : graph.definitions().sensors) {
    validate_sensor(sensor, graph);
    if (!names.insert(sensor.name).second) {
      throw ScheduleError("sensor name '" + sensor.name +
                          "' is used twice; give each schedule and sensor its own name");
    }
    sensors_.push_back({.sensor = &sensor, .last_evaluated = std::nullopt});
  }
  for (NodeId node = 0; node < graph.size(); ++node) {
    if (graph.definition(node).automation) has_automation_ = true;
  }
}

Daemon::~Daemon() {
  if (!has_lease_) return;
  try {
    store_.release_lease(kLeaseName, options_.owner);
  } catch (const std::exception&) {
    // The lease expires by itself after its TTL.
  }
}

void Daemon::log(const std::string& line) {
  if (options_.log) options_.log(line);
}

InstigatorState Daemon::state_of(std::string_view name, InstigatorKind kind,
                                 bool running_by_default, TimePoint now) {
  if (auto stored = store_.instigator_state(name)) return *stored;
  InstigatorState state{.name = std::string(name),
                        .kind = kind,
                        .running = running_by_default,
                        .cursor = "",
                        .updated_at = to_epoch_seconds(now)};
  if (kind == InstigatorKind::kSchedule) {
    state.cursor = std::to_string(floor_seconds(now).time_since_epoch().count());
  }
  store_.set_instigator_state(state);
  return state;
}

DaemonIteration Daemon::run_once(TimePoint now) {
  DaemonIteration out;
  auto ttl = options_.lease_ttl;
  bool had_lease = has_lease_;
  has_lease_ = store_.acquire_lease(kLeaseName, options_.owner, to_epoch_seconds(now),
                                    static_cast<double>(ttl.count()));
  out.has_lease = has_lease_;
  if (!has_lease_) {
    if (!waiting_logged_) {
      log("another daemon holds the lease on this instance; waiting for it (retrying every few "
          "seconds)");
      waiting_logged_ = true;
    }
    out.next_due = now + std::min<TimePoint::duration>(ttl / 3, std::chrono::seconds(5));
    return out;
  }
  if (!had_lease) {
    log("took the daemon lease as " + options_.owner);
    waiting_logged_ = false;
    recover_started_ticks(now, out);
  }
  out.next_due = now + ttl / 3;
  evaluate_schedules(now, out);
  evaluate_sensors(now, out);
  evaluate_automation(now, out);
  run_queue_.on_iteration(now);
  return out;
}

void Daemon::recover_started_ticks(TimePoint now, DaemonIteration& out) {
  for (TickRecord tick : store_.started_ticks()) {
    if (tick.kind == InstigatorKind::kSchedule) {
      auto it = std::find_if(schedules_.begin(), schedules_.end(),
                             [&](const auto& s) { return s->schedule().name == tick.instigator; });
      if (it != schedules_.end()) {
        log("re-evaluating tick " + iso_utc(from_epoch(tick.tick_time)) + " of schedule '" +
            tick.instigator + "' left unfinished by a stopped daemon");
        commit_schedule_tick(**it, from_epoch(tick.tick_time), tick, now, out);
        continue;
      }
    } else if (tick.kind == InstigatorKind::kSensor) {
      auto it = std::find_if(sensors_.begin(), sensors_.end(), [&](const SensorSlot& s) {
        return s.sensor->name == tick.instigator;
      });
      if (it != sensors_.end()) {
        log("re-evaluating the tick of sensor '" + tick.instigator +
            "' left unfinished by a stopped daemon");
        commit_sensor_tick(*it, tick, now, out);
        continue;
      }
    } else if (tick.kind != InstigatorKind::kAutomation) {
      continue;  // backfill ticks belong to the run queue
    }
    TickCommit commit{
        .tick = tick, .runs = {}, .cursor = std::nullopt, .add_dynamic_partitions = {}};
    commit.tick.status = TickStatus::kFailure;
    commit.tick.error = tick.kind == InstigatorKind::kAutomation
                            ? "the daemon stopped during this evaluation; the next one covers it"
                            : "the daemon stopped during this tick and '" + tick.instigator +
                                  "' is no longer defined";
    this->commit(commit, now, out);
  }
}

void Daemon::evaluate_schedules(TimePoint now, DaemonIteration& out) {
  auto now_s = floor_seconds(now);
  for (const auto& schedule : schedules_) {
    const Schedule& s = schedule->schedule();
    InstigatorState state = state_of(s.name, InstigatorKind::kSchedule, s.running_by_default, now);
    if (!state.running) continue;
    auto from = schedule_start(state.cursor).value_or(now_s);
    if (auto last = store_.latest_finished_tick(s.name)) {
      from = std::max(from, from_epoch(last->tick_time));
    }
    for (auto tick : schedule->due_ticks(from, now_s)) {
      TickRecord record;
      record.instigator = s.name;
      record.kind = InstigatorKind::kSchedule;
      record.tick_time = static_cast<double>(tick.time_since_epoch().count());
      record.started_at = to_epoch_seconds(now);
      record.id = store_.begin_tick(record);
      commit_schedule_tick(*schedule, tick, record, now, out);
    }
    auto next = schedule->next_tick_after(std::max(from, now_s));
    out.next_due = std::min(out.next_due, TimePoint(next));
  }
}

void Daemon::commit_schedule_tick(const ScheduleEvaluator& schedule, std::chrono::sys_seconds tick,
                                  TickRecord tick_record, TimePoint now, DaemonIteration& out) {
  const Schedule& s = schedule.schedule();
  TickCommit commit{.tick = std::move(tick_record),
                    .runs = {},
                    .cursor = std::nullopt,
                    .add_dynamic_partitions = {}};
  try {
    ScheduleTickRequest request = schedule.request_for(tick);
    if (request.request) {
      commit.runs = build_queued_runs(
          {*request.request}, {.tag_key = "cairn/schedule", .name = s.name, .default_job = s.job},
          graph_, storage_, now);
      commit.tick.run_keys = {commit.runs.front().run_key};
      commit.tick.status = TickStatus::kSuccess;
    } else {
      commit.tick.status = TickStatus::kSkipped;
      commit.tick.skip_reason = request.skip_reason;
    }
  } catch (const Error& e) {
    commit.runs.clear();
    commit.tick.status = TickStatus::kFailure;
    commit.tick.error = e.what();
  }
  this->commit(commit, now, out);
}

void Daemon::evaluate_sensors(TimePoint now, DaemonIteration& out) {
  for (SensorSlot& slot : sensors_) {
    const Sensor& sensor = *slot.sensor;
    InstigatorState state =
        state_of(sensor.name, InstigatorKind::kSensor, sensor.running_by_default, now);
    if (!state.running) continue;
    if (!slot.last_evaluated) {
      if (auto last = store_.latest_finished_tick(sensor.name)) {
        slot.last_evaluated = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
            std::chrono::duration<double>(last->started_at)));
      }
    }
    if (!slot.last_evaluated || now >= *slot.last_evaluated + sensor.interval) {
      TickRecord record;
      record.instigator = sensor.name;
      record.kind = InstigatorKind::kSensor;
      record.tick_time = to_epoch_seconds(now);
      record.started_at = to_epoch_seconds(now);
      record.id = store_.begin_tick(record);
      commit_sensor_tick(slot, record, now, out);
    }
    out.next_due = std::min(out.next_due, *slot.last_evaluated + sensor.interval);
  }
}

void Daemon::commit_sensor_tick(SensorSlot& slot, TickRecord tick_record, TimePoint now,
                                DaemonIteration& out) {
  const Sensor& sensor = *slot.sensor;
  std::string stored_cursor;
  if (auto state = store_.instigator_state(sensor.name)) stored_cursor = state->cursor;
  TickCommit commit{.tick = std::move(tick_record),
                    .runs = {},
                    .cursor = std::nullopt,
                    .add_dynamic_partitions = {}};
  evaluate_sensor(sensor, graph_, storage_, stored_cursor, now, commit);
  slot.last_evaluated = now;
  this->commit(commit, now, out);
}

void Daemon::evaluate_automation(TimePoint now, DaemonIteration& out) {
  if (!has_automation_) return;
  // Evaluated when something happened since the last evaluation (an event: a materialization,
  // an observation, a run ending) or a minute passed (a new time window, a cron tick).
  const std::int64_t last_event = storage_.last_event_id();
  if (last_automation_ && last_event == automation_event_id_ &&
      now < *last_automation_ + std::chrono::minutes(1)) {
    out.next_due = std::min(out.next_due, *last_automation_ + std::chrono::minutes(1));
    return;
  }
  out.next_due = std::min(out.next_due, now + std::chrono::minutes(1));
  TickRecord record;
  record.instigator = std::string(kAutomationInstigator);
  record.kind = InstigatorKind::kAutomation;
  record.tick_time = to_epoch_seconds(now);
  record.started_at = to_epoch_seconds(now);
  TickCommit commit{
      .tick = record, .runs = {}, .cursor = std::nullopt, .add_dynamic_partitions = {}};
  try {
    const auto now_s = floor_seconds(now);
    const StalenessIndex& staleness = staleness_.update(now_s);
    std::vector<std::string> in_progress;
    for (const RunRecord& run : store_.queued_runs(0)) {
      in_progress.insert(in_progress.end(), run.step_keys.begin(), run.step_keys.end());
    }
    for (const RunRecord& run : store_.active_runs()) {
      in_progress.insert(in_progress.end(), run.step_keys.begin(), run.step_keys.end());
    }
    const std::vector<CheckRecord> checks = storage_.latest_check_results("");
    AutomationCursor cursor;
    if (auto state = store_.instigator_state(kAutomationInstigator)) {
      cursor = AutomationCursor::parse(state->cursor);
    }
    AutomationInputs inputs{.staleness = staleness,
                            .in_progress_step_keys = in_progress,
                            .check_results = checks,
                            .now = now_s,
                            .next_cron_time = [](const AutomationCondition& c, auto after) {
                              return next_cron_time(c.cron, c.timezone, after);
                            }};
    AutomationEvaluation evaluation = evaluator_.evaluate(inputs, cursor);
    std::vector<RunRequest> requests;
    for (const auto& r : evaluation.run_requests) {
      RunRequest request;
      request.selection = r.selection();
      if (!r.partition_key.empty()) request.partition_keys = {r.partition_key};
      requests.push_back(std::move(request));
    }
    commit.runs = build_queued_runs(
        requests, {.tag_key = "cairn/automation", .name = kAutomationInstigator, .default_job = ""},
        graph_, storage_, now);
    commit.cursor = evaluation.cursor.serialize();
    commit.tick.detail_json = evaluation.to_json();
    commit.tick.status = commit.runs.empty() ? TickStatus::kSkipped : TickStatus::kSuccess;
    if (commit.runs.empty()) commit.tick.skip_reason = "nothing to materialize";
  } catch (const std::exception& e) {
    commit.runs.clear();
    commit.tick.status = TickStatus::kFailure;
    commit.tick.error = e.what();
  }
  last_automation_ = now;
  automation_event_id_ = last_event;
  commit.tick.id = store_.begin_tick(commit.tick);
  this->commit(commit, now, out);
}

void Daemon::commit(TickCommit& commit, TimePoint now, DaemonIteration& out) {
  // Runs whose key an earlier tick already claimed are dropped here; commit_tick drops any
  // claimed in between, atomically.
  std::vector<std::string> already;
  std::erase_if(commit.runs, [&](const RunRecord& run) {
    if (run.run_key.empty() || !store_.run_for_key(run.run_key)) return false;
    already.push_back(run.run_key);
    return true;
  });
  if (commit.runs.empty() && !already.empty() && commit.tick.status == TickStatus::kSuccess) {
    commit.tick.status = TickStatus::kSkipped;
    commit.tick.skip_reason = "already launched (run key " + already.front() +
                              (already.size() > 1 ? " and others" : "") + ")";
  }
  commit.tick.run_ids.clear();
  for (const RunRecord& run : commit.runs) commit.tick.run_ids.push_back(run.run_id);
  commit.tick.ended_at = to_epoch_seconds(now);
  TickCommitResult result = store_.commit_tick(commit);
  TickRecord done = commit.tick;
  done.run_ids = result.created_run_ids;
  out.created_run_ids.insert(out.created_run_ids.end(), result.created_run_ids.begin(),
                             result.created_run_ids.end());
  out.duplicate_run_keys.insert(out.duplicate_run_keys.end(), already.begin(), already.end());
  out.duplicate_run_keys.insert(out.duplicate_run_keys.end(), result.duplicate_run_keys.begin(),
                                result.duplicate_run_keys.end());
  std::string line = std::string(to_string(done.kind)) + " '" + done.instigator +
                     "': " + std::string(to_string(done.status));
  if (!done.run_ids.empty()) line += ", " + std::to_string(done.run_ids.size()) + " run(s) queued";
  if (!done.skip_reason.empty()) line += " (" + done.skip_reason + ")";
  if (!done.error.empty()) line += ": " + done.error;
  log(line);
  out.ticks.push_back(std::move(done));
}

void Daemon::run(const std::atomic<bool>& stop) {
  std::mutex mutex;
  std::condition_variable cv;  // never notified: waits end on their deadline
  while (!stop.load()) {
    TimePoint now = clock_.now();
    DaemonIteration iteration = run_once(now);
    TimePoint deadline = iteration.next_due;
    std::int64_t seen = storage_.last_event_id();
    while (!stop.load()) {
      TimePoint t = clock_.now();
      if (t >= deadline) break;
      {
        std::unique_lock lock(mutex);
        clock_.wait_until(lock, cv, std::min(deadline, t + options_.event_poll));
      }
      if (iteration.has_lease && storage_.last_event_id() != seen) break;
    }
  }
  if (has_lease_) {
    store_.release_lease(kLeaseName, options_.owner);
    has_lease_ = false;
  }
}

}  // namespace cairn
