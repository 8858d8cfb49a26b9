#include "backtest.hpp"

#include <cairn/error.hpp>
#include <cairn/ml/table_codec.hpp>

#include <algorithm>
#include <chrono>
#include <limits>

#include "features.hpp"

namespace demand_forecast {

namespace {

using cairn::ml::Column;
using cairn::ml::Table;
using cairn::ml::Timestamp;

constexpr Timestamp kDay = std::chrono::microseconds(std::chrono::days(1)).count();

}  // namespace

BacktestPlan plan_backtest(const Table& features) {
  const auto dates = features.column(kDateColumn).int64_values();
  if (dates.empty()) throw cairn::Error("the feature table is empty: there is nothing to backtest");
  const auto [first, last] = std::minmax_element(dates.begin(), dates.end());
  BacktestPlan plan;
  plan.start = *last + kDay - Timestamp{kFolds} * kFoldDays * kDay;
  if (plan.start - *first < 365 * kDay) {
    throw cairn::Error("the feature table covers " + cairn::ml::format_timestamp(*first) + " to " +
                       cairn::ml::format_timestamp(*last) + ": a backtest of " +
                       std::to_string(kFolds * kFoldDays) +
                       " days needs at least a year of history before it");
  }
  plan.folds.first_test_start = plan.start;
  plan.folds.test_horizon = std::chrono::days(kFoldDays);
  plan.folds.max_folds = kFolds;
  return plan;
}

Table history(const Table& features) {
  const BacktestPlan plan = plan_backtest(features);
  return features.slice_time(kDateColumn, std::numeric_limits<Timestamp>::min(), plan.start);
}

Table first_fold(const Table& features) {
  const BacktestPlan plan = plan_backtest(features);
  return features.slice_time(kDateColumn, plan.start, plan.start + kFoldDays * kDay);
}

Backtest make_backtest(std::string model, const Table& features,
                       const cairn::ml::BacktestResult& result) {
  std::vector<std::int64_t> fold;
  for (std::size_t i = 0; i < result.folds.size(); ++i) {
    fold.insert(fold.end(), result.folds[i].fold.test.size(), static_cast<std::int64_t>(i));
  }
  const Table rows = features.take(result.rows);
  Table predictions;
  predictions.add_column("fold", Column::from_int64(std::move(fold)));
  predictions.add_column("date", rows.column(kDateColumn));
  predictions.add_column("actual", rows.column(kTargetColumn));
  predictions.add_column("forecast", Column::from_float64(result.predictions));
  return {std::move(model), predictions.sort({{"date"}})};
}

const Backtest& backtest_for(std::string_view model,
                             std::initializer_list<const Backtest*> evaluations) {
  std::string known;
  for (const Backtest* backtest : evaluations) {
    if (backtest->model == model) return *backtest;
    known += (known.empty() ? "" : ", ") + backtest->model;
  }
  throw cairn::Error("no evaluate_* asset produces the model '" + std::string(model) +
                     "' (the evaluations are: " + known +
                     "); remove the key with `partitions delete models " + std::string(model) +
                     "` or add its architecture");
}

}  // namespace demand_forecast

std::string cairn::Codec<demand_forecast::Backtest>::encode(
    const demand_forecast::Backtest& backtest) {
  return backtest.model + '\n' + cairn::Codec<cairn::ml::Table>::encode(backtest.predictions);
}

demand_forecast::Backtest cairn::Codec<demand_forecast::Backtest>::decode(std::string_view bytes) {
  const auto end = bytes.find('\n');
  if (end == std::string_view::npos) {
    throw cairn::Error(
        "a stored backtest has no model name line; re-materialize its evaluate_* "
        "asset");
  }
  return {std::string(bytes.substr(0, end)),
          cairn::Codec<cairn::ml::Table>::decode(bytes.substr(end + 1))};
}
