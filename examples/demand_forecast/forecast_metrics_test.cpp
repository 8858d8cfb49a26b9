#include "forecast_metrics.hpp"

#include <gtest/gtest.h>

#include <cairn/ml/table_codec.hpp>

#include <cmath>

#include "backtest.hpp"
#include "forecast_plot.hpp"

namespace demand_forecast {
namespace {

using cairn::ml::Column;

constexpr std::int64_t kDay = 86'400'000'000LL;

Backtest small_backtest() {
  Backtest b;
  b.model = "toy";
  b.predictions.add_column("fold", Column::from_int64({0, 0, 1, 1, 1}));
  b.predictions.add_column("date", Column::from_timestamp({0, kDay, 2 * kDay, 3 * kDay, 4 * kDay}));
  b.predictions.add_column("actual", Column::from_float64({10, 20, 10, 10, 10}));
  b.predictions.add_column("forecast", Column::from_float64({11, 18, 10, 13, 7}));
  return b;
}

TEST(FoldMetrics, AreComputedPerFold) {
  auto m = fold_metrics(small_backtest());
  ASSERT_EQ(m.num_rows(), 2u);
  EXPECT_EQ(m.column("days").int64_values()[0], 2);
  EXPECT_EQ(m.column("days").int64_values()[1], 3);
  EXPECT_DOUBLE_EQ(m.column("mae").float64_values()[0], 1.5);
  EXPECT_DOUBLE_EQ(m.column("mae").float64_values()[1], 2.0);
  EXPECT_DOUBLE_EQ(m.column("rmse").float64_values()[1], std::sqrt(6.0));
  EXPECT_DOUBLE_EQ(m.column("mape").float64_values()[0], (0.1 + 0.1) / 2);
  EXPECT_EQ(m.column("first_day").int64_values()[1], 2 * kDay);
  EXPECT_EQ(m.column("last_day").int64_values()[1], 4 * kDay);
}

TEST(BacktestCodec, RoundTripsAndPicksByModelName) {
  Backtest b = small_backtest();
  using Codec = cairn::Codec<Backtest>;
  Backtest back = Codec::decode(Codec::encode(b));
  EXPECT_EQ(back.model, "toy");
  EXPECT_EQ(back.predictions, b.predictions);

  Backtest other = b;
  other.model = "other";
  EXPECT_EQ(&backtest_for("other", {&b, &other}), &other);
  try {
    backtest_for("missing", {&b, &other});
    FAIL();
  } catch (const cairn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("toy, other"), std::string::npos) << e.what();
  }
}

TEST(ForecastSvg, MarksEachFoldStartAndLabelsItsDate) {
  std::string svg = forecast_svg(small_backtest());
  EXPECT_NE(svg.find(">1970-01-01</text>"), std::string::npos);
  EXPECT_NE(svg.find(">1970-01-03</text>"), std::string::npos);
  EXPECT_NE(svg.find("toy: forecast vs actual"), std::string::npos);
}

}  // namespace
}  // namespace demand_forecast
