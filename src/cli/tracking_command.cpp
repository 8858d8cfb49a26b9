#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "cli/tracking_output.hpp"
#include "tracking/artifact_files.hpp"

namespace cairn {

namespace {

struct TrackingOptions {
  std::vector<std::string> experiments;
  std::string filter;
  std::string order_by;
  int limit = 20;
  int offset = 0;
  std::vector<std::string> runs;  // ids or prefixes
  std::string history;            // a metric key
  bool json = false;
};

int runs_list(CliEnv& env, const TrackingOptions& o) {
  const auto runs = open_tracker(env).search_runs({.experiments = o.experiments,
                                                   .filter = o.filter,
                                                   .order_by = o.order_by,
                                                   .limit = o.limit,
                                                   .offset = o.offset});
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& run : runs) out.push_back(to_json(run));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  print_tracking_runs(env.out(), runs);
  return 0;
}

/// "title:" then the rows indented, their first column padded to the widest.
void print_key_values(std::ostream& out, const std::string& title,
                      const std::vector<std::vector<std::string>>& rows) {
  out << "\n" << title << (rows.empty() ? ": none\n" : ":\n");
  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.front().size());
  for (const auto& row : rows) {
    out << "  " << row.front() << std::string(width - row.front().size(), ' ');
    for (std::size_t i = 1; i < row.size(); ++i) out << "  " << row[i];
    out << "\n";
  }
}

int runs_show(CliEnv& env, const TrackingOptions& o) {
  tracking::Tracker tracker = open_tracker(env);
  const tracking::TrackingRunInfo run = tracker.get_run(o.runs.front());
  const tracking::TrackingRun handle = tracker.resume_run(run.id);
  const std::vector<tracking::Artifact> artifacts = handle.list_artifacts();
  const std::string artifact_dir = (std::filesystem::path(tracker.artifact_root()) /
                                    tracking::run_artifact_dir(run.experiment_id, run.id))
                                       .string();
  std::vector<tracking::Metric> history;
  if (!o.history.empty()) {
    if (!run.metrics.contains(o.history)) {
      throw NotFoundError("tracking run " + run.id + " has no metric '" + o.history + "'");
    }
    history = handle.metric_history(o.history);
  }
  if (o.json) {
    nlohmann::json out = to_json(run);
    nlohmann::json listed = nlohmann::json::array();
    for (const auto& artifact : artifacts) listed.push_back(to_json(artifact));
    out["artifacts"] = std::move(listed);
    out["artifact_dir"] = artifact_dir;
    if (!o.history.empty()) {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& metric : history) values.push_back(to_json(metric));
      out["history"] = std::move(values);
    }
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  auto& out = env.out();
  out << "tracking run  " << run.id << "\n"
      << "experiment    " << run.experiment << " (id " << run.experiment_id << ")\n";
  if (!run.name.empty()) out << "name          " << run.name << "\n";
  out << "status        " << to_string(run.status) << "\n"
      << "started       " << format_timestamp(run.start_time) << "\n"
      << "duration      " << tracking_run_duration(run) << "\n";
  if (!run.links.run_id.empty()) {
    out << "run           " << run.links.run_id << " (asset " << run.links.asset_key
        << (run.links.partition_key.empty() ? "" : ", partition " + run.links.partition_key)
        << ")\n";
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, value] : run.params) rows.push_back({key, value});
  print_key_values(out, "params", rows);
  rows.clear();
  for (const auto& [key, value] : run.metrics) rows.push_back({key, format_metric(value)});
  print_key_values(out, "metrics (latest)", rows);
  rows.clear();
  for (const auto& [key, value] : run.tags) rows.push_back({key, value});
  print_key_values(out, "tags", rows);
  rows.clear();
  for (const auto& artifact : artifacts) {
    rows.push_back({artifact.path, std::to_string(artifact.size) + " B",
                    "sha256 " + artifact.sha256.substr(0, 16)});
  }
  print_key_values(out, "artifacts", rows);
  if (!artifacts.empty()) out << "  (in " << artifact_dir << ")\n";
  if (!o.history.empty()) {
    out << "\nhistory of " << o.history << ":\n";
    rows.clear();
    for (const auto& metric : history) {
      rows.push_back({std::to_string(metric.step), format_metric(metric.value),
                      format_timestamp(metric.timestamp)});
    }
    print_table(out, {"STEP", "VALUE", "TIME"}, rows);
  }
  return 0;
}

/// One row of a comparison: a key and each run's value (empty when the run has none).
struct ComparedKey {
  std::string key;
  std::vector<std::optional<std::string>> values;
  bool differs = false;
};

template <class Map, class Format>
std::vector<ComparedKey> compare_maps(const std::vector<tracking::TrackingRunInfo>& runs,
                                      Map tracking::TrackingRunInfo::*member, Format format) {
  std::set<std::string> keys;
  for (const auto& run : runs) {
    for (const auto& [key, value] : run.*member) keys.insert(key);
  }
  std::vector<ComparedKey> compared;
  for (const std::string& key : keys) {
    ComparedKey row{key, {}, false};
    for (const auto& run : runs) {
      auto it = (run.*member).find(key);
      row.values.push_back(it == (run.*member).end() ? std::nullopt
                                                     : std::optional(format(it->second)));
      row.differs = row.differs || row.values.back() != row.values.front();
    }
    compared.push_back(std::move(row));
  }
  return compared;
}

