#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/observe_assets.hpp"
#include "cli/output.hpp"
#include "cli/partition_args.hpp"
#include "cli/progress_display.hpp"
#include "cli/run_launcher.hpp"
#include "cli/staleness_view.hpp"
#include "core/suggest.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

struct MaterializeOptions {
  std::string select;
  std::string job;
  std::string config_file;
  int max_concurrent = 0;
  std::vector<std::string> tags;
  std::string partition;
  std::string partitions;
  bool stale_only = false;
  bool json = false;
};

std::vector<const AssetDefinition*> all_definitions(const AssetGraph& graph) {
  std::vector<const AssetDefinition*> defs;
  defs.reserve(graph.size());
  for (NodeId id = 0; id < graph.size(); ++id) defs.push_back(&graph.definition(id));
  return defs;
}

}  // namespace

int print_run_outcome(CliEnv& env, const LaunchResult& result, bool as_json) {
  Storage& storage = env.instance().storage();
  auto run = storage.get_run(result.run_id);
  if (as_json) {
    env.out() << to_json(*run).dump(2) << "\n";
    return exit_code_for(result.status);
  }
  std::size_t succeeded = 0, failed = 0, skipped = 0;
  std::vector<const Event*> failures;
  auto events = storage.run_events(result.run_id, {});
  for (const Event& e : events) {
    if (e.type == EventType::kStepSuccess) ++succeeded;
    if (e.type == EventType::kStepSkipped) ++skipped;
    if (e.type == EventType::kStepFailure) {
      ++failed;
      failures.push_back(&e);
    }
  }
  env.out() << "run " << result.run_id << " " << to_string(result.status) << " in "
            << format_duration(result.seconds) << ": " << succeeded << " succeeded, " << failed
            << " failed, " << skipped << " skipped\n";
  for (const Event* e : failures)
    env.out() << "  failed: " << e->step_key << ": " << e->message << "\n";
  if (result.status != RunStatus::kSuccess) {
    env.out() << "re-execute the failed and skipped steps with: " << env.program()
              << " runs reexecute " << result.run_id << " --from-failure\n";
  }
  return exit_code_for(result.status);
}

int run_with_progress(CliEnv& env, const LaunchRequest& request, bool as_json) {
  std::FILE* stream = as_json ? stderr : stdout;
  bool live = isatty(fileno(stream)) != 0;
  ProgressDisplay display(stream, request.plan.steps.size(), live);
  auto on_created = [&](const std::string& run_id) {
    std::fprintf(stream, "run %s started: %zu steps\n", run_id.c_str(), request.plan.steps.size());
    std::fflush(stream);
  };
  LaunchResult result = launch_run(env, request, on_created, {display.observer()});
  display.finish();
  std::cout.flush();
  return print_run_outcome(env, result, as_json);
}

namespace {

int run_materialize(CliEnv& env, const MaterializeOptions& options) {
  if (options.select.empty() == options.job.empty()) {
    throw ConfigError("give exactly one of --select EXPR or --job NAME");
  }
  if (options.max_concurrent < 0) throw ConfigError("--max-concurrent must be at least 1");
  const AssetGraph& graph = env.graph();
  LaunchRequest request;
  std::vector<ConfigSource> sources;
  std::string selection = options.select;
  if (!options.job.empty()) {
    const Job* job = graph.find_job(options.job);
    if (job == nullptr) {
      std::vector<std::string> names;
      for (const auto& j : env.definitions().jobs) names.push_back(j.name);
      throw NotFoundError("no job named '" + options.job + "'" + did_you_mean(options.job, names) +
                          "; `list` shows the jobs");
    }
    selection = job->selection;
    request.job_name = job->name;
    request.tags = job->tags;
    sources.push_back({"job '" + job->name + "'", job->config_json});
  }
  std::vector<NodeId> selected = resolve_selection(graph, selection);
  if (selected.empty()) {
    throw SelectionError("selection '" + selection + "' matches no assets");
  }
  if (!options.config_file.empty()) {
    sources.push_back({options.config_file, read_config_file(options.config_file)});
  }
  auto defs = all_definitions(graph);
  request.config = resolve_run_config(sources, defs);
  for (const auto& [k, v] : parse_tags(options.tags)) request.tags[k] = v;
  request.selection = selection;
  request.max_concurrent = options.max_concurrent;
  PartitionSpace space = env.partition_space();
  request.partition_keys =
      resolve_partition_args(space, selected, options.partition, options.partitions);
  std::vector<StepRef> steps = select_steps(space, selected, request.partition_keys,
                                            options.stale_only && request.partition_keys.empty());
  if (options.stale_only) {
    // A changed source is new data only once it is observed.
    observe_assets(env, space, selected);
    steps = stale_steps(env, space, steps, request.config);
    if (steps.empty()) {
      env.out() << "nothing to do: every selected step is up to date\n";
      return 0;
    }
  }
  request.plan = plan_steps(space, steps, env.instance().storage());
  return run_with_progress(env, request, options.json);
}

}  // namespace

void add_materialize_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand("materialize",
                                 "Compute the selected assets (and store them) in "
                                 "dependency order, in parallel");
  auto options = std::make_shared<MaterializeOptions>();
  cmd->add_option("--select,-s", options->select,
                  "Assets to materialize, in the selection language (docs/selection.md)");
  cmd->add_option("--job,-j", options->job, "Materialize a job's selection with its config/tags");
  cmd->add_option("--config,-c", options->config_file,
                  "JSON config file: {\"assets\": {\"<asset>\": {\"<field>\": value}}}");
  cmd->add_option("--max-concurrent", options->max_concurrent,
                  "Steps running at once (default: the number of CPU threads)");
  cmd->add_option("--tag", options->tags, "Tag the run: KEY=VALUE (repeatable)");
  cmd->add_option("--partition,-p", options->partition,
                  "Materialize this partition of the partitioned assets selected");
  cmd->add_option("--partitions", options->partitions,
                  "Materialize a range of partitions: FROM..TO (inclusive)");
  cmd->add_flag("--stale-only", options->stale_only,
                "Skip the steps that are up to date (all partitions unless --partition(s))");
  cmd->add_flag("--json", options->json,
                "Print the finished run as JSON (progress goes to stderr)");
  cmd->callback([&env, &action, options] {
    action = [&env, options] { return run_materialize(env, *options); };
  });
}

}  // namespace cairn
