#include "forecast_metrics.hpp"

#include <cairn/ml/metrics.hpp>
#include <cairn/tracking.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace demand_forecast {

using cairn::ml::Column;
using cairn::ml::DataType;
using cairn::ml::Table;

Table fold_metrics(const Backtest& backtest) {
  const Table& p = backtest.predictions;
  const auto fold = p.column("fold").int64_values();
  const auto date = p.column("date").int64_values();
  const auto actual = p.column("actual").float64_values();
  const auto forecast = p.column("forecast").float64_values();

  // Rows of one fold are contiguous: the predictions are in date order and folds do not overlap.
  Column fold_out(DataType::kInt64), first(DataType::kTimestamp), last(DataType::kTimestamp),
      days(DataType::kInt64), mae(DataType::kFloat64), rmse(DataType::kFloat64),
      mape(DataType::kFloat64);
  for (std::size_t begin = 0; begin < p.num_rows();) {
    std::size_t end = begin;
    while (end < p.num_rows() && fold[end] == fold[begin]) ++end;
    const auto report = cairn::ml::regression_report(actual.subspan(begin, end - begin),
                                                     forecast.subspan(begin, end - begin));
    fold_out.append_int64(fold[begin]);
    first.append_timestamp(date[begin]);
    last.append_timestamp(date[end - 1]);
    days.append_int64(static_cast<std::int64_t>(end - begin));
    mae.append_float64(report.mae);
    rmse.append_float64(report.rmse);
    if (report.mape) {
      mape.append_float64(*report.mape);
    } else {
      mape.append_null();
    }
    begin = end;
  }
  Table out;
  out.add_column("fold", std::move(fold_out));
  out.add_column("first_day", std::move(first));
  out.add_column("last_day", std::move(last));
  out.add_column("days", std::move(days));
  out.add_column("mae", std::move(mae));
  out.add_column("rmse", std::move(rmse));
  out.add_column("mape", std::move(mape));
  return out;
}

void report_fold_metrics(cairn::Context& ctx, const Table& folds) {
  auto& run = ctx.tracking();
  for (const char* name : {"mae", "rmse", "mape"}) {
    const Column& column = folds.column(name);
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t fold = 0; fold < folds.num_rows(); ++fold) {
      if (column.is_null(fold)) continue;
      run.log_metric(name, column.number_at(fold), static_cast<std::int64_t>(fold));
      sum += column.number_at(fold);
      ++count;
    }
    if (count > 0) ctx.add_metadata(std::string("mean_") + name, sum / static_cast<double>(count));
  }
  ctx.add_metadata("folds", static_cast<std::int64_t>(folds.num_rows()));
}

}  // namespace demand_forecast
