// `runs execute RUN_ID`: the process the run queue starts for a dequeued run
// (docs/run-queue.md, "Launching"). Hidden from the help: people launch runs with `materialize`,
// `backfill create` or the daemon. It plans the run as recorded — its selection or job, its
// partitions, its config, or the re-execution of its parent from failure when the monitor
// resumed it — and executes it through the same launch path as `materialize`.

#include <CLI/CLI.hpp>

#include "automation/run_queue.hpp"
#include "cli/commands.hpp"
#include "cli/run_launcher.hpp"
#include "core/suggest.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

/// The run, taken off the queue if it is still QUEUED; throws unless it is ours to execute.
RunRecord claim_run(Instance& instance, const std::string& run_id) {
  Storage& storage = instance.storage();
  std::optional<RunRecord> run = storage.get_run(run_id);
  if (run && run->status == RunStatus::kQueued) {
    if (!storage.automation().dequeue_run(run_id)) {
      throw Error("run " + run_id + " was taken off the queue by another process meanwhile");
    }
    run = storage.get_run(run_id);
  }
  if (!run || run->status != RunStatus::kStarting) {
    throw Error("run " + run_id + " is " +
                (run ? std::string(to_string(run->status)) : std::string("gone")) +
                "; only a QUEUED run, or one the run queue has just dequeued, can be executed");
  }
  return *run;
}

LaunchRequest plan_recorded_run(CliEnv& env, const RunRecord& run) {
  const AssetGraph& graph = env.graph();
  Storage& storage = env.instance().storage();
  LaunchRequest request;
  std::vector<ConfigSource> sources;
  std::string selection = run.selection;
  if (!run.job_name.empty()) {
    const Job* job = graph.find_job(run.job_name);
    if (job == nullptr) {
      throw NotFoundError("the run's job '" + run.job_name +
                          "' is not defined in this binary any more");
    }
    if (selection.empty()) selection = job->selection;
    sources.push_back({"job '" + job->name + "'", job->config_json});
  }
  sources.push_back({"run " + run.run_id, run.config_json});
  std::vector<const AssetDefinition*> defs;
  for (NodeId n = 0; n < graph.size(); ++n) defs.push_back(&graph.definition(n));
  request.config = resolve_run_config(sources, defs);

  PartitionSpace space = env.partition_space();
  const auto reexecution = run.tags.find(kReexecutionTag);
  if (reexecution != run.tags.end() && !run.parent_run_id.empty()) {
    const std::optional<RunRecord> parent = storage.get_run(run.parent_run_id);
    if (!parent) throw NotFoundError("the run's parent " + run.parent_run_id + " is gone");
    const std::vector<Event> events = storage.run_events(parent->run_id, {});
    request.plan = plan_reexecution(space, *parent, events, storage);
  } else {
    const std::vector<NodeId> selected = resolve_selection(graph, selection);
    if (selected.empty()) {
      throw SelectionError("the run's selection '" + selection + "' matches no assets");
    }
    request.plan = plan_selection(space, selected, run.partition_keys, storage);
  }
  request.existing_run = run;
  request.existing_run->step_keys = request.plan.step_keys();
  return request;
}

int runs_execute(CliEnv& env, const std::string& run_arg) {
  Instance& instance = env.instance();
  const RunRecord run = claim_run(instance, instance.resolve_run_id(run_arg));
  LaunchRequest request;
  try {
    request = plan_recorded_run(env, run);
  } catch (const Error& e) {
    // Nobody else will ever execute it: record why instead of leaving it STARTING.
    instance.fail_lost_run(run.run_id, std::string("the run could not be planned: ") + e.what());
    throw;
  }
  return run_with_progress(env, request, false);
}

}  // namespace

void add_runs_execute_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  CLI::App* runs = app.get_subcommand("runs");
  auto* execute = runs->add_subcommand(
      "execute", "Execute a queued run in this process (what the daemon's run queue starts)");
  execute->group("");  // internal: hidden from --help
  auto run = std::make_shared<std::string>();
  execute->add_option("run", *run, "Run id")->required();
  execute->callback(
      [&env, &action, run] { action = [&env, run] { return runs_execute(env, *run); }; });
}

}  // namespace cairn
