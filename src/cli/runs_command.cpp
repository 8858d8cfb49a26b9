#include <CLI/CLI.hpp>
#include <ostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "cli/run_launcher.hpp"

namespace cairn {

namespace {

struct RunsOptions {
  std::string run;
  std::string status;
  std::string job;
  std::vector<std::string> tags;
  int limit = 20;
  std::string step;
  bool from_failure = false;
  int max_concurrent = 0;
  double wait_seconds = 60;
  bool json = false;
};

std::string short_id(const std::string& id) {
  return id.substr(0, 8);
}

std::string run_duration(const RunRecord& run) {
  if (run.started_at <= 0) return "-";
  double end = run.ended_at > 0 ? run.ended_at : 0;
  if (end <= 0) return "running";
  return format_duration(end - run.started_at);
}

// The time of a run's succeeded steps, and how much of it the assets' own functions took (the
// rest is cairn's: loading inputs, storing values, recording events).
struct StepTimes {
  double steps_ms = 0;
  double asset_code_ms = 0;

  void add(const std::string& step_success_payload) {
    auto payload = nlohmann::json::parse(step_success_payload, nullptr, false);
    if (!payload.is_object()) return;
    steps_ms += payload.value("duration_ms", 0.0);
    asset_code_ms += payload.value("user_code_ms", 0.0);
  }
};

int runs_list(CliEnv& env, const RunsOptions& o) {
  RunFilter filter;
  if (!o.status.empty()) {
    filter.status = run_status_from_string(o.status);
    if (!filter.status) {
      throw ConfigError("unknown run status '" + o.status +
                        "'; use QUEUED, STARTING, STARTED, SUCCESS, FAILURE or CANCELED");
    }
  }
  filter.job_name = o.job;
  filter.tags = parse_tags(o.tags);
  filter.limit = o.limit;
  auto runs = env.instance().storage().list_runs(filter);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& run : runs) out.push_back(to_json(run));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    rows.push_back({short_id(run.run_id), std::string(to_string(run.status)),
                    format_timestamp(run.created_at), run_duration(run),
                    std::to_string(run.step_keys.size()),
                    run.job_name.empty() ? run.selection : "job " + run.job_name,
                    run.parent_run_id.empty() ? "" : "re-exec of " + short_id(run.parent_run_id)});
  }
  print_table(env.out(), {"RUN", "STATUS", "CREATED", "DURATION", "STEPS", "WHAT", ""}, rows);
  return 0;
}

int runs_show(CliEnv& env, const RunsOptions& o) {
  Instance& instance = env.instance();
  std::string id = instance.resolve_run_id(o.run);
  auto run = instance.storage().get_run(id);
  auto events = instance.storage().run_events(id, {});
  // Each step's latest state, in plan order.
  std::map<std::string, std::pair<std::string, std::string>> steps;  // key -> (state, detail)
  StepTimes times;
  for (const Event& e : events) {
    if (e.step_key.empty()) continue;
    switch (e.type) {
      case EventType::kStepStart:
        steps[e.step_key] = {"RUNNING", ""};
        break;
      case EventType::kStepSuccess:
        steps[e.step_key].first = "SUCCESS";
        times.add(e.payload_json);
        break;
      case EventType::kStepFailure:
        steps[e.step_key] = {"FAILURE", e.message};
        break;
      case EventType::kStepRetry:
        steps[e.step_key] = {"RETRYING", e.message};
        break;
      case EventType::kStepSkipped:
        steps[e.step_key] = {"SKIPPED", e.message};
        break;
      case EventType::kAssetMaterialization:
        steps[e.step_key].second = metadata_summary(e.payload_json);
        break;
      default:
        break;
    }
  }
  if (o.json) {
    nlohmann::json out = to_json(*run);
    nlohmann::json step_list = nlohmann::json::array();
    for (const auto& key : run->step_keys) {
      auto it = steps.find(key);
      step_list.push_back({{"step", key},
                           {"status", it == steps.end() ? "NOT_STARTED" : it->second.first},
                           {"detail", it == steps.end() ? "" : it->second.second}});
    }
    out["step_status"] = step_list;
    out["steps_ms"] = times.steps_ms;
    out["asset_code_ms"] = times.asset_code_ms;
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  auto& out = env.out();
  out << "run        " << run->run_id << "\n"
      << "status     " << to_string(run->status) << "\n";
  if (!run->failure_reason.empty()) out << "reason     " << run->failure_reason << "\n";
  out << "what       " << (run->job_name.empty() ? run->selection : "job " + run->job_name) << "\n"
      << "created    " << format_timestamp(run->created_at) << "\n"
      << "duration   " << run_duration(*run) << "\n";
  if (times.steps_ms > 0) {
    out << "step time  " << format_duration(times.steps_ms / 1000) << " in succeeded steps, "
        << format_duration(times.asset_code_ms / 1000) << " of it in the assets' own code\n";
  }
  if (!run->parent_run_id.empty()) {
    out << "parent     " << run->parent_run_id << "\nroot       " << run->root_run_id << "\n";
  }
  if (!run->tags.empty()) {
    out << "tags      ";
    for (const auto& [k, v] : run->tags) out << " " << k << "=" << v;
    out << "\n";
  }
  out << "owner      pid " << run->pid << " on " << run->host << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& key : run->step_keys) {
    auto it = steps.find(key);
    rows.push_back({key, it == steps.end() ? "NOT_STARTED" : it->second.first,
                    it == steps.end() ? "" : it->second.second});
  }
  print_table(out, {"STEP", "STATUS", "DETAIL"}, rows);
  return 0;
}

