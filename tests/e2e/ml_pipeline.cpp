// The ML toolkit inside real assets, run by the engine: a CSV becomes a Table asset (stored by
// the table codec), a quality gate validates it, XGBoost trains with early stopping while logging
// every round to the step's tracking run, and the evaluation registers the model and promotes it
// when it beats production. The CSV path comes from the LOANS_CSV environment variable, so a
// test can feed a corrupted copy.

#include <cairn/cairn.hpp>
#include <cairn/ml.hpp>

#include <cstdlib>
#include <string>

namespace ml_pipeline {

using cairn::Context;
using namespace cairn::ml;

const std::vector<std::string> kFeatures = {"funded_amnt",    "int_rate",   "annual_inc",
                                            "inq_last_6mths", "revol_util", "delinq_2yrs"};

auto loans = cairn::asset<Table>("credit/loans").compute([](Context& ctx) {
  const char* path = std::getenv("LOANS_CSV");
  if (path == nullptr) throw cairn::Error("set LOANS_CSV to the loans CSV file");
  Table t = read_csv(path);
  ctx.add_metadata("rows", static_cast<std::int64_t>(t.num_rows()));
  return t.derive("bad", [](const Row& r) { return r.text("Class") == "bad" ? 1.0 : 0.0; });
});

auto validated =
    cairn::asset<Table>("credit/validated_loans")
        .compute(
            [](Context& ctx, const Table& t) {
              TableSchema schema{.columns = {{"funded_amnt", DataType::kInt64, false},
                                             {"Class", DataType::kString, false}},
                                 .expectations = {expect_between("funded_amnt", 0, 100000),
                                                  expect_in_set("Class", {"good", "bad"}),
                                                  expect_no_duplicate_rows(),
                                                  expect_row_count_between(1000, 1000000)}};
              ValidationReport report = validate(t, schema);
              ctx.add_metadata("validation", cairn::JsonText{report.to_json()});
              if (!report.success()) throw cairn::Error(report.summary());
              return t;
            },
            loans);

struct Split3 {
  Table train, valid, test;
};

Split3 split(const Table& t) {
  Split outer = stratified_split(t, "bad", 0.2, 11);
  Table rest = t.take(outer.train);
  Split inner = stratified_split(rest, "bad", 0.25, 12);
  return {rest.take(inner.train), rest.take(inner.test), t.take(outer.test)};
}

std::vector<double> labels(const Table& t) {
  std::vector<double> y(t.num_rows());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = t.column("bad").number_at(i);
  return y;
}

auto model =
    cairn::asset<XGBoostModel>("credit/model")
        .compute(
            [](Context& ctx, const Table& t) {
              Split3 s = split(t);
              Matrix x = s.train.to_matrix(kFeatures), vx = s.valid.to_matrix(kFeatures);
              std::vector<double> y = labels(s.train), vy = labels(s.valid);
              XGBoostParams params;
              params.booster_params = {
                  {"objective", "binary:logistic"}, {"max_depth", "3"}, {"eta", "0.1"}};
              params.num_boost_round = 200;
              params.early_stopping_rounds = 10;
              params.eval_metrics = {"auc"};
              params.nthread = 1;
              auto& run = ctx.tracking();
              run.log_params(params.booster_params);
              std::vector<cairn::tracking::Metric> curve;
              XGBoostModel m =
                  XGBoostModel::train(x, y, params, {&vx, vy}, [&](const BoostingRound& round) {
                    ctx.throw_if_cancelled();
                    for (const EvalResult& r : round.results) {
                      curve.push_back({.key = r.name(), .value = r.value, .step = round.iteration});
                    }
                  });
              run.log_metrics(curve);
              run.log_metric("best_iteration", m.best_iteration());
              return m;
            },
            validated);

auto evaluation =
    cairn::asset<double>("credit/evaluation")
        .compute(
            [](Context& ctx, const XGBoostModel& m, const Table& t) {
              Table test = split(t).test;
              double auc = roc_auc(labels(test), m.predict(test.to_matrix(kFeatures)));
              auto& run = ctx.tracking();
              run.log_metric("roc_auc", auc);
              auto file = run.log_text("model.ubj", m.to_bytes(XGBoostFormat::kUbj));
              auto& registry = ctx.model_registry();
              registry.register_model("credit-scorer");
              cairn::tracking::NewModelVersion spec;
              spec.tracking_run_id = run.id();
              spec.run_artifact = file.path;
              spec.flavor = "xgboost/ubj";
              spec.metrics = {{"roc_auc", auc}};
              spec.links = run.info().links;
              auto version = registry.create_version("credit-scorer", spec);
              auto decision =
                  registry.compare_to_alias("credit-scorer", "production", "roc_auc", auc, 0.005);
              if (decision.promote) {
                registry.promote("credit-scorer", version.version, "production", decision.reason);
              }
              ctx.add_metadata("decision", decision.reason);
              return auc;
            },
            model, validated);

}  // namespace ml_pipeline

int main(int argc, char** argv) {
  using namespace ml_pipeline;
  return cairn::run_cli({.assets = {loans, validated, model, evaluation}}, argc, argv);
}
