#include "tracking/run_query.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cairn/tracking.hpp"

namespace cairn::tracking {
namespace {

using ::testing::HasSubstr;

TEST(RunFilter, ParsesConditionsJoinedByAnd) {
  const auto conditions = parse_run_filter(
      "metrics.auc > 0.8 AND params.max_depth = '6' and tags.`team name` != \"risk 'a'\" "
      "and status = finished and attributes.name == 'x''y' and metrics.val/loss <= -1e-3");
  ASSERT_EQ(conditions.size(), 6u);
  EXPECT_EQ(conditions[0].field, RunField::kMetric);
  EXPECT_EQ(conditions[0].key, "auc");
  EXPECT_EQ(conditions[0].op, Comparison::kGreater);
  EXPECT_EQ(conditions[0].number, 0.8);
  EXPECT_EQ(conditions[1].field, RunField::kParam);
  EXPECT_EQ(conditions[1].key, "max_depth");
  EXPECT_EQ(conditions[1].text, "6");
  EXPECT_EQ(conditions[2].field, RunField::kTag);
  EXPECT_EQ(conditions[2].key, "team name");
  EXPECT_EQ(conditions[2].op, Comparison::kNotEqual);
  EXPECT_EQ(conditions[2].text, "risk 'a'");
  EXPECT_EQ(conditions[3].field, RunField::kStatus);
  EXPECT_EQ(conditions[3].text, "FINISHED");
  EXPECT_EQ(conditions[4].field, RunField::kName);
  EXPECT_EQ(conditions[4].text, "x'y");
  EXPECT_EQ(conditions[5].key, "val/loss");
  EXPECT_EQ(conditions[5].op, Comparison::kLessEqual);
  EXPECT_EQ(conditions[5].number, -1e-3);
  EXPECT_TRUE(parse_run_filter("  ").empty());
}

TEST(RunFilter, BareValuesOfParamsAreTheirText) {
  const auto conditions = parse_run_filter("params.eta = 0.10 and params.booster = gbtree");
  EXPECT_EQ(conditions[0].text, "0.10");
  EXPECT_EQ(conditions[1].text, "gbtree");
}

TEST(RunFilter, MistakesAreReportedWithTheFilterAndWhereTheyAre) {
  const auto message = [](std::string_view filter) {
    try {
      parse_run_filter(filter);
    } catch (const TrackingError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message("metrics.auc >> 0.8"), HasSubstr("expected a value"));
  EXPECT_THAT(message("metrics.auc >> 0.8"), HasSubstr("search filter 'metrics.auc >> 0.8'"));
  EXPECT_THAT(message("metrics.auc ~ 0.8"), HasSubstr("expected an operator"));
  EXPECT_THAT(message("metric.auc > high"), HasSubstr("expected a number"));
  EXPECT_THAT(message("metrics.auc > '0.8'"), HasSubstr("expected a number"));
  EXPECT_THAT(message("accuracy > 0.8"), HasSubstr("expected a field: metrics.KEY"));
  EXPECT_THAT(message("metrics > 0.8"), HasSubstr("'.' and a key after 'metrics'"));
  EXPECT_THAT(message("params.a = 'x"), HasSubstr("a closing '"));
  EXPECT_THAT(message("metrics.a > 1 or metrics.b > 2"), HasSubstr("'or' is not supported"));
  EXPECT_THAT(message("params.depth > 4"), HasSubstr("compare only with = or !="));
  EXPECT_THAT(message("status = done"), HasSubstr("unknown status 'done'"));
}

TEST(RunOrder, ParsesAFieldAndADirection) {
  RunOrder order = parse_run_order("metrics.auc");
  EXPECT_EQ(order.field, RunField::kMetric);
  EXPECT_EQ(order.key, "auc");
  EXPECT_TRUE(order.descending);
  order = parse_run_order("params.eta ASC");
  EXPECT_EQ(order.field, RunField::kParam);
  EXPECT_FALSE(order.descending);
  order = parse_run_order("");
  EXPECT_EQ(order.field, RunField::kStartTime);
  EXPECT_TRUE(order.descending);
  EXPECT_THROW(parse_run_order("metrics.auc sideways"), TrackingError);
  EXPECT_THROW(parse_run_order("run_id"), TrackingError);
  EXPECT_THROW(parse_run_order("metrics.auc desc extra"), TrackingError);
}

}  // namespace
}  // namespace cairn::tracking
