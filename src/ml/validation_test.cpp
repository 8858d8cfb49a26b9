#include "cairn/ml/validation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

namespace cairn::ml {
namespace {

Table loans() {
  Column amount(DataType::kInt64);
  for (std::int64_t v : {1000, 2500, -50, 40000}) amount.append_int64(v);
  amount.append_null();
  amount.append_int64(120000);
  Column rate(DataType::kFloat64);
  for (double v : {0.1, 0.2, 0.3, std::nan(""), 0.4, 0.5}) rate.append_float64(v);
  Column grade(DataType::kString);
  for (const char* g : {"A1", "B3", "c2", "A1"}) grade.append_string(g);
  grade.append_null();
  grade.append_string("G5");
  Table t;
  t.add_column("id", Column::from_int64({1, 2, 3, 2, 5, 1}));
  t.add_column("funded_amnt", std::move(amount));
  t.add_column("int_rate", std::move(rate));
  t.add_column("sub_grade", std::move(grade));
  t.add_column("Class", Column::from_strings({"good", "bad", "good", "unknown", "good", "Bad"}));
  t.add_column("verified", Column::from_bool({true, false, true, true, false, true}));
  return t;
}

std::vector<std::size_t> rows(const ExpectationResult& r) {
  std::vector<std::size_t> out;
  for (const auto& s : r.sample) out.push_back(s.row);
  return out;
}

std::vector<std::string> values(const ExpectationResult& r) {
  std::vector<std::string> out;
  for (const auto& s : r.sample) out.push_back(s.value);
  return out;
}

TEST(Expectations, NotNullCountsNullsAndNaN) {
  ExpectationResult r = expect_not_null("int_rate").evaluate(loans());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.kind, "not_null");
  EXPECT_EQ(r.columns, (std::vector<std::string>{"int_rate"}));
  EXPECT_EQ(r.description, "int_rate is not null");
  EXPECT_EQ(r.observed, "1 null");
  EXPECT_EQ(r.failing_rows, 1u);
  EXPECT_EQ(rows(r), (std::vector<std::size_t>{3}));
  EXPECT_EQ(values(r), (std::vector<std::string>{"NaN"}));
  ExpectationResult ok = expect_not_null("Class").evaluate(loans());
  EXPECT_TRUE(ok.passed);
  EXPECT_EQ(ok.observed, "0 nulls");
  EXPECT_TRUE(ok.sample.empty());
}

TEST(Expectations, UniqueReportsLaterOccurrences) {
  ExpectationResult r = expect_unique("id").evaluate(loans());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.observed, "2 duplicates");
  EXPECT_EQ(rows(r), (std::vector<std::size_t>{3, 5}));
  EXPECT_EQ(values(r), (std::vector<std::string>{"2 (first at row 1)", "1 (first at row 0)"}));
  // Missing values are not duplicates of each other.
  Table t;
  Column c(DataType::kString);
  c.append_null();
  c.append_null();
  c.append_string("x");
  t.add_column("k", std::move(c));
  EXPECT_TRUE(expect_unique("k").evaluate(t).passed);
}

TEST(Expectations, UniqueCombination) {
  ExpectationResult pair = expect_unique_combination({"id", "verified"}).evaluate(loans());
  EXPECT_FALSE(pair.passed);
  EXPECT_EQ(pair.description, "(id, verified) is unique");
  EXPECT_EQ(pair.observed, "1 duplicate");
  EXPECT_EQ(rows(pair), (std::vector<std::size_t>{5}));
  EXPECT_EQ(values(pair), (std::vector<std::string>{"id=1, verified=true (first at row 0)"}));
  EXPECT_TRUE(expect_unique_combination({"id", "Class"}).evaluate(loans()).passed);
  EXPECT_THROW(expect_unique_combination({}), ValidationError);
}

