// `observe`: records the current data version of the selected observable assets (those with
// `.observe(fn)`) without computing them, as a run of its own. `materialize --stale-only` calls
// observe_assets() first, so a changed source is seen as new data.

#include <CLI/CLI.hpp>

#include "cairn/tracking.hpp"
#include "cli/adhoc_run.hpp"
#include "cli/commands.hpp"
#include "cli/observe_assets.hpp"
#include "cli/output.hpp"
#include "exec/materialization_payload.hpp"
#include "exec/step_context.hpp"
#include "graph/selection.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn {

std::vector<Observed> observe_assets(CliEnv& env, const PartitionSpace& space,
                                     std::span<const NodeId> nodes) {
  const AssetGraph& graph = env.graph();
  std::vector<StepRef> steps;
  for (NodeId node : nodes) {
    if (!graph.definition(node).observe) continue;
    for (std::size_t i = 0; i < space.step_count(node); ++i) {
      steps.push_back(StepRef{node, static_cast<PartitionIndex>(i)});
    }
  }
  std::vector<Observed> observed;
  if (steps.empty()) return observed;

  std::vector<std::string> step_keys;
  for (StepRef step : steps) step_keys.push_back(space.step_key(step));
  AdHocRun run(env, "", {{"cairn/kind", "observe"}}, {}, step_keys,
               "observing " + std::to_string(steps.size()) + " step(s)");
  tracking::Tracker tracker(tracking::borrow_instance(env.instance()));
  std::atomic<bool> stop{false};
  bool failed = false;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const AssetDefinition& def = graph.definition(steps[i].node);
    const std::string& step_key = step_keys[i];
    const std::string partition(space.key(steps[i]));
    auto emit = [&](EventType type, std::string message, std::string payload, LogLevel level) {
      run.emit(type, step_key, def.key, partition, std::move(message), std::move(payload), level);
    };
    emit(EventType::kStepStart, "", "{\"attempt\":1}", LogLevel::kInfo);
    try {
      StepContext ctx(run.record().run_id, run.record().tags, def, step_key, partition, 1, stop,
                      env.definitions().resources, run.sink(), run.clock(), &tracker);
      std::string version = def.observe(ctx);
      emit(EventType::kAssetObservation, "observed data version " + version,
           observation_payload(version), LogLevel::kInfo);
      emit(EventType::kStepSuccess, "", "{\"attempt\":1,\"duration_ms\":0}", LogLevel::kInfo);
      observed.push_back({step_key, std::move(version), ""});
    } catch (const std::exception& e) {
      failed = true;
      emit(EventType::kStepFailure, std::string("observing failed: ") + e.what(),
           "{\"attempt\":1,\"kind\":\"error\"}", LogLevel::kError);
      observed.push_back({step_key, "", e.what()});
    }
  }
  run.finish(!failed, failed ? "an observation failed" : "observed");
  return observed;
}

namespace {

struct ObserveOptions {
  std::string select = "*";
  bool json = false;
};

int run_observe(CliEnv& env, const ObserveOptions& o) {
  std::vector<NodeId> nodes = resolve_selection(env.graph(), o.select);
  PartitionSpace space = env.partition_space();
  std::vector<Observed> observed = observe_assets(env, space, nodes);
  if (observed.empty()) {
    throw NotFoundError("no asset of '" + o.select +
                        "' can be observed: give an asset .observe(fn) to record the data "
                        "version of what it reads without computing it");
  }
  bool failed = false;
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& obs : observed) {
    failed = failed || !obs.error.empty();
    out.push_back(
        {{"step", obs.step_key},
         {"data_version",
          obs.error.empty() ? nlohmann::json(obs.data_version) : nlohmann::json(nullptr)},
         {"error", obs.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(obs.error)}});
    rows.push_back({obs.step_key, obs.error.empty() ? obs.data_version : "FAILED: " + obs.error});
  }
  if (o.json) {
    env.out() << out.dump(2) << "\n";
  } else {
    print_table(env.out(), {"ASSET", "DATA VERSION"}, rows);
  }
  return failed ? 1 : 0;
}

}  // namespace

void add_observe_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand(
      "observe", "Record the data version of observable assets without computing them");
  auto o = std::make_shared<ObserveOptions>();
  cmd->add_option("--select,-s", o->select, "Assets to observe")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON for scripts");
  cmd->callback([&env, &action, o] { action = [&env, o] { return run_observe(env, *o); }; });
}

}  // namespace cairn
