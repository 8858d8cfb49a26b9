#include "forecast_plot.hpp"

#include <cairn/error.hpp>

#include <vector>

#include "svg_chart.hpp"

namespace demand_forecast {

std::string forecast_svg(const Backtest& backtest) {
  const auto& p = backtest.predictions;
  if (p.empty()) throw cairn::Error("the backtest of '" + backtest.model + "' has no rows to plot");
  const auto dates = p.column("date").int64_values();
  const auto fold = p.column("fold").int64_values();
  const auto actual = p.column("actual").float64_values();
  const auto forecast = p.column("forecast").float64_values();

  LineChart chart;
  chart.title = backtest.model + ": forecast vs actual, walk-forward backtest";
  chart.y_label = "ridership (thousands)";
  std::vector<double> x(dates.begin(), dates.end());
  chart.series.push_back({"actual", "#333333", x, {actual.begin(), actual.end()}});
  chart.series.push_back({backtest.model, "#d62728", x, {forecast.begin(), forecast.end()}});
  for (std::size_t i = 0; i < p.num_rows(); ++i) {
    if (i == 0 || fold[i] != fold[i - 1]) {
      chart.x_ticks.push_back(x[i]);
      if (i > 0) chart.x_markers.push_back(x[i]);
    }
  }
  chart.x_label = [](double t) {
    return cairn::ml::format_timestamp(static_cast<cairn::ml::Timestamp>(t));
  };
  return render_svg(chart);
}

}  // namespace demand_forecast