TEST(Expectations, BetweenIsInclusiveSkipsNullsAndFailsNaN) {
  ExpectationResult r = expect_between("funded_amnt", 0, 100000).evaluate(loans());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.description, "funded_amnt between 0 and 100000");
  EXPECT_EQ(r.observed, "2 values outside [0, 100000]; min -50, max 120000");
  EXPECT_EQ(rows(r), (std::vector<std::size_t>{2, 5}));
  EXPECT_EQ(values(r), (std::vector<std::string>{"-50", "120000"}));
  EXPECT_TRUE(expect_between("funded_amnt", -50, 120000).evaluate(loans()).passed);

  ExpectationResult nan = expect_between("int_rate", 0.1, std::nullopt).evaluate(loans());
  EXPECT_EQ(nan.description, "int_rate >= 0.1");
  EXPECT_EQ(nan.observed, "1 value outside [0.1, +inf); min 0.1, max 0.5");
  EXPECT_EQ(rows(nan), (std::vector<std::size_t>{3}));

  EXPECT_TRUE(expect_between("verified", 0, 1).evaluate(loans()).passed);
  EXPECT_THROW(expect_between("x", 2, 1), ValidationError);
}

TEST(Expectations, InSet) {
  ExpectationResult r = expect_in_set("Class", {"good", "bad"}).evaluate(loans());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.description, "Class in {good, bad}");
  EXPECT_EQ(r.observed, "2 values not in the set");
  EXPECT_EQ(values(r), (std::vector<std::string>{"unknown", "Bad"}));
  EXPECT_EQ(rows(r), (std::vector<std::size_t>{3, 5}));
  // Non-string columns compare as text.
  EXPECT_TRUE(expect_in_set("verified", {"true", "false"}).evaluate(loans()).passed);
  ExpectationResult ids = expect_in_set("id", {"1", "2", "3"}).evaluate(loans());
  EXPECT_EQ(values(ids), (std::vector<std::string>{"5"}));
  EXPECT_FALSE(expect_in_set("verified", {"true", "yes"}).evaluate(loans()).passed);
  Table dates;
  dates.add_column("day", Column::from_timestamp({*parse_timestamp("2024-01-31"),
                                                  *parse_timestamp("2024-02-01T00:00:00Z")}));
  ExpectationResult days =
      expect_in_set("day", {"2024-01-31", "2024-02-01", "soon"}).evaluate(dates);
  EXPECT_TRUE(days.passed) << days.observed;
  ExpectationResult jan = expect_in_set("day", {"2024-01-31"}).evaluate(dates);
  EXPECT_EQ(values(jan), (std::vector<std::string>{"2024-02-01"}));
  ExpectationResult floats = expect_in_set("int_rate", {"0.1"}).evaluate(loans());
  EXPECT_FALSE(floats.passed);
  EXPECT_NE(floats.observed.find("column 'int_rate' is float64"), std::string::npos);
}

TEST(Expectations, MatchesRegexWholeValue) {
  ExpectationResult r = expect_matches_regex("sub_grade", "[A-G][1-5]").evaluate(loans());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.description, "sub_grade matches /[A-G][1-5]/");
  EXPECT_EQ(r.observed, "1 value not matching");
  EXPECT_EQ(values(r), (std::vector<std::string>{"c2"}));
  // A match must cover the whole value, not a part of it.
  EXPECT_FALSE(expect_matches_regex("sub_grade", "[A-G]").evaluate(loans()).passed);
  EXPECT_TRUE(expect_matches_regex("sub_grade", "[A-Ga-g][1-5]").evaluate(loans()).passed);
  try {
    expect_matches_regex("sub_grade", "[A-");
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("'[A-' is not a valid regular expression"),
              std::string::npos)
        << e.what();
  }
  ExpectationResult wrong = expect_matches_regex("id", "\\d+").evaluate(loans());
  EXPECT_FALSE(wrong.passed);
  EXPECT_EQ(wrong.observed, "column 'id' is int64; matches_regex needs a string column");
}

