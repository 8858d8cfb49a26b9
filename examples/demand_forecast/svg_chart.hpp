#pragma once
// A small SVG line-chart writer: enough for a forecast-versus-actual plot, with no dependency.
//
// The chart is a plot area with a frame, "nice" y ticks (1, 2 or 5 times a power of ten) with
// grid lines, x ticks where the caller asks for them, dashed vertical markers, one polyline per
// series (a NaN value breaks the line), a legend and a title. Coordinates are written with two
// decimals; text is XML-escaped, so any series name is safe.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace demand_forecast {

struct ChartSeries {
  std::string name;
  std::string color;  ///< any SVG color: "#1f77b4", "black"
  std::vector<double> x;
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string y_label;
  std::vector<ChartSeries> series;
  /// x positions of labelled ticks, and how to label them (default: the number).
  std::vector<double> x_ticks;
  std::function<std::string(double)> x_label;
  /// x positions of dashed vertical lines (e.g. where each backtest fold starts).
  std::vector<double> x_markers;
  int width = 960;
  int height = 400;
};

/// The chart as a standalone SVG document. Throws cairn::Error when there is no finite point
/// or a series has x and y of different lengths.
std::string render_svg(const LineChart& chart);

/// `text` with & < > " ' replaced by their XML entities.
std::string xml_escape(std::string_view text);

/// Evenly spaced round values (step 1, 2 or 5 × 10^k) covering [lo, hi] with about `count`
/// ticks: nice_ticks(0.3, 9.2, 5) is {0, 2, 4, 6, 8, 10}. lo == hi gives one tick.
std::vector<double> nice_ticks(double lo, double hi, int count);

}  // namespace demand_forecast
