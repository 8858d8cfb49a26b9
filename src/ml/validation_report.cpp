#include <nlohmann/json.hpp>

#include "cairn/ml/validation.hpp"

namespace cairn::ml {

namespace {

std::string result_line(const ExpectationResult& r) {
  std::string line = std::string(r.passed ? "  [ok]   " : "  [FAIL] ") + r.description;
  if (!r.observed.empty()) line += " (observed: " + r.observed + ")";
  line += "\n";
  if (!r.passed && r.failing_rows > 0) {
    line += "         " + std::to_string(r.failing_rows) +
            (r.failing_rows == 1 ? " failing row" : " failing rows");
    for (std::size_t i = 0; i < r.sample.size(); ++i) {
      line += (i == 0 ? ": " : "; ") + std::string("row ") + std::to_string(r.sample[i].row) +
              " = " + r.sample[i].value;
    }
    if (r.sample.size() < r.failing_rows) line += "; ...";
    line += "\n";
  }
  return line;
}

std::string headline(const ValidationReport& report) {
  std::size_t checks = report.results().size();
  std::string rows =
      std::to_string(report.num_rows()) + (report.num_rows() == 1 ? " row" : " rows");
  if (report.success()) {
    return "validation passed: " + std::to_string(checks) + (checks == 1 ? " check" : " checks") +
           " on " + rows + "\n";
  }
  return "validation failed: " + std::to_string(report.num_failed()) + " of " +
         std::to_string(checks) + (checks == 1 ? " check" : " checks") + " failed on " + rows +
         "\n";
}

}  // namespace

ValidationReport::ValidationReport(std::size_t rows, std::vector<ExpectationResult> results)
    : rows_(rows), results_(std::move(results)) {}

bool ValidationReport::success() const {
  return num_failed() == 0;
}

std::size_t ValidationReport::num_failed() const {
  std::size_t failed = 0;
  for (const auto& r : results_) failed += r.passed ? 0 : 1;
  return failed;
}

std::string ValidationReport::to_json() const {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : results_) {
    nlohmann::json sample = nlohmann::json::array();
    for (const auto& s : r.sample) sample.push_back({{"row", s.row}, {"value", s.value}});
    results.push_back({{"kind", r.kind},
                       {"columns", r.columns},
                       {"description", r.description},
                       {"passed", r.passed},
                       {"observed", r.observed},
                       {"failing_rows", r.failing_rows},
                       {"sample", std::move(sample)}});
  }
  nlohmann::json doc = {{"success", success()},
                        {"rows", rows_},
                        {"checks", results_.size()},
                        {"failed", num_failed()},
                        {"results", std::move(results)}};
  // Values come from the data and may hold invalid UTF-8; replace it rather than throw.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ValidationReport::summary() const {
  std::string out = headline(*this);
  for (const auto& r : results_) out += result_line(r);
  return out;
}

void ValidationReport::throw_if_failed() const {
  if (success()) return;
  std::string message = headline(*this);
  for (const auto& r : results_) {
    if (!r.passed) message += result_line(r);
  }
  throw ValidationError(message);
}

CheckResult to_check_result(const ValidationReport& report, CheckSeverity severity) {
  CheckResult result;
  result.passed = report.success();
  result.severity = severity;
  if (result.passed) {
    result.description = "all " + std::to_string(report.results().size()) +
                         " expectations passed on " + std::to_string(report.num_rows()) + " rows";
  } else {
    std::string failed;
    for (const auto& r : report.results()) {
      if (!r.passed)
        failed += (failed.empty() ? "" : "; ") + r.description + " (" + r.observed + ")";
    }
    result.description = std::to_string(report.num_failed()) + " of " +
                         std::to_string(report.results().size()) +
                         " expectations failed: " + failed;
  }
  result.metadata = {{"rows", static_cast<std::int64_t>(report.num_rows())},
                     {"failed_expectations", static_cast<std::int64_t>(report.num_failed())},
                     {"report", JsonText{report.to_json()}}};
  return result;
}

std::function<CheckResult(Context&, const Table&)> validation_check(TableSchema schema,
                                                                    ValidationOptions options,
                                                                    CheckSeverity severity) {
  return [schema = std::move(schema), options, severity](Context&, const Table& table) {
    return to_check_result(validate(table, schema, options), severity);
  };
}

}  // namespace cairn::ml
