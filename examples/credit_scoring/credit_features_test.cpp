#include "credit_features.hpp"

#include <gtest/gtest.h>

#include <cairn/ml/csv.hpp>

#include <cmath>

#include "applications.hpp"
#include "credit_model.hpp"

namespace credit {
namespace {

using cairn::ml::Table;

// Two applications as lending_club writes them, the second with no income.
Table two_applications() {
  Table t = cairn::ml::read_csv_string(
      "application_id,funded_amnt,term,int_rate,sub_grade,addr_state,verification_status,"
      "annual_inc,emp_length,delinq_2yrs,inq_last_6mths,revol_util,acc_now_delinq,open_il_6m,"
      "open_il_12m,open_il_24m,total_bal_il,all_util,inq_fi,inq_last_12m,delinq_amnt,num_il_tl,"
      "total_il_high_credit_limit,Class\n"
      "1,16100,term_36,13.99,C4,CT,Not_Verified,35000,emp_5,0,0,67.4,0,1,0,0,1099,48,0,3,0,3,"
      "13193,good\n"
      "2,12000,term_60,6,A1,NY,Verified,0,emp_ge_10,1,2,10.5,0,0,0,0,0,20,1,1,0,0,0,bad\n");
  return t;
}

TEST(CreditFeatures, EncodesCategoriesByFixedRulesAndDerivesRatios) {
  Table f = build_features(two_applications());
  ASSERT_EQ(f.num_rows(), 2u);
  EXPECT_EQ(f.column("term_months").number_at(0), 36);
  EXPECT_EQ(f.column("term_months").number_at(1), 60);
  EXPECT_EQ(f.column("sub_grade_rank").number_at(0), 2 * 5 + 3);  // C4
  EXPECT_EQ(f.column("sub_grade_rank").number_at(1), 0);          // A1
  EXPECT_EQ(f.column("employment_years").number_at(0), 5);
  EXPECT_EQ(f.column("employment_years").number_at(1), 10);
  EXPECT_EQ(f.column("verification_level").number_at(0), 0);
  EXPECT_EQ(f.column("verification_level").number_at(1), 2);
  EXPECT_NEAR(f.column("loan_to_income").number_at(0), 16100.0 / 35000, 1e-12);
  // 16 100 at 13.99 % over 36 months is 550.19 a month.
  EXPECT_NEAR(f.column("installment_to_income").number_at(0), 12 * 550.19 / 35000, 1e-4);
  EXPECT_NEAR(f.column("il_utilization").number_at(0), 1099.0 / 13193, 1e-12);
  // Ratios over a zero income or limit are missing, not infinite.
  EXPECT_TRUE(std::isnan(f.column("loan_to_income").number_at(1)));
  EXPECT_TRUE(std::isnan(f.column("il_utilization").number_at(1)));
  EXPECT_EQ(labels(f), (std::vector<double>{0, 1}));
  EXPECT_EQ(feature_matrix(f).cols, feature_columns().size());
}

TEST(CreditFeatures, TheSplitIsStratifiedAndDeterministic) {
  Table all = *read_applications(CREDIT_DEFAULT_CSV);
  Table f = with_split(build_features(all));
  auto count = [&](const char* part) {
    Table rows = split_rows(f, {part});
    auto y = labels(rows);
    return std::pair{rows.num_rows(),
                     static_cast<std::size_t>(std::count(y.begin(), y.end(), 1.0))};
  };
  auto [train, train_bad] = count("train");
  auto [valid, valid_bad] = count("valid");
  auto [test, test_bad] = count("test");
  EXPECT_EQ(train + valid + test, 9857u);
  EXPECT_NEAR(static_cast<double>(test) / 9857, 0.2, 0.001);
  EXPECT_NEAR(static_cast<double>(valid) / 9857, 0.2, 0.001);
  EXPECT_EQ(train_bad + valid_bad + test_bad, 517u);
  EXPECT_NEAR(static_cast<double>(test_bad) / test, 517.0 / 9857, 0.002);
  EXPECT_TRUE(with_split(build_features(all)) == f);
}

TEST(Applications, TheReplayDealsRowsToDaysByRowNumber) {
  Table all = *read_applications(CREDIT_DEFAULT_CSV);
  ASSERT_EQ(all.num_rows(), 9857u);
  EXPECT_EQ(all.column_name(0), "application_id");
  EXPECT_EQ(day_index("2016-01-01"), 0);
  EXPECT_EQ(day_index("2016-03-31"), 90);
  EXPECT_THROW(day_index("2016-04-01"), cairn::Error);
  EXPECT_THROW(day_index("2015-12-31"), cairn::Error);
  Table day = applications_of_day(all, "2016-01-03");
  ASSERT_EQ(day.num_rows(), 109u);  // 9857 = 91 × 108 + 29: the first 29 days get 109
  EXPECT_EQ(day.column("application_id").number_at(0), 3);
  EXPECT_EQ(day.column("application_id").number_at(1), 3 + 91);
  EXPECT_EQ(applications_of_day(all, "2016-03-31").num_rows(), 108u);
  const auto later =
      std::chrono::sys_seconds(std::chrono::sys_days(std::chrono::year(2030) / 1 / 1));
  EXPECT_EQ(replay_days().keys(later).size(), 91u);
  EXPECT_EQ(new_days().keys(later).size(), 31u);
}

}  // namespace
}  // namespace credit