TEST(Expectations, RowCountMeanAndDuplicateRows) {
  ExpectationResult count = expect_row_count_between(1, 5).evaluate(loans());
  EXPECT_FALSE(count.passed);
  EXPECT_EQ(count.observed, "6 rows");
  EXPECT_EQ(count.description, "row count between 1 and 5");
  EXPECT_TRUE(expect_row_count_between(6, 6).evaluate(loans()).passed);
  EXPECT_THROW(expect_row_count_between(2, 1), ValidationError);

  ExpectationResult mean = expect_mean_between("int_rate", 0.25, 0.5).evaluate(loans());
  EXPECT_TRUE(mean.passed);
  EXPECT_EQ(mean.observed, "mean 0.3");
  EXPECT_FALSE(expect_mean_between("int_rate", 0.31, 0.5).evaluate(loans()).passed);
  ExpectationResult empty = expect_mean_between("int_rate", 0, 1).evaluate(loans().head(0));
  EXPECT_FALSE(empty.passed);
  EXPECT_EQ(empty.observed, "no values to average");

  Table t = loans();
  std::vector<std::size_t> order{0, 1, 2, 1, 3, 4, 4};
  ExpectationResult dup = expect_no_duplicate_rows().evaluate(t.take(order));
  EXPECT_FALSE(dup.passed);
  EXPECT_EQ(dup.observed, "2 duplicates");
  EXPECT_EQ(rows(dup), (std::vector<std::size_t>{3, 6}));
  EXPECT_EQ(values(dup), (std::vector<std::string>{"duplicate of row 1", "duplicate of row 5"}));
  EXPECT_TRUE(expect_no_duplicate_rows().evaluate(t).passed);
}

TEST(Expectations, PredicateWithSampleRowsAndExceptions) {
  auto positive = expect_predicate("amount is positive when rate is known", [](const Row& r) {
    return r.is_null("funded_amnt") || r.number("funded_amnt") > 0;
  });
  ExpectationResult r = positive.evaluate(loans());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.kind, "predicate");
  EXPECT_EQ(r.description, "amount is positive when rate is known");
  EXPECT_EQ(r.observed, "1 row failing");
  ASSERT_EQ(rows(r), (std::vector<std::size_t>{2}));
  EXPECT_EQ(r.sample[0].value,
            "id=3, funded_amnt=-50, int_rate=0.3, sub_grade=c2, Class=good, verified=true");

  auto broken = expect_predicate("reads a typo", [](const Row& r) { return r.number("amnt") > 0; });
  ExpectationResult b = broken.evaluate(loans());
  EXPECT_FALSE(b.passed);
  EXPECT_NE(b.observed.find("the check threw: unknown column 'amnt'"), std::string::npos)
      << b.observed;
}

