#include "ml/xgboost_evaluation.hpp"

#include <charconv>
#include <cmath>

namespace cairn::ml::xgb {

namespace {

[[noreturn]] void bad_line(std::string_view line, std::string_view why) {
  throw ModelError("cannot read XGBoost's evaluation output '" + std::string(line) +
                   "': " + std::string(why));
}

double parse_value(std::string_view text, std::string_view line) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    bad_line(line, "'" + std::string(text) + "' is not a number");
  }
  return value;
}

}  // namespace

std::vector<EvalResult> parse_eval_line(std::string_view line,
                                        std::span<const std::string> datasets) {
  std::vector<EvalResult> results;
  std::size_t start = line.find('\t');
  if (line.empty() || line.front() != '[') bad_line(line, "it does not start with [iteration]");
  while (start != std::string_view::npos) {
    std::size_t end = line.find('\t', start + 1);
    std::string_view field = line.substr(
        start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
    start = end;
    std::size_t colon = field.rfind(':');
    if (colon == std::string_view::npos) bad_line(line, "a field has no ':'");
    std::string_view name = field.substr(0, colon);
    EvalResult result;
    for (const std::string& dataset : datasets) {
      if (name.size() > dataset.size() && name.starts_with(dataset) &&
          name[dataset.size()] == '-') {
        result.dataset = dataset;
        result.metric = std::string(name.substr(dataset.size() + 1));
        break;
      }
    }
    if (result.dataset.empty()) bad_line(line, "'" + std::string(name) + "' names no data set");
    result.value = parse_value(field.substr(colon + 1), line);
    results.push_back(std::move(result));
  }
  return results;
}

bool larger_is_better(std::string_view metric) {
  if (metric == "mape") return false;
  for (std::string_view prefix : {"auc", "aucpr", "map", "ndcg"}) {
    if (metric.starts_with(prefix)) return true;
  }
  return false;
}

bool EarlyStopping::update(int iteration, double score) {
  bool improved = best_iteration_ < 0 || (maximize_ ? score > best_score_ : score < best_score_);
  if (improved) {
    best_iteration_ = iteration;
    best_score_ = score;
    rounds_without_improvement_ = 0;
  } else {
    ++rounds_without_improvement_;
  }
  return rounds_without_improvement_ >= rounds_;
}

}  // namespace cairn::ml::xgb
