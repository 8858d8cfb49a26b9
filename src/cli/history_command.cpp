// `history ASSET`: what happened to one asset over time — its materializations, observations and
// check evaluations, newest first, with paging.

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "core/suggest.hpp"

namespace cairn {

namespace {

struct HistoryOptions {
  std::string asset;
  std::string partition;
  std::vector<std::string> kinds;
  int limit = 20;
  std::int64_t before = 0;
  bool json = false;
};

EventType event_type_of_kind(const std::string& kind) {
  if (kind == "materializations") return EventType::kAssetMaterialization;
  if (kind == "observations") return EventType::kAssetObservation;
  if (kind == "checks") return EventType::kAssetCheckEvaluation;
  throw ConfigError("unknown history kind '" + kind +
                    "'; use materializations, observations or checks");
}

// One line of detail for a history event: a materialization's data version and metadata, an
// observation's version, a check's outcome.
std::string detail_of(const Event& e) {
  auto payload = nlohmann::json::parse(e.payload_json, nullptr, false);
  if (!payload.is_object()) return e.message;
  switch (e.type) {
    case EventType::kAssetMaterialization: {
      std::string version = payload.value("data_version", "");
      std::string text = version.empty() ? "" : "version " + version.substr(0, 8);
      std::string metadata = metadata_summary(e.payload_json, 80);
      if (!metadata.empty()) text += (text.empty() ? "" : ", ") + metadata;
      return text;
    }
    case EventType::kAssetObservation:
      return "observed version " + payload.value("data_version", "").substr(0, 8);
    case EventType::kAssetCheckEvaluation: {
      std::string text = payload.value("check", "") + " " +
                         (payload.value("passed", false) ? "passed" : "FAILED") + " (" +
                         payload.value("severity", "") +
                         (payload.value("blocking", false) ? ", blocking" : "") + ")";
      std::string description = payload.value("description", "");
      if (!description.empty()) text += ": " + description;
      if (text.size() > 100) text = text.substr(0, 97) + "...";
      return text;
    }
    default:
      return e.message;
  }
}

std::string kind_label(EventType type) {
  switch (type) {
    case EventType::kAssetMaterialization:
      return "MATERIALIZED";
    case EventType::kAssetObservation:
      return "OBSERVED";
    case EventType::kAssetCheckEvaluation:
      return "CHECK";
    default:
      return std::string(to_string(type));
  }
}

int show_history(CliEnv& env, const HistoryOptions& o) {
  const AssetGraph& graph = env.graph();
  if (!graph.find(o.asset)) {
    std::vector<std::string> keys;
    for (NodeId n = 0; n < graph.size(); ++n) keys.push_back(graph.key(n));
    throw NotFoundError("no asset '" + o.asset + "' in this pipeline" +
                        did_you_mean(o.asset, keys) + "; `list` shows every asset");
  }
  if (o.limit <= 0) throw ConfigError("--limit must be at least 1");
  AssetHistoryFilter filter;
  filter.partition_key = o.partition;
  for (const auto& kind : o.kinds) filter.types.push_back(event_type_of_kind(kind));
  filter.before_id = o.before;
  filter.limit = o.limit;
  std::vector<Event> events = env.instance().storage().asset_history(o.asset, filter);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : events) out.push_back(to_json(e));
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  if (events.empty()) {
    env.out() << "no history for " << o.asset
              << (o.partition.empty() ? "" : "[" + o.partition + "]") << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : events) {
    rows.push_back({std::to_string(e.id), format_timestamp(e.timestamp), kind_label(e.type),
                    e.partition_key, e.run_id.substr(0, 8), detail_of(e)});
  }
  print_table(env.out(), {"ID", "TIME", "EVENT", "PARTITION", "RUN", "DETAIL"}, rows);
  if (static_cast<int>(events.size()) == o.limit) {
    env.out() << "older: --before " << events.back().id << "\n";
  }
  return 0;
}

}  // namespace

void add_history_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto options = std::make_shared<HistoryOptions>();
  auto* cmd = app.add_subcommand(
      "history", "An asset's materializations, observations and check results, newest first");
  cmd->add_option("asset", options->asset, "The asset key")->required();
  cmd->add_option("--partition,-p", options->partition, "Only this partition");
  cmd->add_option("--kind", options->kinds,
                  "Only materializations, observations or checks (repeatable)");
  cmd->add_option("--limit,-n", options->limit, "At most this many events (default 20)");
  cmd->add_option("--before", options->before, "Only events older than this event ID (paging)");
  cmd->add_flag("--json", options->json, "Print JSON");
  cmd->callback([&env, &action, options] {
    action = [&env, options] { return show_history(env, *options); };
  });
}

}  // namespace cairn
