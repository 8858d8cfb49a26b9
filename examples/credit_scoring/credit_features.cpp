#include "credit_features.hpp"

#include <cmath>
#include <limits>
#include <string_view>

namespace credit {

using cairn::ml::Column;
using cairn::ml::Table;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Numeric lending_club columns the model reads as they are.
const std::vector<std::string> kPassThrough = {"funded_amnt",
                                               "int_rate",
                                               "annual_inc",
                                               "delinq_2yrs",
                                               "inq_last_6mths",
                                               "revol_util",
                                               "acc_now_delinq",
                                               "open_il_6m",
                                               "open_il_12m",
                                               "open_il_24m",
                                               "total_bal_il",
                                               "all_util",
                                               "inq_fi",
                                               "inq_last_12m",
                                               "delinq_amnt",
                                               "num_il_tl",
                                               "total_il_high_credit_limit"};

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : kNaN;
}

// "term_36" -> 36.
double term_months(std::string_view term) {
  return term == "term_36" ? 36.0 : term == "term_60" ? 60.0 : kNaN;
}

// "A1" -> 0 ... "G5" -> 34.
double sub_grade_rank(std::string_view grade) {
  if (grade.size() != 2 || grade[0] < 'A' || grade[0] > 'G' || grade[1] < '1' || grade[1] > '5') {
    return kNaN;
  }
  return (grade[0] - 'A') * 5.0 + (grade[1] - '1');
}

// "emp_lt_1" -> 0, "emp_3" -> 3, "emp_ge_10" -> 10, "emp_unk" -> missing.
double employment_years(std::string_view emp) {
  if (emp == "emp_lt_1") return 0.0;
  if (emp == "emp_ge_10") return 10.0;
  if (emp.size() == 5 && emp.substr(0, 4) == "emp_" && emp[4] >= '1' && emp[4] <= '9') {
    return emp[4] - '0';
  }
  return kNaN;
}

double verification_level(std::string_view status) {
  if (status == "Not_Verified") return 0.0;
  if (status == "Source_Verified") return 1.0;
  if (status == "Verified") return 2.0;
  return kNaN;
}

// Monthly payment of a loan of `amount` at `annual_rate_percent` over `months`.
double installment(double amount, double annual_rate_percent, double months) {
  const double r = annual_rate_percent / 1200.0;
  if (r <= 0) return amount / months;
  return amount * r / (1.0 - std::pow(1.0 + r, -months));
}

}  // namespace

const std::vector<std::string>& feature_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = kPassThrough;
    for (const char* derived :
         {"term_months", "sub_grade_rank", "employment_years", "verification_level",
          "loan_to_income", "installment_to_income", "il_utilization"}) {
      c.emplace_back(derived);
    }
    return c;
  }();
  return columns;
}

Table build_features(const Table& apps) {
  const std::size_t n = apps.num_rows();
  Table out;
  out.add_column("application_id", apps.column("application_id"));
  for (const auto& name : kPassThrough) {
    std::vector<double> values(n);
    const Column& column = apps.column(name);
    for (std::size_t i = 0; i < n; ++i) values[i] = column.number_at(i);
    out.add_column(name, Column::from_float64(std::move(values)));
  }
  auto derive = [&](const char* name, auto compute) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = compute(i);
    out.add_column(name, Column::from_float64(std::move(values)));
  };
  const Column& term = apps.column("term");
  const Column& grade = apps.column("sub_grade");
  const Column& emp = apps.column("emp_length");
  const Column& verification = apps.column("verification_status");
  const Column& amount = apps.column("funded_amnt");
  const Column& rate = apps.column("int_rate");
  const Column& income = apps.column("annual_inc");
  const Column& il_balance = apps.column("total_bal_il");
  const Column& il_limit = apps.column("total_il_high_credit_limit");
  derive("term_months", [&](std::size_t i) { return term_months(term.string_at(i)); });
  derive("sub_grade_rank", [&](std::size_t i) { return sub_grade_rank(grade.string_at(i)); });
  derive("employment_years", [&](std::size_t i) { return employment_years(emp.string_at(i)); });
  derive("verification_level",
         [&](std::size_t i) { return verification_level(verification.string_at(i)); });
  derive("loan_to_income",
         [&](std::size_t i) { return ratio(amount.number_at(i), income.number_at(i)); });
  derive("installment_to_income", [&](std::size_t i) {
    const double monthly =
        installment(amount.number_at(i), rate.number_at(i), term_months(term.string_at(i)));
    return ratio(12.0 * monthly, income.number_at(i));
  });
  derive("il_utilization",
         [&](std::size_t i) { return ratio(il_balance.number_at(i), il_limit.number_at(i)); });
  if (apps.has_column("Class")) {
    const Column& cls = apps.column("Class");
    derive(kLabel, [&](std::size_t i) { return cls.string_at(i) == "bad" ? 1.0 : 0.0; });
  }
  return out;
}

cairn::ml::Matrix feature_matrix(const Table& features) {
  return features.to_matrix(feature_columns());
}

std::vector<double> labels(const Table& features) {
  const Column& label = features.column(kLabel);
  std::vector<double> y(label.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = label.number_at(i);
  return y;
}

}  // namespace credit
