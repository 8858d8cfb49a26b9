// The three architectures on the real Chicago data: each fits, forecasts, round-trips through
// its model file and refuses input that does not match its schema.

#include <gtest/gtest.h>

#include <cairn/ml/metrics.hpp>
#include <cairn/ml/validation.hpp>

#include "backtest.hpp"
#include "chicago_data.hpp"
#include "features.hpp"
#include "linear_forecaster.hpp"
#include "seasonal_naive_forecaster.hpp"
#include "trained_model_codec.hpp"
#include "xgboost_forecaster.hpp"

namespace demand_forecast {
namespace {

using cairn::ml::Table;

const Table& chicago_features() {
  static const Table features =
      build_features(load_ridership(data_file()), load_weather(data_file()));
  return features;
}

double fold0_mae(const auto& model) {
  Table test = first_fold(chicago_features());
  auto actual = test.column("ridership").float64_values();
  return cairn::ml::mae(actual, model.predict(test));
}

template <class M>
void expect_round_trip(const M& model) {
  M loaded = M::from_bytes(model.to_bytes());
  Table test = first_fold(chicago_features());
  EXPECT_EQ(loaded.predict(test), model.predict(test));
}

TEST(Forecasters, BeatTheSeasonalNaiveBaselineOnTheFirstFold) {
  const Table train = history(chicago_features());
  SeasonalNaiveForecaster baseline;
  baseline.fit(train);
  XGBoostForecaster xgboost;
  xgboost.fit(train);
  LinearForecaster linear;
  linear.fit(train);

  const double base = fold0_mae(baseline), xgb = fold0_mae(xgboost), lin = fold0_mae(linear);
  // Ridership is in thousands (mean 13.6): a week-ahead error of a few hundred riders.
  EXPECT_GT(base, 0.5);
  EXPECT_LT(base, 3.0);
  EXPECT_LT(xgb, base);
  EXPECT_LT(lin, base);

  expect_round_trip(baseline);
  expect_round_trip(xgboost);
  expect_round_trip(linear);
}

TEST(Forecasters, TheBaselineForecastsLastWeeksSameWeekday) {
  Table test = first_fold(chicago_features());
  SeasonalNaiveForecaster baseline;
  auto lag = test.column("lag_7").float64_values();
  EXPECT_EQ(baseline.predict(test), std::vector<double>(lag.begin(), lag.end()));
  EXPECT_THROW(SeasonalNaiveForecaster::from_bytes("{\"kind\": \"other\"}"), cairn::Error);
}

TEST(Forecasters, ValidateTheirInputAtRunTime) {
  const Table train = history(chicago_features()).head(400);
  XGBoostForecaster xgboost;
  EXPECT_THROW(xgboost.predict(train), cairn::Error) << "predict before fit";
  EXPECT_THROW(xgboost.fit(train.drop({"temp"})), cairn::ml::ValidationError);
  LinearForecaster linear;
  EXPECT_THROW(linear.fit(train.drop({"ridership"})), cairn::ml::ValidationError);
  // A negative target is not a ridership.
  Table negative = train.derive("ridership", [](const cairn::ml::Row& r) {
    return r.index() == 3 ? -1.0 : r.number("ridership");
  });
  EXPECT_THROW(linear.fit(negative), cairn::ml::ValidationError);
}

TEST(TrainedModelCodec, KeepsTheNativeModelFileAndWhereItWasLogged) {
  SeasonalNaiveForecaster baseline;
  cairn::ml::TrainedModel<SeasonalNaiveForecaster> trained{baseline, "abc123", "model.json",
                                                           baseline.flavor()};
  using Codec = cairn::Codec<cairn::ml::TrainedModel<SeasonalNaiveForecaster>>;
  std::string bytes = Codec::encode(trained);
  EXPECT_TRUE(bytes.ends_with(baseline.to_bytes()));
  auto back = Codec::decode(bytes);
  EXPECT_EQ(back.tracking_run_id, "abc123");
  EXPECT_EQ(back.artifact_path, "model.json");
  EXPECT_EQ(back.flavor, "seasonal-naive/json");
  EXPECT_THROW(Codec::decode("garbage"), cairn::Error);
}

}  // namespace
}  // namespace demand_forecast
