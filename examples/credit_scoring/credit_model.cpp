#include "credit_model.hpp"

#include <cairn/error.hpp>
#include <cairn/ml/splits.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "credit_features.hpp"

namespace credit {

using cairn::ml::Column;
using cairn::ml::Table;

Table with_split(const Table& features) {
  const std::vector<double> y = labels(features);
  // 20 % test first, then 25 % of the rest (20 % of the whole) for validation.
  const cairn::ml::Split outer = cairn::ml::stratified_split(y, 0.2, kSplitSeed);
  std::vector<double> rest_labels;
  for (std::size_t row : outer.train) rest_labels.push_back(y[row]);
  const cairn::ml::Split inner = cairn::ml::stratified_split(rest_labels, 0.25, kSplitSeed + 1);
  std::vector<std::string> part(features.num_rows(), "train");
  for (std::size_t row : outer.test) part[row] = "test";
  for (std::size_t i : inner.test) part[outer.train[i]] = "valid";
  Table out = features;
  out.add_column(kSplitColumn, Column::from_strings(part));
  return out;
}

Table split_rows(const Table& training_set, const std::vector<std::string>& parts) {
  const Column& split = training_set.column(kSplitColumn);
  std::vector<bool> keep(training_set.num_rows());
  for (std::size_t i = 0; i < keep.size(); ++i) {
    keep[i] = std::find(parts.begin(), parts.end(), split.string_at(i)) != parts.end();
  }
  return training_set.filter(keep);
}

const std::vector<Variant>& variants() {
  // Shallow to deep trees, with and without row/column subsampling: the usual first grid for
  // a few thousand tabular rows.
  static const std::vector<Variant> grid = {
      {"d2_eta0.10", {{"max_depth", "2"}, {"eta", "0.1"}}},
      {"d3_eta0.05", {{"max_depth", "3"}, {"eta", "0.05"}}},
      {"d4_eta0.05_sub0.8",
       {{"max_depth", "4"}, {"eta", "0.05"}, {"subsample", "0.8"}, {"colsample_bytree", "0.8"}}},
      {"d6_eta0.10", {{"max_depth", "6"}, {"eta", "0.1"}, {"min_child_weight", "5"}}},
  };
  return grid;
}

std::vector<std::string> variant_names() {
  std::vector<std::string> names;
  for (const auto& v : variants()) names.push_back(v.name);
  return names;
}

const Variant& variant(const std::string& name) {
  for (const auto& v : variants()) {
    if (v.name == name) return v;
  }
  std::string known;
  for (const auto& v : variants()) known += (known.empty() ? "" : ", ") + v.name;
  throw cairn::Error("no model variant '" + name + "'; the grid has " + known);
}

CreditScorer::CreditScorer(Variant variant, BoostingOptions options)
    : variant_(std::move(variant)), options_(options) {}

void CreditScorer::fit(const Table& training_set) {
  const Table train = split_rows(training_set, {"train"});
  const Table valid = split_rows(training_set, {"valid"});
  const cairn::ml::Matrix x = feature_matrix(train), valid_x = feature_matrix(valid);
  const std::vector<double> y = labels(train), valid_y = labels(valid);
  cairn::ml::XGBoostParams params;
  params.booster_params = variant_.booster_params;
  params.booster_params["objective"] = "binary:logistic";
  params.num_boost_round = options_.num_boost_round;
  params.early_stopping_rounds = options_.early_stopping_rounds;
  params.eval_metrics = {"logloss", "auc"};  // the last one drives early stopping
  params.nthread = 1;  // the grid's variants train in parallel, one thread each
  params.seed = kSplitSeed;
  model_ = cairn::ml::XGBoostModel::train(x, y, params, {&valid_x, valid_y});
}

std::vector<double> CreditScorer::predict(const Table& features) const {
  return model().predict(feature_matrix(features));
}

std::map<std::string, std::string> CreditScorer::params() const {
  std::map<std::string, std::string> p = variant_.booster_params;
  p["variant"] = variant_.name;
  p["num_boost_round"] = std::to_string(options_.num_boost_round);
  p["early_stopping_rounds"] = std::to_string(options_.early_stopping_rounds);
  return p;
}

std::string CreditScorer::to_bytes() const {
  return model().to_bytes(cairn::ml::XGBoostFormat::kUbj);
}

std::vector<cairn::tracking::Metric> CreditScorer::training_metrics() const {
  std::vector<cairn::tracking::Metric> metrics;
  for (const auto& round : model().evaluation_history()) {
    for (const auto& result : round.results) {
      metrics.push_back(
          {.key = "valid_" + result.metric, .value = result.value, .step = round.iteration});
    }
  }
  metrics.push_back(
      {.key = "best_iteration", .value = static_cast<double>(model().best_iteration())});
  if (auto best = model().best_score())
    metrics.push_back({.key = "valid_auc_best", .value = *best});
  return metrics;
}

const cairn::ml::XGBoostModel& CreditScorer::model() const {
  if (!model_) throw cairn::Error("CreditScorer '" + variant_.name + "' used before fit()");
  return *model_;
}

}  // namespace credit

std::string cairn::Codec<credit::CreditEvaluation>::encode(const credit::CreditEvaluation& v) {
  nlohmann::json j{{"variant", v.variant},
                   {"valid_auc", v.valid_auc},
                   {"best_iteration", v.best_iteration},
                   {"threshold", v.threshold},
                   {"test_metrics", v.test_metrics},
                   {"valid_auc_by_variant", v.valid_auc_by_variant}};
  return j.dump(2);
}

credit::CreditEvaluation cairn::Codec<credit::CreditEvaluation>::decode(std::string_view bytes) {
  try {
    auto j = nlohmann::json::parse(bytes);
    credit::CreditEvaluation v;
    v.variant = j.at("variant").get<std::string>();
    v.valid_auc = j.at("valid_auc").get<double>();
    v.best_iteration = j.at("best_iteration").get<int>();
    v.threshold = j.at("threshold").get<double>();
    v.test_metrics = j.at("test_metrics").get<std::map<std::string, double>>();
    v.valid_auc_by_variant = j.at("valid_auc_by_variant").get<std::map<std::string, double>>();
    return v;
  } catch (const nlohmann::json::exception& e) {
    cairn::detail::throw_decode_error(name, e.what());
  }
}
