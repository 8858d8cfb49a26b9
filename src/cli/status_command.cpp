// `status`: for every selected asset (× partition), whether it is missing, stale or fresh and
// why, its latest materialization, and its latest check results.

#include <CLI/CLI.hpp>
#include <ostream>
#include <unordered_map>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "cli/staleness_view.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

struct StatusOptions {
  std::string select = "*";
  bool partitions = false;
  bool json = false;
};

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// "2 checks failed: non_negative, small (warn)" or "" when all passed.
std::string check_summary(const std::vector<CheckRecord>& checks) {
  std::vector<std::string> failed;
  for (const auto& c : checks) {
    if (!c.passed) failed.push_back(c.check_name + (c.severity == "warn" ? " (warn)" : ""));
  }
  if (failed.empty()) return checks.empty() ? "" : "checks passed";
  return "check failed: " + join(failed, ", ");
}

nlohmann::json check_json(const std::vector<CheckRecord>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : checks) {
    out.push_back({{"check", c.check_name},
                   {"partition", c.partition_key.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(c.partition_key)},
                   {"passed", c.passed},
                   {"severity", c.severity},
                   {"blocking", c.blocking},
                   {"run_id", c.run_id}});
  }
  return out;
}

int run_status(CliEnv& env, const StatusOptions& o) {
  const AssetGraph& graph = env.graph();
  std::vector<NodeId> nodes = resolve_selection(graph, o.select);
  PartitionSpace space = env.partition_space();
  StalenessIndex index = load_staleness(env, space, nullptr);
  std::unordered_map<std::string, MaterializationRecord> latest;
  if (o.json) {
    for (auto& m : env.instance().storage().latest_materializations()) {
      if (m.partition_key.empty()) latest.emplace(m.asset_key, std::move(m));
    }
  }
  std::unordered_map<std::string, std::vector<CheckRecord>> checks;
  for (auto& c : env.instance().storage().latest_check_results("")) {
    checks[c.asset_key].push_back(std::move(c));
  }

  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  StalenessIndex::Counts total;
  for (NodeId node : nodes) {
    const std::string& key = graph.key(node);
    const auto& asset_checks = checks[key];
    auto counts = index.counts(node);
    total.fresh += counts.fresh;
    total.stale += counts.stale;
    total.missing += counts.missing;
    const bool partitioned = space.is_partitioned(node);
    nlohmann::json entry = {{"asset", key},
                            {"group", graph.definition(node).group},
                            {"checks", check_json(asset_checks)}};
    auto step_json = [&](StepRef step) {
      const AssetVersionRecord* m = index.materialization(step);
      return nlohmann::json{
          {"partition", partitioned ? nlohmann::json(space.key(step)) : nlohmann::json(nullptr)},
          {"status", to_string(index.freshness(step))},
          {"reasons", index.reasons(step)},
          {"data_version", m ? nlohmann::json(m->data_version) : nlohmann::json(nullptr)},
          {"materialized_at", m ? nlohmann::json(m->timestamp) : nlohmann::json(nullptr)}};
    };
    if (!partitioned) {
      StepRef step{node, kUnpartitioned};
      entry.update(step_json(step));
      auto it = latest.find(key);
      entry["latest"] = it == latest.end() ? nlohmann::json(nullptr) : to_json(it->second);
      const AssetVersionRecord* m = index.materialization(step);
      auto reasons = index.reasons(step);
      rows.push_back(
          {key, std::string(to_string(index.freshness(step))),
           m ? format_timestamp(m->timestamp) : "",
           join(index.freshness(step) == Freshness::kStale ? reasons : std::vector<std::string>{},
                "; "),
           check_summary(asset_checks)});
    } else {
      const PartitionsDefinition& partitions = *graph.definition(node).partitions;
      entry["partitions"] = {{"definition", partitions.describe()},
                             {"count", space.step_count(node)},
                             {"fresh", counts.fresh},
                             {"stale", counts.stale},
                             {"missing", counts.missing}};
      std::string state = counts.stale + counts.missing == 0 ? "fresh"
                          : counts.fresh + counts.stale == 0 ? "missing"
                                                             : "partial";
      entry["status"] = state;
      rows.push_back({key + " [" + std::to_string(space.step_count(node)) + " partitions]", state,
                      "",
                      std::to_string(counts.fresh) + " fresh, " + std::to_string(counts.stale) +
                          " stale, " + std::to_string(counts.missing) + " missing",
                      check_summary(asset_checks)});
      if (o.partitions || o.json) {
        nlohmann::json steps = nlohmann::json::array();
        for (std::size_t i = 0; i < space.step_count(node); ++i) {
          StepRef step{node, static_cast<PartitionIndex>(i)};
          if (o.json) steps.push_back(step_json(step));
          if (!o.partitions) continue;
          const AssetVersionRecord* m = index.materialization(step);
          rows.push_back(
              {"  " + space.step_key(step), std::string(to_string(index.freshness(step))),
               m ? format_timestamp(m->timestamp) : "",
               index.freshness(step) == Freshness::kStale ? join(index.reasons(step), "; ") : "",
               ""});
        }
        if (o.json) entry["steps"] = std::move(steps);
      }
    }
    out.push_back(std::move(entry));
  }
  if (o.json) {
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  print_table(env.out(), {"ASSET", "STATUS", "LAST MATERIALIZED", "WHY", "CHECKS"}, rows);
  env.out() << "\n"
            << total.fresh << " fresh, " << total.stale << " stale, " << total.missing
            << " missing";
  if (total.stale + total.missing > 0) {
    env.out() << "; bring them up to date with: " << env.program() << " materialize --select '"
              << o.select << "' --stale-only";
  }
  env.out() << "\n";
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand(
      "status",
      "Every asset (and partition): missing, stale or fresh and why, with its latest checks");
  auto o = std::make_shared<StatusOptions>();
  cmd->add_option("--select,-s", o->select, "Only these assets")->capture_default_str();
  cmd->add_flag("--partitions", o->partitions, "List every partition of partitioned assets");
  cmd->add_flag("--json", o->json, "Print JSON for scripts");
  cmd->callback([&env, &action, o] { action = [&env, o] { return run_status(env, *o); }; });
}

}  // namespace cairn
