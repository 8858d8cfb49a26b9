#pragma once
// The forecast-versus-actual picture of a backtest.

#include <string>

#include "backtest.hpp"

namespace demand_forecast {

/// An SVG of the backtest: actual ridership and the model's forecast per day, a dashed line
/// where each fold starts, dates on the x axis. Throws cairn::Error on an empty backtest.
std::string forecast_svg(const Backtest& backtest);

}  // namespace demand_forecast
