// XGBoostModel over XGBoost's C API.
//
// Training is XGBoost's own loop, one XGBoosterUpdateOneIter per round, so that cairn can read the
// evaluation after every round, stop early and call the caller back (for tracking and
// cancellation). The loop mirrors python's xgboost.train: the same parameters, data and seed give
// the same trees, and the same attributes (best_iteration, best_score, best_ntree_limit) end up
// in the saved model, so python reads a cairn model as one of its own.
//
// Prediction always passes an iteration range ending after best_iteration instead of slicing the
// booster after early stopping: the saved model then keeps every round, as python's does, and
// the two predict the same from it.

#include "cairn/ml/xgboost_model.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "ml/model_file.hpp"
#include "ml/model_input.hpp"
#include "ml/xgboost_evaluation.hpp"
#include "ml/xgboost_handles.hpp"

namespace cairn::ml {

struct XGBoostModel::State {
  xgb::Booster booster;
  std::vector<std::string> feature_names;
  std::size_t num_features = 0;
  int nthread = 0;  // the training's; 0 (all cores) for a loaded model
  int num_boosted_rounds = 0;
  int best_iteration = -1;
  std::optional<double> best_score;
  std::vector<BoostingRound> history;
};

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

std::string number_text(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

xgb::DMatrix make_dmatrix(const Matrix& x, std::span<const double> labels, int nthread,
                          std::string_view what) {
  DMatrixHandle handle = nullptr;
  xgb::check(
      XGDMatrixCreateFromMat_omp(x.values.data(), x.rows, x.cols, kMissing, &handle, nthread),
      "cannot hand " + std::string(what) + " to XGBoost");
  xgb::DMatrix matrix(handle);
  if (!labels.empty()) {
    xgb::check(XGDMatrixSetDenseInfo(handle, "label", labels.data(), labels.size(),
                                     /*double=*/2),
               "cannot hand the labels of " + std::string(what) + " to XGBoost");
  }
  if (!x.column_names.empty()) {
    std::vector<const char*> names;
    for (const std::string& name : x.column_names) names.push_back(name.c_str());
    xgb::check(XGDMatrixSetStrFeatureInfo(handle, "feature_name", names.data(), names.size()),
               "cannot set the feature names of " + std::string(what));
  }
  return matrix;
}

void set_param(BoosterHandle booster, const std::string& name, const std::string& value) {
  xgb::check(XGBoosterSetParam(booster, name.c_str(), value.c_str()),
             "XGBoost rejected parameter " + name + "=" + value);
}

void set_attr(BoosterHandle booster, const char* name, const std::string& value) {
  xgb::check(XGBoosterSetAttr(booster, name, value.c_str()),
             "cannot record the attribute " + std::string(name) + " in the XGBoost model");
}

std::optional<std::string> get_attr(BoosterHandle booster, const char* name) {
  const char* value = nullptr;
  int found = 0;
  xgb::check(XGBoosterGetAttr(booster, name, &value, &found),
             "cannot read the attribute " + std::string(name) + " of the XGBoost model");
  if (found == 0 || value == nullptr) return std::nullopt;
  return std::string(value);
}

void check_params(const XGBoostParams& params, EvalSet eval) {
  for (const char* owned : {"nthread", "seed", "eval_metric"}) {
    if (params.booster_params.contains(owned)) {
      std::string field = std::string(owned) == "eval_metric" ? "eval_metrics" : owned;
      throw ModelError("XGBoost parameter '" + std::string(owned) +
                       "' is set in booster_params; set XGBoostParams::" + field + " instead");
    }
  }
  if (params.num_boost_round < 1) {
    throw ModelError("XGBoostParams::num_boost_round is " + std::to_string(params.num_boost_round) +
                     "; train at least 1 round");
  }
  if (params.early_stopping_rounds < 0) {
    throw ModelError("XGBoostParams::early_stopping_rounds is " +
                     std::to_string(params.early_stopping_rounds) + "; use 0 to turn it off");
  }
  if (params.early_stopping_rounds > 0 && eval.x == nullptr) {
    throw ModelError(
        "early stopping needs an evaluation set; pass EvalSet{&eval_x, eval_y} to train() or set "
        "early_stopping_rounds to 0");
  }
  auto booster = params.booster_params.find("booster");
  if (params.early_stopping_rounds > 0 && booster != params.booster_params.end() &&
      booster->second == "gblinear") {
    throw ModelError(
        "early stopping needs a tree booster (gbtree or dart): a gblinear model cannot predict "
        "from its best round; set early_stopping_rounds to 0");
  }
}

int num_parallel_tree(const XGBoostParams& params) {
  auto it = params.booster_params.find("num_parallel_tree");
  if (it == params.booster_params.end()) return 1;
  int value = 1;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

}  // namespace

XGBoostModel XGBoostModel::train(const Matrix& x, std::span<const double> y,
                                 const XGBoostParams& params, EvalSet eval,
                                 const RoundCallback& on_round) {
  detail::check_training_matrix(x, "XGBoost");
  detail::check_labels(y, x.rows, "XGBoost training labels");
  if (eval.x == nullptr && !eval.y.empty()) {
    throw ModelError("the XGBoost evaluation set has labels but no matrix; set EvalSet::x");
  }
  if (eval.x != nullptr) {
    detail::check_same_columns(x, *eval.x, "the XGBoost evaluation matrix");
    if (eval.x->rows == 0) {
      throw ModelError("the XGBoost evaluation matrix has no rows; pass no EvalSet instead");
    }
    detail::check_labels(eval.y, eval.x->rows, "XGBoost evaluation labels");
  }
  check_params(params, eval);

  xgb::DMatrix train_data = make_dmatrix(x, y, params.nthread, "the training matrix");
  xgb::DMatrix eval_data;
  if (eval.x != nullptr) {
    eval_data = make_dmatrix(*eval.x, eval.y, params.nthread, "the evaluation matrix");
  }

  // XGBoost caches predictions for the matrices given at creation, which makes each round's
  // evaluation incremental.
  std::vector<DMatrixHandle> cache{train_data.get()};
  if (eval_data) cache.push_back(eval_data.get());
  BoosterHandle handle = nullptr;
  xgb::check(XGBoosterCreate(cache.data(), cache.size(), &handle),
             "cannot create an XGBoost model");
  auto state = std::make_shared<State>();
  state->booster.reset(handle);

  set_param(handle, "nthread", std::to_string(params.nthread));
  set_param(handle, "seed", std::to_string(params.seed));
  for (const auto& [name, value] : params.booster_params) set_param(handle, name, value);
  for (const std::string& metric : params.eval_metrics) set_param(handle, "eval_metric", metric);
  if (!x.column_names.empty()) {
    std::vector<const char*> names;
    for (const std::string& name : x.column_names) names.push_back(name.c_str());
    xgb::check(XGBoosterSetStrFeatureInfo(handle, "feature_name", names.data(), names.size()),
               "cannot set the feature names of the XGBoost model");
  }

  std::vector<DMatrixHandle> evaluated;
  std::vector<std::string> dataset_names;
  if (params.evaluate_training_set) {
    evaluated.push_back(train_data.get());
    dataset_names.emplace_back("train");
  }
  if (eval_data) {
    evaluated.push_back(eval_data.get());
    dataset_names.emplace_back("eval");
  }
  std::vector<const char*> dataset_cnames;
  for (const std::string& name : dataset_names) dataset_cnames.push_back(name.c_str());

  std::optional<xgb::EarlyStopping> early_stopping;
  for (int iteration = 0; iteration < params.num_boost_round; ++iteration) {
    if (XGBoosterUpdateOneIter(handle, iteration, train_data.get()) != 0) {
      xgb::fail("XGBoost training failed in round " + std::to_string(iteration));
    }
    BoostingRound round{iteration, {}};
    if (!evaluated.empty()) {
      const char* line = nullptr;
      if (XGBoosterEvalOneIter(handle, iteration, evaluated.data(), dataset_cnames.data(),
                               evaluated.size(), &line) != 0) {
        xgb::fail("XGBoost evaluation failed in round " + std::to_string(iteration));
      }
      round.results = xgb::parse_eval_line(line, dataset_names);
    }
    bool stop = false;
    if (params.early_stopping_rounds > 0) {
      // The early-stopping score is the evaluation set's last metric, as in python.
      const EvalResult& score = round.results.back();
      if (!early_stopping) {
        early_stopping.emplace(params.early_stopping_rounds,
                               params.maximize.value_or(xgb::larger_is_better(score.metric)));
      }
      stop = early_stopping->update(iteration, score.value);
    }
    state->history.push_back(std::move(round));
    if (on_round) on_round(state->history.back());
    if (stop) break;
  }

  state->num_boosted_rounds = static_cast<int>(state->history.size());
  if (early_stopping) {
    state->best_iteration = early_stopping->best_iteration();
    state->best_score = early_stopping->best_score();
    set_attr(handle, "best_score", number_text(*state->best_score));
  } else {
    state->best_iteration = state->num_boosted_rounds - 1;
  }
  set_attr(handle, "best_iteration", std::to_string(state->best_iteration));
  set_attr(handle, "best_ntree_limit",
           std::to_string((state->best_iteration + 1) * num_parallel_tree(params)));
  state->feature_names = x.column_names;
  state->num_features = x.cols;
  state->nthread = params.nthread;
  return XGBoostModel(std::move(state));
}

XGBoostModel XGBoostModel::from_bytes(std::string_view bytes) {
  return from_bytes_of(bytes, "the bytes are");
}

XGBoostModel XGBoostModel::load(const std::string& path) {
  return from_bytes_of(detail::read_model_file(path), "'" + path + "' is");
}

XGBoostModel XGBoostModel::from_bytes_of(std::string_view bytes, const std::string& source) {
  BoosterHandle handle = nullptr;
  xgb::check(XGBoosterCreate(nullptr, 0, &handle), "cannot create an XGBoost model");
  auto state = std::make_shared<State>();
  state->booster.reset(handle);
  xgb::check(XGBoosterLoadModelFromBuffer(handle, bytes.data(), bytes.size()),
             source + " not an XGBoost model in JSON or UBJ format");

  xgb::check(XGBoosterBoostedRounds(handle, &state->num_boosted_rounds),
             "cannot count the rounds of the XGBoost model");
  bst_ulong num_features = 0;
  xgb::check(XGBoosterGetNumFeature(handle, &num_features),
             "cannot count the features of the XGBoost model");
  state->num_features = num_features;
  bst_ulong count = 0;
  const char** names = nullptr;
  xgb::check(XGBoosterGetStrFeatureInfo(handle, "feature_name", &count, &names),
             "cannot read the feature names of the XGBoost model");
  state->feature_names.assign(names, names + count);

  state->best_iteration = state->num_boosted_rounds - 1;
  if (auto best = get_attr(handle, "best_iteration")) {
    int value = 0;
    auto [end, ec] = std::from_chars(best->data(), best->data() + best->size(), value);
    if (ec == std::errc() && end == best->data() + best->size()) state->best_iteration = value;
  }
  if (auto score = get_attr(handle, "best_score")) {
    double value = 0;
    auto [end, ec] = std::from_chars(score->data(), score->data() + score->size(), value);
    if (ec == std::errc() && end == score->data() + score->size()) state->best_score = value;
  }
  return XGBoostModel(std::move(state));
}

std::vector<double> XGBoostModel::predict(const Matrix& x) const {
  detail::check_prediction_matrix(x, state_->feature_names, state_->num_features, "XGBoost");
  if (x.rows == 0) return {};
  xgb::DMatrix data = make_dmatrix(x, {}, state_->nthread, "the matrix to predict from");
  // iteration_end 0 means every round; a loaded gblinear model reports 0 rounds, so the best
  // iteration only limits the range when it really ends before the last round.
  int end =
      state_->best_iteration + 1 < state_->num_boosted_rounds ? state_->best_iteration + 1 : 0;
  std::string config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": )" +
                       std::to_string(end) + R"(, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* values = nullptr;
  xgb::check(XGBoosterPredictFromDMatrix(state_->booster.get(), data.get(), config.c_str(), &shape,
                                         &dims, &values),
             "XGBoost prediction failed");
  std::size_t count = 1;
  for (bst_ulong i = 0; i < dims; ++i) count *= shape[i];
  return std::vector<double>(values, values + count);
}

std::map<std::string, double> XGBoostModel::feature_importance(ImportanceType type) const {
  std::string config = R"({"importance_type": ")" + std::string(to_string(type)) + R"("})";
  bst_ulong num_features = 0;
  const char** names = nullptr;
  bst_ulong dims = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  xgb::check(XGBoosterFeatureScore(state_->booster.get(), config.c_str(), &num_features, &names,
                                   &dims, &shape, &scores),
             "XGBoost cannot compute the " + std::string(to_string(type)) + " feature importance");
  std::size_t num_scores = 1;
  for (bst_ulong i = 0; i < dims; ++i) num_scores *= shape[i];
  if (num_scores != num_features) {
    throw ModelError("the " + std::string(to_string(type)) +
                     " importance of this model has one score per feature and class; "
                     "feature_importance() supports one score per feature");
  }
  std::map<std::string, double> importance;
  for (bst_ulong i = 0; i < num_features; ++i) importance[names[i]] = scores[i];
  return importance;
}

void XGBoostModel::save(const std::string& path) const {
  std::string extension = detail::extension_of(path);
  if (extension != "json" && extension != "ubj") {
    throw ModelError("cannot save an XGBoost model as '" + path +
                     "': the file name must end in .json (JSON) or .ubj (UBJ), the extensions "
                     "XGBoost reads the format from");
  }
  detail::write_model_file(
      path, to_bytes(extension == "json" ? XGBoostFormat::kJson : XGBoostFormat::kUbj));
}

std::string XGBoostModel::to_bytes(XGBoostFormat format) const {
  const char* config =
      format == XGBoostFormat::kJson ? R"({"format": "json"})" : R"({"format": "ubj"})";
  bst_ulong size = 0;
  const char* bytes = nullptr;
  xgb::check(XGBoosterSaveModelToBuffer(state_->booster.get(), config, &size, &bytes),
             "XGBoost cannot serialize the model");
  return std::string(bytes, size);
}

const std::vector<std::string>& XGBoostModel::feature_names() const {
  return state_->feature_names;
}
std::size_t XGBoostModel::num_features() const {
  return state_->num_features;
}
int XGBoostModel::num_boosted_rounds() const {
  return state_->num_boosted_rounds;
}
int XGBoostModel::best_iteration() const {
  return state_->best_iteration;
}
std::optional<double> XGBoostModel::best_score() const {
  return state_->best_score;
}
const std::vector<BoostingRound>& XGBoostModel::evaluation_history() const {
  return state_->history;
}

std::string_view to_string(ImportanceType type) {
  switch (type) {
    case ImportanceType::kWeight:
      return "weight";
    case ImportanceType::kGain:
      return "gain";
    case ImportanceType::kCover:
      return "cover";
    case ImportanceType::kTotalGain:
      return "total_gain";
    case ImportanceType::kTotalCover:
      return "total_cover";
  }
  return "gain";
}

}  // namespace cairn::ml