TEST(Expectations, MaxSamplesBoundsTheSample) {
  std::vector<std::int64_t> v(100, -1);
  Table t;
  t.add_column("x", Column::from_int64(v));
  ExpectationResult r = expect_between("x", 0, 1).evaluate(t, {.max_samples = 3});
  EXPECT_EQ(r.failing_rows, 100u);
  EXPECT_EQ(rows(r), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_TRUE(expect_between("x", 0, 1).evaluate(t, {.max_samples = 0}).sample.empty());
}

TEST(Expectations, UnknownColumnsAndWrongTypesAreFailuresNotExceptions) {
  for (const Expectation& e :
       {expect_not_null("Clas"), expect_unique("Clas"), expect_between("Clas", 0, 1),
        expect_in_set("Clas", {"a"}), expect_matches_regex("Clas", "a"),
        expect_mean_between("Clas", 0, 1), expect_unique_combination({"id", "Clas"})}) {
    ExpectationResult r = e.evaluate(loans());
    EXPECT_FALSE(r.passed) << e.kind();
    EXPECT_EQ(r.observed, "column 'Clas' does not exist (did you mean 'Class'?)") << e.kind();
  }
  ExpectationResult r = expect_between("Class", 0, 1).evaluate(loans());
  EXPECT_EQ(r.observed, "column 'Class' is string; between needs a numeric column");
}

TableSchema loan_schema() {
  return TableSchema{
      .columns = {{"id", DataType::kInt64, false},
                  {"funded_amnt", DataType::kInt64, false},
                  {"int_rate", DataType::kInt64},
                  {"Class", DataType::kString, false},
                  {"addr_state", DataType::kString}},
      .expectations = {expect_in_set("Class", {"good", "bad"}), expect_row_count_between(1, 100)}};
}

TEST(Validate, SchemaChecksThenExpectations) {
  ValidationReport report = validate(loans(), loan_schema());
  ASSERT_EQ(report.results().size(), 7u);
  EXPECT_FALSE(report.success());
  EXPECT_EQ(report.num_failed(), 4u);
  EXPECT_EQ(report.num_rows(), 6u);
  const auto& r = report.results();
  EXPECT_TRUE(r[0].passed);
  EXPECT_EQ(r[0].kind, "schema");
  EXPECT_EQ(r[0].description, "column 'id' is int64, not null");
  EXPECT_EQ(r[0].observed, "int64, 0 nulls");
  EXPECT_FALSE(r[1].passed);  // a null amount in a not-null column
  EXPECT_EQ(r[1].observed, "int64, 1 null");
  EXPECT_EQ(rows(r[1]), (std::vector<std::size_t>{4}));
  EXPECT_FALSE(r[2].passed);  // wrong type
  EXPECT_EQ(r[2].observed, "float64 (expected int64), 1 null");
  EXPECT_EQ(r[2].failing_rows, 0u);
  EXPECT_TRUE(r[3].passed);
  EXPECT_FALSE(r[4].passed);
  EXPECT_EQ(r[4].observed, "column 'addr_state' does not exist");
  EXPECT_FALSE(r[5].passed);
  EXPECT_TRUE(r[6].passed);
}

TEST(Validate, ExtraColumnsWhenNotAllowed) {
  TableSchema schema = loan_schema();
  schema.expectations.clear();
  schema.allow_extra_columns = false;
  ValidationReport report = validate(loans(), schema);
  const ExpectationResult& extra = report.results().back();
  EXPECT_EQ(extra.description, "no columns besides the schema's");
  EXPECT_FALSE(extra.passed);
  EXPECT_EQ(extra.observed, "2 extra columns: sub_grade, verified");
}

TEST(Validate, EmptyTableAndEmptySchema) {
  ValidationReport report = validate(loans().head(0), loan_schema());
  EXPECT_EQ(report.results()[1].observed, "int64, 0 nulls");
  EXPECT_FALSE(report.results()[6].passed);  // 0 rows is below the minimum
  ValidationReport nothing = validate(loans(), TableSchema{});
  EXPECT_TRUE(nothing.success());
  EXPECT_TRUE(nothing.results().empty());
  EXPECT_EQ(nothing.summary(), "validation passed: 0 checks on 6 rows\n");
}

TEST(ValidationReport, JsonHasEveryResult) {
  ValidationReport report = validate(loans(), loan_schema(), {.max_samples = 1});
  nlohmann::json doc = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(doc["success"], false);
  EXPECT_EQ(doc["rows"], 6);
  EXPECT_EQ(doc["checks"], 7);
  EXPECT_EQ(doc["failed"], 4);
  ASSERT_EQ(doc["results"].size(), 7u);
  const auto& in_set = doc["results"][5];
  EXPECT_EQ(in_set["kind"], "in_set");
  EXPECT_EQ(in_set["columns"], nlohmann::json::array({"Class"}));
  EXPECT_EQ(in_set["description"], "Class in {good, bad}");
  EXPECT_EQ(in_set["passed"], false);
  EXPECT_EQ(in_set["observed"], "2 values not in the set");
  EXPECT_EQ(in_set["failing_rows"], 2);
  EXPECT_EQ(in_set["sample"], nlohmann::json::parse(R"([{"row": 3, "value": "unknown"}])"));
  EXPECT_EQ(doc["results"][6]["columns"], nlohmann::json::array());
}

TEST(ValidationReport, JsonSurvivesInvalidUtf8InValues) {
  Table t;
  t.add_column("s", Column::from_strings({std::string("ok"), std::string("bad\xff")}));
  ValidationReport report = validate(t, {.expectations = {expect_in_set("s", {"ok"})}});
  nlohmann::json doc = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(doc["results"][0]["failing_rows"], 1);
}

TEST(ValidationReport, SummaryAndThrowIfFailed) {
  ValidationReport report = validate(loans(), loan_schema(), {.max_samples = 2});
  std::string summary = report.summary();
  EXPECT_EQ(summary.substr(0, summary.find('\n')),
            "validation failed: 4 of 7 checks failed on 6 rows");
  EXPECT_NE(summary.find("  [ok]   column 'id' is int64, not null (observed: int64, 0 nulls)\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("  [FAIL] Class in {good, bad} (observed: 2 values not in the set)\n"
                         "         2 failing rows: row 3 = unknown; row 5 = Bad\n"),
            std::string::npos)
      << summary;
  try {
    report.throw_if_failed();
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("[FAIL] column 'addr_state'"), std::string::npos) << message;
    EXPECT_EQ(message.find("[ok]"), std::string::npos) << message;
  }
  EXPECT_NO_THROW(validate(loans(), TableSchema{}).throw_if_failed());
}