int runs_compare(CliEnv& env, const TrackingOptions& o) {
  if (o.runs.size() < 2) throw ConfigError("give at least two tracking runs to compare");
  tracking::Tracker tracker = open_tracker(env);
  std::vector<tracking::TrackingRunInfo> runs;
  for (const auto& id : o.runs) runs.push_back(tracker.get_run(id));
  const auto params = compare_maps(runs, &tracking::TrackingRunInfo::params,
                                   [](const std::string& v) { return v; });
  const auto metrics = compare_maps(runs, &tracking::TrackingRunInfo::metrics,
                                    [](double v) { return format_metric(v); });
  if (o.json) {
    nlohmann::json out;
    out["runs"] = nlohmann::json::array();
    for (const auto& run : runs) out["runs"].push_back(to_json(run));
    const auto rows_json = [&](const std::vector<ComparedKey>& rows, bool numeric) {
      nlohmann::json listed = nlohmann::json::array();
      for (const auto& row : rows) {
        nlohmann::json values = nlohmann::json::array();
        for (std::size_t i = 0; i < runs.size(); ++i) {
          if (!row.values[i]) {
            values.push_back(nullptr);
          } else if (numeric) {
            const double value = runs[i].metrics.at(row.key);
            values.push_back(std::isfinite(value) ? nlohmann::json(value)
                                                  : nlohmann::json(nullptr));
          } else {
            values.push_back(*row.values[i]);
          }
        }
        listed.push_back({{"key", row.key}, {"values", values}, {"differs", row.differs}});
      }
      return listed;
    };
    out["params"] = rows_json(params, false);
    out["metrics"] = rows_json(metrics, true);
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::string> headers{"", "KEY"};
  for (const auto& run : runs) headers.push_back(run.id.substr(0, 8));
  std::vector<std::vector<std::string>> rows;
  const auto add_row = [&](std::string marker, std::string key, auto value_of) {
    std::vector<std::string> row{std::move(marker), std::move(key)};
    for (std::size_t i = 0; i < runs.size(); ++i) row.push_back(value_of(i));
    rows.push_back(std::move(row));
  };
  add_row("", "experiment", [&](std::size_t i) { return runs[i].experiment; });
  add_row("", "name", [&](std::size_t i) { return runs[i].name.empty() ? "-" : runs[i].name; });
  add_row("", "status", [&](std::size_t i) { return std::string(to_string(runs[i].status)); });
  for (const auto* group : {&params, &metrics}) {
    const std::string prefix = group == &params ? "params." : "metrics.";
    for (const auto& compared : *group) {
      add_row(compared.differs ? "*" : "", prefix + compared.key,
              [&](std::size_t i) { return compared.values[i].value_or("-"); });
    }
  }
  print_table(env.out(), headers, rows);
  env.out() << "\n* the values differ (- : not logged by that run)\n";
  return 0;
}

}  // namespace

void add_tracking_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* tracking = app.add_subcommand("tracking", "Tracking runs: params, metrics, artifacts");
  tracking->require_subcommand(1);
  auto* runs = tracking->add_subcommand("runs", "List, show and compare tracking runs");
  runs->require_subcommand(1);
  auto o = std::make_shared<TrackingOptions>();
  auto bind = [&env, &action, o](CLI::App* cmd, int (*fn)(CliEnv&, const TrackingOptions&)) {
    cmd->callback([&env, &action, o, fn] { action = [&env, o, fn] { return fn(env, *o); }; });
  };

  auto* list = runs->add_subcommand("list", "Tracking runs, newest first (or as ordered)");
  list->add_option("--experiment,-e", o->experiments,
                   "Only tracking runs of this experiment (repeatable)");
  list->add_option("--filter", o->filter,
                   "Conditions joined by 'and', e.g. \"metrics.auc > 0.8 and params.max_depth = "
                   "'6'\" (docs/tracking.md)");
  list->add_option("--order-by", o->order_by,
                   "A metric, param, tag or attribute, then asc|desc, e.g. 'metrics.auc desc'");
  list->add_option("--limit", o->limit, "At most this many")->capture_default_str();
  list->add_option("--offset", o->offset, "Skip this many first (paging)")->capture_default_str();
  list->add_flag("--json", o->json, "Print JSON for scripts");
  bind(list, runs_list);

  auto* show = runs->add_subcommand("show", "A tracking run's params, metrics, tags, artifacts");
  show->add_option("id", o->runs, "Tracking run id (or a unique prefix of at least 4 characters)")
      ->required()
      ->expected(1);
  show->add_option("--history", o->history, "Also print every value of this metric");
  show->add_flag("--json", o->json, "Print JSON for scripts");
  bind(show, runs_show);

  auto* compare =
      runs->add_subcommand("compare", "Params and metrics of tracking runs side by side");
  compare->add_option("ids", o->runs, "Two or more tracking run ids (or unique prefixes)")
      ->required();
  compare->add_flag("--json", o->json, "Print JSON for scripts");
  bind(compare, runs_compare);
}

}  // namespace cairn
