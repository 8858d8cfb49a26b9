// `check`: runs the checks of the selected assets against their latest stored values, as a run
// of its own (so the results are events with the asset's history, like checks run after a
// materialization).

#include <CLI/CLI.hpp>

#include "cairn/tracking.hpp"
#include "cli/adhoc_run.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/partition_args.hpp"
#include "exec/asset_checks.hpp"
#include "exec/materialization_payload.hpp"
#include "exec/step_context.hpp"
#include "graph/selection.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn {

namespace {

struct CheckOptions {
  std::string select;
  std::string partition;
  std::string partitions;
  bool json = false;
};

struct CheckTarget {
  NodeId node = 0;
  MaterializationRecord materialization;
  std::string step_key;
};

struct CheckRow {
  std::string step_key;
  std::string check;
  bool passed = false;
  std::string severity;
  std::string description;
};

// The latest materialization of each selected asset with checks: of the given partitions, or of
// every materialized partition when none are given.
std::vector<CheckTarget> find_targets(CliEnv& env, const std::vector<NodeId>& selected,
                                      const std::vector<std::string>& partition_keys) {
  const AssetGraph& graph = env.graph();
  Storage& storage = env.instance().storage();
  std::vector<CheckTarget> targets;
  std::vector<MaterializationRecord> all;
  if (partition_keys.empty()) all = storage.latest_materializations();
  for (NodeId node : selected) {
    const std::string& key = graph.key(node);
    if (graph.definition(node).checks.empty()) continue;
    auto add = [&](MaterializationRecord m) {
      std::string step = m.partition_key.empty() ? key : key + "[" + m.partition_key + "]";
      targets.push_back({node, std::move(m), std::move(step)});
    };
    if (!partition_keys.empty()) {
      for (const auto& partition : partition_keys) {
        auto m = storage.latest_materialization(key, partition);
        if (!m) {
          throw NotFoundError("asset '" + key + "' has no materialization of partition '" +
                              partition + "' to check; materialize it first");
        }
        add(std::move(*m));
      }
      continue;
    }
    for (auto& m : all) {
      if (m.asset_key == key) add(m);
    }
  }
  return targets;
}

int run_check(CliEnv& env, const CheckOptions& o) {
  const AssetGraph& graph = env.graph();
  std::vector<NodeId> selected = resolve_selection(graph, o.select);
  PartitionSpace space = env.partition_space();
  std::vector<std::string> partition_keys =
      resolve_partition_args(space, selected, o.partition, o.partitions);
  std::vector<CheckTarget> targets = find_targets(env, selected, partition_keys);
  if (targets.empty()) {
    throw NotFoundError("no materialized asset with checks matches '" + o.select +
                        "'; `list` shows which assets have checks, `status` which exist");
  }

  std::vector<std::string> step_keys;
  for (const auto& t : targets) step_keys.push_back(t.step_key);
  AdHocRun run(env, o.select, {{"cairn/kind", "checks"}}, partition_keys, step_keys,
               "checking " + std::to_string(targets.size()) + " stored value(s)");
  tracking::Tracker tracker(tracking::borrow_instance(env.instance()));
  std::atomic<bool> stop{false};
  std::vector<CheckRow> rows;
  bool any_error = false;
  for (const auto& target : targets) {
    const AssetDefinition& def = graph.definition(target.node);
    const std::string& partition = target.materialization.partition_key;
    auto emit = [&](EventType type, std::string message, std::string payload, LogLevel level) {
      run.emit(type, target.step_key, def.key, partition, std::move(message), std::move(payload),
               level);
    };
    emit(EventType::kStepStart, "", "{\"attempt\":1}", LogLevel::kInfo);
    std::string blocking;
    try {
      MaterializationPayload payload =
          materialization_payload_from_json(target.materialization.payload_json);
      auto io = env.io_managers().find(payload.io_manager);
      if (io == env.io_managers().end()) {
        throw Error("its value was stored by IO manager '" + payload.io_manager +
                    "', which this pipeline does not define");
      }
      AnyValue value = io->second->load(
          ValueRef{def.key, partition, target.materialization.run_id, &def.codec}, payload.uri);
      StepContext ctx(run.record().run_id, run.record().tags, def, target.step_key, partition, 1,
                      stop, env.definitions().resources, run.sink(), run.clock(), &tracker);
      blocking = evaluate_checks(
          def, ctx, value, [&](std::string message, std::string event_payload, LogLevel level) {
            auto doc = nlohmann::json::parse(event_payload);
            rows.push_back({target.step_key, doc["check"], doc["passed"], doc["severity"],
                            doc["description"]});
            if (!doc["passed"].get<bool>() && doc["severity"] == "error") any_error = true;
            emit(EventType::kAssetCheckEvaluation, std::move(message), std::move(event_payload),
                 level);
          });
    } catch (const std::exception& e) {
      any_error = true;
      emit(EventType::kStepFailure, std::string("cannot check the stored value: ") + e.what(),
           "{\"attempt\":1,\"kind\":\"error\"}", LogLevel::kError);
      continue;
    }
    if (blocking.empty()) {
      emit(EventType::kStepSuccess, "", "{\"attempt\":1,\"duration_ms\":0}", LogLevel::kInfo);
    } else {
      emit(EventType::kStepFailure, "blocking check " + blocking + " failed",
           "{\"attempt\":1,\"kind\":\"check\"}", LogLevel::kError);
    }
  }
  run.finish(!any_error,
             any_error ? "a check of severity error failed" : "every check passed or only warned");
  const std::string run_id = run.record().run_id;

  if (o.json) {
    nlohmann::json out = {{"run_id", run_id}, {"results", nlohmann::json::array()}};
    for (const auto& r : rows) {
      out["results"].push_back({{"step", r.step_key},
                                {"check", r.check},
                                {"passed", r.passed},
                                {"severity", r.severity},
                                {"description", r.description}});
    }
    env.out() << out.dump(2) << "\n";
  } else {
    std::vector<std::vector<std::string>> table;
    for (const auto& r : rows) {
      table.push_back({r.step_key, r.check, r.passed ? "passed" : "FAILED (" + r.severity + ")",
                       r.description});
    }
    print_table(env.out(), {"ASSET", "CHECK", "RESULT", "DESCRIPTION"}, table);
    env.out() << "\nrun " << run_id << ": " << rows.size() << " check result(s)\n";
  }
  return any_error ? 1 : 0;
}

}  // namespace

void add_check_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand(
      "check", "Run the checks of the selected assets against their latest stored values");
  auto o = std::make_shared<CheckOptions>();
  cmd->add_option("--select,-s", o->select, "Assets whose checks to run")->required();
  cmd->add_option("--partition,-p", o->partition, "Only this partition");
  cmd->add_option("--partitions", o->partitions, "Only these partitions: FROM..TO");
  cmd->add_flag("--json", o->json, "Print JSON for scripts");
  cmd->callback([&env, &action, o] { action = [&env, o] { return run_check(env, *o); }; });
}

}  // namespace cairn
