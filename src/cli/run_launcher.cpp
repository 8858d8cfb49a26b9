#include "cli/run_launcher.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

#include "automation/pool_gate.hpp"
#include "cairn/tracking.hpp"
#include "exec/run_heartbeat.hpp"
#include "storage/batched_event_writer.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn {

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) {
  g_interrupted.store(true);
  // A second Ctrl-C should not wait for steps that ignore cancellation.
  std::signal(SIGINT, SIG_DFL);
}

// Installs the SIGINT handler for the lifetime of a run and restores the previous one after.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted.store(false);
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &previous_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction previous_ {};
};

}  // namespace

LaunchResult launch_run(CliEnv& env, const LaunchRequest& request,
                        const std::function<void(const std::string&)>& on_created,
                        std::vector<EventObserver> observers) {
  Instance& instance = env.instance();
  const AssetGraph& graph = env.graph();
  const IOManagers& io_managers = env.io_managers();
  SystemClock clock;

  RunRecord run;
  if (request.existing_run) {
    run = *request.existing_run;
  } else {
    run.run_id = new_run_id();
    run.job_name = request.job_name;
    run.selection = request.selection;
    // Recorded as STARTING: this process owns it from the first instant (a dead owner is then
    // found by recover_dead_runs, never left QUEUED forever).
    run.status = RunStatus::kStarting;
    run.config_json = request.config.json_text;
    run.tags = request.tags;
    run.partition_keys = request.partition_keys;
    run.parent_run_id = request.parent_run_id;
    run.root_run_id = request.root_run_id.empty() ? run.run_id : request.root_run_id;
    run.step_keys = request.plan.step_keys();
    run.created_at = to_epoch_seconds(clock.now());
  }
  run.host = local_hostname();
  run.pid = static_cast<std::int64_t>(getpid());

  // The lock is taken before the run is visible, so no other process can mistake it for dead.
  Instance::RunLock lock = instance.acquire_run_lock(run.run_id);
  if (request.existing_run) {
    run.step_keys = request.plan.step_keys();
    instance.storage().claim_run(run.run_id, run.host, run.pid, run.step_keys);
  } else {
    instance.storage().add_run(run);
  }
  if (on_created) on_created(run.run_id);

  LaunchResult result;
  result.run_id = run.run_id;
  {
    BatchedEventWriter writer(instance.storage(), std::move(observers));
    Event starting;
    starting.run_id = run.run_id;
    starting.timestamp = to_epoch_seconds(clock.now());
    starting.type = EventType::kRunStarting;
    starting.message = "run owned by pid " + std::to_string(run.pid) + " on " + run.host;
    writer.emit(std::move(starting));

    InterruptGuard interrupt_guard;
    EngineOptions options;
    options.max_concurrent = request.max_concurrent;
    Storage& storage = instance.storage();
    const std::string run_id = run.run_id;
    options.should_cancel = [&storage, run_id] {
      return g_interrupted.load() || storage.is_cancel_requested(run_id);
    };
    tracking::Tracker tracker(tracking::borrow_instance(instance));
    options.tracker = &tracker;
    PoolGate pools(storage.automation(), run.run_id, env.definitions().pools);
    options.claim_pool_slot = [&pools](std::string_view pool, std::string_view step) {
      return pools.claim(pool, step);
    };
    options.release_pool_slot = [&pools](std::string_view pool, std::string_view step) {
      pools.release(pool, step);
    };
    RunHeartbeat heartbeat(storage.automation(), run.run_id, clock);
    RunEngine engine(graph, io_managers, env.definitions().resources, writer, clock, options);
    auto started = std::chrono::steady_clock::now();
    result.status = engine.execute(run, request.plan, request.config);
    writer.flush();
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  instance.sync();
  return result;
}

}  // namespace cairn
