// The credit-scoring pipeline (docs/tutorial-credit-scoring.md): lending_club loan applications
// replayed as daily batches, validated by a blocking check, turned into features, used to train
// a small grid of XGBoost variants in parallel, evaluated, promoted to `production` only when
// better, then used to score each new day; feature drift against the training data requests
// retraining.
//
// Each asset is a short wrapper over the shared code next to this file: applications.hpp (the
// file and the day replay), credit_features.hpp (features for training and inference alike),
// credit_model.hpp (split, grid, estimator), psi.hpp (drift), replay_automation.hpp (sensors,
// schedule).

#include <cairn/alerts.hpp>
#include <cairn/cairn.hpp>
#include <cairn/ml/metrics.hpp>
#include <cairn/ml/model_workflow.hpp>
#include <cairn/ml/table_codec.hpp>
#include <cairn/ml/validation.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "applications.hpp"
#include "credit_features.hpp"
#include "credit_model.hpp"
#include "psi.hpp"
#include "replay_automation.hpp"

namespace credit {

using cairn::Context;
using cairn::Partitioned;
using cairn::ml::Table;
using cairn::ml::XGBoostModel;

inline constexpr const char* kRegisteredModel = "credit-scorer";
/// The quality gate: a model whose test AUC is below this is not deployed.
inline constexpr double kMinTestAuc = 0.6;

struct TrainingSetConfig {
  std::string cutoff = kFirstNewDay;
};
void describe_config(cairn::ConfigSchema<TrainingSetConfig>& s) {
  s.field("cutoff", &TrainingSetConfig::cutoff,
          "first day NOT used for training (YYYY-MM-DD); earlier days are the history");
}

struct TrainConfig {
  std::int64_t num_boost_round = 300;
  std::int64_t early_stopping_rounds = 30;
};
void describe_config(cairn::ConfigSchema<TrainConfig>& s) {
  s.field("num_boost_round", &TrainConfig::num_boost_round, "most boosting rounds");
  s.field("early_stopping_rounds", &TrainConfig::early_stopping_rounds,
          "stop when validation AUC has not improved for this many rounds");
}

struct EvaluationConfig {
  double threshold = kDeclineThreshold;
};
void describe_config(cairn::ConfigSchema<EvaluationConfig>& s) {
  s.field("threshold", &EvaluationConfig::threshold,
          "P(default) at or above which an application is declined (precision, recall, F1)");
}

struct DeploymentConfig {
  double min_improvement = 0.005;
};
void describe_config(cairn::ConfigSchema<DeploymentConfig>& s) {
  s.field("min_improvement", &DeploymentConfig::min_improvement,
          "test AUC a new model must gain over production to replace it");
}

cairn::ml::TableSchema application_schema() {
  using namespace cairn::ml;
  TableSchema schema{
      .columns = {{"application_id", DataType::kInt64, false},
                  {"funded_amnt", DataType::kInt64, false},
                  {"Class", DataType::kString, false}},
      .expectations = {
          expect_unique("application_id"), expect_between("funded_amnt", 1000, 40000),
          expect_between("int_rate", 0, 40), expect_between("annual_inc", 0, std::nullopt),
          expect_between("revol_util", 0, 200), expect_in_set("term", {"term_36", "term_60"}),
          expect_in_set("Class", {"good", "bad"}), expect_row_count_between(50, 200)}};
  for (const char* column : {"term", "int_rate", "sub_grade", "emp_length", "annual_inc",
                             "verification_status", "revol_util", "total_bal_il"}) {
    schema.expectations.push_back(expect_not_null(column));
  }
  return schema;
}

// --- ingestion and validation (daily) ------------------------------------------------------

auto raw_applications =
    cairn::asset<Table>("credit/raw_applications")
        .group("credit")
        .describe("The day's loan applications: lending_club rows i with i mod 91 = day")
        .partitioned(replay_days())
        .compute([](Context& ctx) {
          const std::string path = applications_csv_path();
          Table day = applications_of_day(*read_applications(path), ctx.partition_key());
          ctx.add_metadata("rows", static_cast<std::int64_t>(day.num_rows()));
          ctx.add_metadata("source", cairn::PathValue{path});
          return day;
        });

auto validated_applications =
    cairn::asset<Table>("credit/validated_applications")
        .group("credit")
        .describe("The day's applications once they meet the expectations (blocking check)")
        .partitioned(replay_days())
        .check("expectations", cairn::ml::validation_check(application_schema()), cairn::blocking)
        .compute([](Context&, const Table& raw) { return raw; }, raw_applications);

auto features = cairn::asset<Table>("credit/features")
                    .group("credit")
                    .describe("Encoded columns and derived ratios, shared by training and scoring")
                    .partitioned(replay_days())
                    .compute(
                        [](Context& ctx, const Table& applications) {
                          Table out = build_features(applications);
                          ctx.add_metadata("rows", static_cast<std::int64_t>(out.num_rows()));
                          return out;
                        },
                        validated_applications);

// --- training (the days before the cutoff) ---------------------------------------------------

auto training_set =
    cairn::asset<Table>("credit/training_set")
        .group("credit")
        .describe("Features of every day before the cutoff, split 60/20/20 train/valid/test")
        .config<TrainingSetConfig>()
        .compute(
            [](Context& ctx, const TrainingSetConfig& config, const Partitioned<Table>& days) {
              std::vector<const Table*> history;
              for (const auto& [day, table] : days) {
                if (day < config.cutoff) history.push_back(&table);
              }
              if (history.empty()) {
                throw cairn::Error("no features before the cutoff " + config.cutoff +
                                   "; materialize credit/features for earlier days");
              }
              Table out = with_split(concat(history));
              // The split, row by row, so that the model can be reproduced outside cairn (the
              // python3-xgboost oracle of the tests does).
              std::string split_csv = "application_id,split\n";
              const auto& ids = out.column("application_id");
              const auto& split = out.column(kSplitColumn);
              for (std::size_t i = 0; i < out.num_rows(); ++i) {
                split_csv += ids.text_at(i) + "," + std::string(split.string_at(i)) + "\n";
              }
              ctx.tracking().log_text("split.csv", split_csv);
              ctx.add_metadata("days", static_cast<std::int64_t>(history.size()));
              ctx.add_metadata("rows", static_cast<std::int64_t>(out.num_rows()));
              ctx.add_metadata("cutoff", config.cutoff);
              return out;
            },
            features.all_partitions());

auto trained_model =
    cairn::asset<XGBoostModel>("credit/trained_model")
        .group("credit")
        .describe("One XGBoost variant of the grid, early-stopped on the validation rows")
        .partitioned(cairn::static_partitions(variant_names()))
        .config<TrainConfig>()
        .compute(
            [](Context& ctx, const TrainConfig& config, const Table& training) {
              CreditScorer scorer(
                  variant(ctx.partition_key()),
                  {.num_boost_round = static_cast<int>(config.num_boost_round),
                   .early_stopping_rounds = static_cast<int>(config.early_stopping_rounds)});
              auto trained = cairn::ml::train_and_log_model(
                  ctx.tracking(), std::move(scorer), split_rows(training, {"train", "valid"}));
              const XGBoostModel& model = trained.model.model();
              ctx.add_metadata("valid_auc", model.best_score().value_or(NAN));
              ctx.add_metadata("best_iteration", static_cast<std::int64_t>(model.best_iteration()));
              return model;
            },
            training_set);

auto evaluation =
    cairn::asset<CreditEvaluation>("credit/evaluation")
        .group("credit")
        .describe("The variant with the best validation AUC, scored on the held-out test rows")
        .config<EvaluationConfig>()
        .check(
            "auc_gate",
            [](Context&, const CreditEvaluation& e) {
              const double auc = e.test_metrics.at("roc_auc");
              return cairn::CheckResult{.passed = auc >= kMinTestAuc,
                                        .description = "test AUC " + std::to_string(auc) +
                                                       (auc >= kMinTestAuc ? " >= " : " < ") +
                                                       std::to_string(kMinTestAuc),
                                        .metadata = {{"roc_auc", auc}, {"min_auc", kMinTestAuc}}};
            },
            cairn::blocking)
        .compute(
            [](Context& ctx, const EvaluationConfig& config, const Partitioned<XGBoostModel>& grid,
               const Table& training) {
              CreditEvaluation result{.threshold = config.threshold};
              const XGBoostModel* best = nullptr;
              for (const auto& [name, model] : grid) {
                const double auc = model.best_score().value_or(NAN);
                result.valid_auc_by_variant[name] = auc;
                if (best == nullptr || auc > result.valid_auc) {
                  best = &model;
                  result.variant = name;
                  result.valid_auc = auc;
                }
              }
              if (best == nullptr) throw cairn::Error("no trained_model variant to evaluate");
              result.best_iteration = best->best_iteration();
              const Table test = split_rows(training, {"test"});
              const auto report = cairn::ml::binary_classification_report(
                  labels(test), best->predict(feature_matrix(test)), config.threshold);
              result.test_metrics = {{"roc_auc", report.roc_auc},
                                     {"pr_auc", report.pr_auc},
                                     {"log_loss", report.log_loss},
                                     {"accuracy", report.accuracy},
                                     {"precision", report.precision},
                                     {"recall", report.recall},
                                     {"f1", report.f1},
                                     {"rows", static_cast<double>(report.rows)},
                                     {"positives", static_cast<double>(report.positives)}};
              auto& run = ctx.tracking();
              run.log_params(
                  {{"variant", result.variant}, {"threshold", std::to_string(config.threshold)}});
              run.log_metrics(result.test_metrics);
              run.log_metric("valid_auc", result.valid_auc);
              ctx.add_metadata("variant", result.variant);
              ctx.add_metadata("valid_auc", result.valid_auc);
              ctx.add_metadata("test_rows", static_cast<std::int64_t>(report.rows));
              for (const char* m : {"roc_auc", "precision", "recall", "f1"}) {
                ctx.add_metadata(m, result.test_metrics.at(m));
              }
              ctx.log_info("best variant " + result.variant + ": test AUC " +
                           std::to_string(report.roc_auc));
              return result;
            },
            trained_model.all_partitions(), training_set);

auto deployment_decision =
    cairn::asset<std::int64_t>("credit/deployment_decision")
        .group("credit")
        .describe(
            "Registers and promotes the chosen model if it beats production; the value "
            "is the version holding `production` afterwards")
        .config<DeploymentConfig>()
        .compute(
            [](Context& ctx, const DeploymentConfig& config, const CreditEvaluation& eval,
               const Partitioned<XGBoostModel>& grid) {
              auto& registry = ctx.model_registry();
              const double auc = eval.test_metrics.at("roc_auc");
              auto decision = registry.compare_to_alias(kRegisteredModel, "production", "roc_auc",
                                                        auc, config.min_improvement);
              std::int64_t production = decision.current_version;
              if (decision.promote) {
                auto& run = ctx.tracking();
                auto file = run.log_text("model.ubj", grid.at(eval.variant).to_bytes());
                auto version = registry.create_version(kRegisteredModel,
                                                       {.tracking_run_id = run.id(),
                                                        .run_artifact = file.path,
                                                        .flavor = "xgboost/ubj",
                                                        .metrics = eval.test_metrics,
                                                        .description = "variant " + eval.variant});
                registry.promote(kRegisteredModel, version.version, "production", decision.reason);
                production = version.version;
                ctx.log_info("promoted v" + std::to_string(version.version) + ": " +
                             decision.reason);
              } else {
                ctx.log_info("not promoted: " + decision.reason);
              }
              ctx.add_metadata("promoted", decision.promote);
              ctx.add_metadata("reason", decision.reason);
              ctx.add_metadata("candidate_auc", auc);
              ctx.add_metadata("variant", eval.variant);
              ctx.add_metadata("production_version", production);
              if (decision.current_value) {
                ctx.add_metadata("previous_production_auc", *decision.current_value);
              }
              // Scores depend on which model is in production, not on how often we decided.
              ctx.set_data_version("production-v" + std::to_string(production));
              return production;
            },
            evaluation, trained_model.all_partitions());

// --- the new days: scoring and drift ---------------------------------------------------------

auto batch_predictions =
    cairn::asset<Table>("credit/batch_predictions")
        .group("credit")
        .describe("The day's applications scored by the model holding the `production` alias")
        .partitioned(new_days())
        .compute(
            [](Context& ctx, const Table& day, std::int64_t) {
              auto& registry = ctx.model_registry();
              auto production = registry.get_by_alias(kRegisteredModel, "production");
              XGBoostModel model = XGBoostModel::load(registry.artifact_file(production));
              std::vector<double> p = model.predict(feature_matrix(day));
              std::vector<std::string> decision(p.size());
              std::int64_t declined = 0;
              for (std::size_t i = 0; i < p.size(); ++i) {
                const bool decline = p[i] >= kDeclineThreshold;
                decision[i] = decline ? "decline" : "approve";
                if (decline) ++declined;
              }
              Table out;
              out.add_column("application_id", day.column("application_id"));
              out.add_column("p_default", cairn::ml::Column::from_float64(p));
              out.add_column("decision", cairn::ml::Column::from_strings(decision));
              ctx.add_metadata("rows", static_cast<std::int64_t>(p.size()));
              ctx.add_metadata("declined", declined);
              ctx.add_metadata("model_version", production.version);
              if (day.has_column(kLabel)) {
                // The replay knows how each loan ended: today's realized AUC, when both occur.
                const auto y = labels(day);
                if (std::count(y.begin(), y.end(), 1.0) > 0 &&
                    std::count(y.begin(), y.end(), 0.0) > 0) {
                  ctx.add_metadata("realized_auc", cairn::ml::roc_auc(y, p));
                }
              }
              return out;
            },
            features, deployment_decision);

auto feature_drift =
    cairn::asset<Table>("credit/feature_drift")
        .group("credit")
        .describe("Population stability index of each feature: the day vs the training data")
        .partitioned(new_days())
        .compute(
            [](Context& ctx, const Table& day, const Table& training) {
              // Quintiles, not the textbook deciles: with about 108 applications a day a decile
              // holds 11 of them, and sampling noise alone would give a PSI near 0.1 per feature.
              const auto psi = feature_psi(training, day, feature_columns(), /*bins=*/5);
              std::vector<std::string> names;
              std::vector<double> values;
              std::string worst;
              double max_psi = 0;
              std::string json = "{";
              for (const auto& [name, value] : psi) {
                names.push_back(name);
                values.push_back(value);
                if (worst.empty() || value > max_psi) {
                  worst = name;
                  max_psi = value;
                }
                json += (json.size() > 1 ? ", \"" : "\"") + name + "\": " + std::to_string(value);
              }
              ctx.add_metadata("max_psi", max_psi);
              ctx.add_metadata("max_psi_feature", worst);
              ctx.add_metadata("psi", cairn::JsonText{json + "}"});
              ctx.tracking().log_metric("max_psi", max_psi);
              Table out;
              out.add_column("feature", cairn::ml::Column::from_strings(names));
              out.add_column("psi", cairn::ml::Column::from_float64(values));
              return out;
            },
            features, training_set);

}  // namespace credit

int main(int argc, char** argv) {
  using namespace credit;
  cairn::Definitions defs{
      .assets = {raw_applications, validated_applications, features, training_set, trained_model,
                 evaluation, deployment_decision, batch_predictions, feature_drift},
      .jobs = {{.name = kPredictJob,
                .selection = "credit/raw_applications, credit/validated_applications, "
                             "credit/features, credit/batch_predictions, credit/feature_drift",
                .description = "Ingest, validate, score and check drift for one replay day"},
               {.name = kRetrainJob,
                .selection = "credit/training_set, credit/trained_model, credit/evaluation, "
                             "credit/deployment_decision",
                .description = "Train the grid, evaluate, and promote if better than production"}},
      .schedules = {weekly_retrain_schedule()},
      .sensors = {predict_next_day_sensor(), retrain_on_drift_sensor(), failure_alert_sensor()}};
  return cairn::run_cli(defs, argc, argv);
}
