#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "cli/tracking_output.hpp"

namespace cairn {

namespace {

struct ExperimentsOptions {
  std::string name;
  int limit = 20;
  bool json = false;
};

int experiments_list(CliEnv& env, const ExperimentsOptions& o) {
  tracking::Tracker tracker = open_tracker(env);
  const std::vector<tracking::Experiment> experiments = tracker.list_experiments();
  // The newest tracking run of each: one indexed query per experiment.
  std::vector<std::optional<tracking::TrackingRunInfo>> latest;
  for (const auto& experiment : experiments) {
    auto runs = tracker.search_runs({.experiments = {experiment.name}, .limit = 1});
    latest.push_back(runs.empty() ? std::nullopt : std::optional(std::move(runs.front())));
  }
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < experiments.size(); ++i) {
      nlohmann::json entry = to_json(experiments[i]);
      entry["latest_run"] = latest[i] ? to_json(*latest[i]) : nlohmann::json(nullptr);
      out.push_back(std::move(entry));
    }
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < experiments.size(); ++i) {
    rows.push_back({experiments[i].name, std::to_string(experiments[i].id),
                    format_timestamp(experiments[i].created_at),
                    latest[i] ? format_timestamp(latest[i]->start_time) : "-"});
  }
  print_table(env.out(), {"EXPERIMENT", "ID", "CREATED", "LATEST TRACKING RUN"}, rows);
  return 0;
}

int experiments_show(CliEnv& env, const ExperimentsOptions& o) {
  tracking::Tracker tracker = open_tracker(env);
  const tracking::Experiment experiment = tracker.get_experiment(o.name);
  const auto runs = tracker.search_runs({.experiments = {experiment.name}, .limit = o.limit});
  if (o.json) {
    nlohmann::json out = to_json(experiment);
    nlohmann::json listed = nlohmann::json::array();
    for (const auto& run : runs) listed.push_back(to_json(run));
    out["runs"] = std::move(listed);
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  env.out() << "experiment  " << experiment.name << " (id " << experiment.id << ")\n"
            << "created     " << format_timestamp(experiment.created_at) << "\n\n";
  print_tracking_runs(env.out(), runs);
  return 0;
}

}  // namespace

void add_experiments_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* experiments =
      app.add_subcommand("experiments", "Experiments of experiment tracking and their runs");
  experiments->require_subcommand(1);
  auto o = std::make_shared<ExperimentsOptions>();
  auto bind = [&env, &action, o](CLI::App* cmd, int (*fn)(CliEnv&, const ExperimentsOptions&)) {
    cmd->callback([&env, &action, o, fn] { action = [&env, o, fn] { return fn(env, *o); }; });
  };

  auto* list =
      experiments->add_subcommand("list", "Every experiment, with its latest tracking run");
  list->add_flag("--json", o->json, "Print JSON for scripts");
  bind(list, experiments_list);

  auto* show =
      experiments->add_subcommand("show", "An experiment and its tracking runs, newest first");
  show->add_option("name", o->name, "Experiment name")->required();
  show->add_option("--limit", o->limit, "At most this many tracking runs")->capture_default_str();
  show->add_flag("--json", o->json, "Print JSON for scripts");
  bind(show, experiments_show);
}

}  // namespace cairn