int runs_logs(CliEnv& env, const RunsOptions& o) {
  Instance& instance = env.instance();
  std::string id = instance.resolve_run_id(o.run);
  EventFilter filter;
  filter.step_key = o.step;
  auto events = instance.storage().run_events(id, filter);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : events) out.push_back(to_json(e));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& e : events) env.out() << format_event_line(e) << "\n";
  return 0;
}

int runs_reexecute(CliEnv& env, const RunsOptions& o) {
  if (!o.from_failure) {
    throw ConfigError(
        "say what to re-execute: --from-failure (re-runs the failed and skipped "
        "steps, loading the others' values from storage)");
  }
  Instance& instance = env.instance();
  std::string id = instance.resolve_run_id(o.run);
  auto parent = instance.storage().get_run(id);
  auto events = instance.storage().run_events(id, {});
  const AssetGraph& graph = env.graph();
  LaunchRequest request;
  request.plan = plan_reexecution(env.partition_space(), *parent, events, instance.storage());
  request.partition_keys = parent->partition_keys;
  std::vector<const AssetDefinition*> defs;
  for (NodeId n = 0; n < graph.size(); ++n) defs.push_back(&graph.definition(n));
  std::vector<ConfigSource> sources{{"run " + parent->run_id, parent->config_json}};
  request.config = resolve_run_config(sources, defs);
  request.job_name = parent->job_name;
  request.selection = parent->selection;
  request.tags = parent->tags;
  request.parent_run_id = parent->run_id;
  request.root_run_id = parent->root_run_id.empty() ? parent->run_id : parent->root_run_id;
  request.max_concurrent = o.max_concurrent;
  return run_with_progress(env, request, o.json);
}

int runs_cancel(CliEnv& env, const RunsOptions& o) {
  Instance& instance = env.instance();
  Storage& storage = instance.storage();
  std::string id = instance.resolve_run_id(o.run);
  auto run = storage.get_run(id);
  if (is_finished(run->status)) {
    throw Error("run " + id + " already finished with status " +
                std::string(to_string(run->status)) + "; nothing to cancel");
  }
  storage.request_cancel(id);
  env.out() << "cancellation of run " << id << " requested\n";
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<std::int64_t>(o.wait_seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    instance.recover_dead_runs();
    run = storage.get_run(id);
    if (is_finished(run->status)) {
      env.out() << "run " << id << " ended " << to_string(run->status) << "\n";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (o.wait_seconds > 0) {
    env.out() << "run " << id << " is still " << to_string(run->status) << " after "
              << o.wait_seconds << " s; its steps were asked to stop\n";
  }
  return 0;
}

}  // namespace

void add_runs_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* runs = app.add_subcommand("runs", "Inspect, re-execute and cancel runs");
  runs->require_subcommand(1);
  auto o = std::make_shared<RunsOptions>();
  auto bind = [&env, &action, o](CLI::App* cmd, int (*fn)(CliEnv&, const RunsOptions&)) {
    cmd->callback([&env, &action, o, fn] { action = [&env, o, fn] { return fn(env, *o); }; });
  };

  auto* list = runs->add_subcommand("list", "Runs of this instance, newest first");
  list->add_option("--status", o->status, "Only runs with this status (e.g. FAILURE)");
  list->add_option("--job", o->job, "Only runs of this job");
  list->add_option("--tag", o->tags, "Only runs with this tag KEY=VALUE (repeatable)");
  list->add_option("--limit", o->limit, "At most this many runs")->capture_default_str();
  list->add_flag("--json", o->json, "Print JSON for scripts");
  bind(list, runs_list);

  auto* show = runs->add_subcommand("show", "A run's status, config and steps");
  show->add_option("run", o->run, "Run id (or a unique prefix of at least 4 characters)")
      ->required();
  show->add_flag("--json", o->json, "Print JSON for scripts");
  bind(show, runs_show);

  auto* logs = runs->add_subcommand("logs", "A run's events and log lines");
  logs->add_option("run", o->run, "Run id (or a unique prefix)")->required();
  logs->add_option("--step", o->step, "Only this step's events");
  logs->add_flag("--json", o->json, "Print JSON for scripts");
  bind(logs, runs_logs);

  auto* reexecute = runs->add_subcommand("reexecute",
                                         "Start a new run that re-runs a finished "
                                         "run's failed and skipped steps");
  reexecute->add_option("run", o->run, "Run id (or a unique prefix)")->required();
  reexecute->add_flag("--from-failure", o->from_failure,
                      "Re-run failed, skipped and unfinished steps; load the rest from storage");
  reexecute->add_option("--max-concurrent", o->max_concurrent, "Steps running at once");
  reexecute->add_flag("--json", o->json, "Print the finished run as JSON");
  bind(reexecute, runs_reexecute);

  auto* cancel = runs->add_subcommand("cancel", "Ask a running run (in any process) to stop");
  cancel->add_option("run", o->run, "Run id (or a unique prefix)")->required();
  cancel
      ->add_option("--wait", o->wait_seconds, "Seconds to wait for the run to end (0: do not wait)")
      ->capture_default_str();
  bind(cancel, runs_cancel);
}

}  // namespace cairn
