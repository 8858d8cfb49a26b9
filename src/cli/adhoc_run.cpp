#include "cli/adhoc_run.hpp"

#include <unistd.h>

#include "cli/run_launcher.hpp"

namespace cairn {

namespace {

RunRecord make_record(std::string selection, std::map<std::string, std::string> tags,
                      std::vector<std::string> partition_keys, std::vector<std::string> step_keys,
                      Clock& clock) {
  RunRecord run;
  run.run_id = new_run_id();
  run.selection = std::move(selection);
  run.status = RunStatus::kStarting;
  run.tags = std::move(tags);
  run.partition_keys = std::move(partition_keys);
  run.root_run_id = run.run_id;
  run.step_keys = std::move(step_keys);
  run.created_at = to_epoch_seconds(clock.now());
  run.host = local_hostname();
  run.pid = static_cast<std::int64_t>(getpid());
  return run;
}

// Takes the lock before the run is visible, so no other process can mistake it for dead.
Instance::RunLock lock_and_add(Instance& instance, const RunRecord& run) {
  Instance::RunLock lock = instance.acquire_run_lock(run.run_id);
  instance.storage().add_run(run);
  return lock;
}

}  // namespace

AdHocRun::AdHocRun(CliEnv& env, std::string selection, std::map<std::string, std::string> tags,
                   std::vector<std::string> partition_keys, std::vector<std::string> step_keys,
                   std::string start_message)
    : env_(env),
      run_(make_record(std::move(selection), std::move(tags), std::move(partition_keys),
                       std::move(step_keys), clock_)),
      lock_(lock_and_add(env.instance(), run_)),
      writer_(env.instance().storage(), {}) {
  emit_run(EventType::kRunStarting,
           "run owned by pid " + std::to_string(run_.pid) + " on " + run_.host, LogLevel::kInfo);
  emit_run(EventType::kRunStart, std::move(start_message), LogLevel::kInfo);
}

AdHocRun::~AdHocRun() {
  if (finished_) return;
  try {
    finish(false, "the command stopped before finishing the run");
  } catch (...) {
    // Nothing more to do: recover_dead_runs() fails the run once this process is gone.
  }
}

void AdHocRun::emit(EventType type, const std::string& step_key, const std::string& asset_key,
                    const std::string& partition_key, std::string message, std::string payload,
                    LogLevel level) {
  Event e;
  e.run_id = run_.run_id;
  e.timestamp = to_epoch_seconds(clock_.now());
  e.type = type;
  e.step_key = step_key;
  e.asset_key = asset_key;
  e.partition_key = partition_key;
  e.level = level;
  e.message = std::move(message);
  e.payload_json = std::move(payload);
  writer_.emit(std::move(e));
}

void AdHocRun::finish(bool succeeded, std::string message) {
  finished_ = true;
  emit_run(succeeded ? EventType::kRunSuccess : EventType::kRunFailure, std::move(message),
           succeeded ? LogLevel::kInfo : LogLevel::kError);
  writer_.flush();
  env_.instance().sync();
}

void AdHocRun::emit_run(EventType type, std::string message, LogLevel level) {
  Event e;
  e.run_id = run_.run_id;
  e.timestamp = to_epoch_seconds(clock_.now());
  e.type = type;
  e.level = level;
  e.message = std::move(message);
  writer_.emit(std::move(e));
}

}  // namespace cairn