// Expectations share their compiled state (the regex, the set) between copies and threads.
TEST(Validate, OneSchemaFromSeveralThreads) {
  TableSchema schema = loan_schema();
  schema.expectations.push_back(expect_matches_regex("sub_grade", "[A-G][1-5]"));
  std::string expected = validate(loans(), schema).to_json();
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = validate(loans(), schema).to_json(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& json : got) EXPECT_EQ(json, expected);
}

}  // namespace
}  // namespace cairn::ml

namespace cairn::ml {
namespace {

TEST(ValidationCheck, AReportBecomesACheckResultNamingTheFailedExpectations) {
  TableSchema schema{.expectations = {expect_not_null("funded_amnt"), expect_unique("id")}};
  auto check = validation_check(schema);
  struct NoContext : Context {
    std::string s;
    std::map<std::string, std::string> tags;
    const std::string& run_id() const override { return s; }
    const std::string& asset_key() const override { return s; }
    int attempt() const override { return 1; }
    const std::map<std::string, std::string>& run_tags() const override { return tags; }
    const std::string& partition_key() const override { return s; }
    TimeWindow partition_window() const override { return {}; }
    void add_dynamic_partitions(std::string_view, std::vector<std::string>) override {}
    void set_data_version(std::string) override {}
    void log(LogLevel, std::string_view) override {}
    void add_metadata(std::string, MetadataValue) override {}
    bool is_cancelled() const override { return false; }
    tracking::TrackingRun& tracking() override { throw Error("no tracking"); }
    tracking::TrackingRun& tracking(std::string_view) override { throw Error("no tracking"); }
    tracking::ModelRegistry& model_registry() override { throw Error("no registry"); }
    void* resource_ptr(std::string_view, const std::type_info&) override { return nullptr; }
  } ctx;
  CheckResult result = check(ctx, loans());
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.severity, CheckSeverity::kError);
  EXPECT_NE(result.description.find("2 of 2 expectations failed"), std::string::npos)
      << result.description;
  EXPECT_NE(result.description.find("id"), std::string::npos) << result.description;
  EXPECT_EQ(std::get<std::int64_t>(result.metadata.at("failed_expectations")), 2);
  auto report = nlohmann::json::parse(std::get<JsonText>(result.metadata.at("report")).text);
  EXPECT_FALSE(report.empty());

  TableSchema lenient{.expectations = {expect_not_null("id")}};
  CheckResult ok = validation_check(lenient, {}, CheckSeverity::kWarn)(ctx, loans());
  EXPECT_TRUE(ok.passed);
  EXPECT_EQ(ok.severity, CheckSeverity::kWarn);
}

}  // namespace
}  // namespace cairn::ml
