// A small pipeline for the tracking end-to-end tests: a "training" step that logs into its
// tracking run, registers every model it trains and promotes it to production when it beats the
// current one by at least 0.005 AUC (the seeds' evaluate-and-branch), and a report step that logs
// into an experiment of its own. The trained "model" is a JSON file; the AUC comes from the run
// config, so a test decides which runs win.

#include <cairn/cairn.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tracking_pipeline {

using cairn::Context;

struct TrainConfig {
  double auc = 0.7;
  std::int64_t max_depth = 6;
  bool fail = false;
};

void describe_config(cairn::ConfigSchema<TrainConfig>& s) {
  s.field("auc", &TrainConfig::auc, "The AUC the trained model reaches");
  s.field("max_depth", &TrainConfig::max_depth, "Tree depth, logged as a param");
  s.field("fail", &TrainConfig::fail, "Fail after logging, to record a failed tracking run");
}

auto model =
    cairn::asset<double>("credit/model")
        .describe("Trains, registers and maybe promotes the credit scorer")
        .config<TrainConfig>()
        .compute([](Context& ctx, const TrainConfig& cfg) {
          auto& run = ctx.tracking();
          run.log_params({{"eta", "0.1"}});
          run.log_param("max_depth", cfg.max_depth);
          std::vector<double> curve;
          for (int round = 0; round < 10; ++round) {
            curve.push_back(cfg.auc - 0.01 * (9 - round));
          }
          run.log_metric_series("valid/auc", curve);
          run.log_metric("auc", cfg.auc);
          if (cfg.fail) throw std::runtime_error("training diverged");
          run.log_text("model/model.json",
                       "{\"max_depth\": " + std::to_string(cfg.max_depth) + "}");

          auto& registry = ctx.model_registry();
          const auto decision =
              registry.compare_to_alias("demo-scorer", "production", "auc", cfg.auc, 0.005);
          const auto version =
              registry.create_version("demo-scorer", {.tracking_run_id = run.id(),
                                                      .run_artifact = "model/model.json",
                                                      .flavor = "demo/json"});
          ctx.log_info(decision.reason);
          if (decision.promote) {
            registry.promote("demo-scorer", version.version, "production", decision.reason);
          }
          ctx.add_metadata("version", version.version);
          return cfg.auc;
        });

auto report = cairn::asset<std::string>("credit/report")
                  .describe("A report logged into the 'reports' experiment")
                  .compute(
                      [](Context& ctx, const double& auc) {
                        const std::string text = "auc=" + std::to_string(auc);
                        ctx.tracking("reports").log_text("report.txt", text);
                        return text;
                      },
                      model);

}  // namespace tracking_pipeline

int main(int argc, char** argv) {
  cairn::Definitions defs{.assets = {tracking_pipeline::model, tracking_pipeline::report}};
  return cairn::run_cli(defs, argc, argv);
}
