// A pipeline exercising partitions, mappings, dynamic partitions, checks, observations and data
// versions, driven by partitioned_run_test.cpp through its command line.
//
//   sales/source   unpartitioned; reads the file $SALES_SOURCE_FILE, observed by its content
//   sales/raw      daily 2025-01-01 .. 2025-01-10 (UTC); one number per day from the source
//   sales/clean    daily, identity of raw; blocking check "non_negative"
//   sales/change   daily from 2025-01-02; clean of the day minus clean of the day before
//   sales/total    unpartitioned; every partition of clean (fan-in)
//   sales/report   unpartitioned; code version from $REPORT_CODE_VERSION (default "1")
//   models/register  adds the dynamic partitions "models": xgb, linear
//   models/metrics   dynamic "models", after models/register; materialized eagerly by the daemon

#include <cairn/cairn.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string read_source() {
  std::string path = env_or("SALES_SOURCE_FILE", "");
  std::ifstream in(path);
  if (!in) throw cairn::Error("cannot read $SALES_SOURCE_FILE '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The day's number: its day of month, negated when the source says "negative".
double day_value(const std::string& source, const std::string& day) {
  double v = std::stod(day.substr(8, 2));
  return source.find("negative") != std::string::npos ? -v : v;
}

}  // namespace

int main(int argc, char** argv) {
  auto daily = cairn::daily("2025-01-01", "UTC", {.end = "2025-01-11"});

  auto source = cairn::asset<std::string>("sales/source")
                    .group("sales")
                    .observe([](cairn::Context&) {
                      return std::to_string(std::hash<std::string>{}(read_source()));
                    })
                    .compute([](cairn::Context&) { return read_source(); });

  auto raw = cairn::asset<double>("sales/raw")
                 .group("sales")
                 .partitioned(daily)
                 .compute(
                     [](cairn::Context& ctx, const std::string& text) {
                       auto window = ctx.partition_window();
                       ctx.add_metadata(
                           "window_hours",
                           static_cast<std::int64_t>((window.end - window.start).count() / 3600));
                       return day_value(text, ctx.partition_key());
                     },
                     source);

  auto clean = cairn::asset<double>("sales/clean")
                   .group("sales")
                   .partitioned(daily)
                   .check(
                       "non_negative",
                       [](cairn::Context&, const double& v) {
                         return cairn::CheckResult{.passed = v >= 0,
                                                   .description = "value " + std::to_string(v)};
                       },
                       cairn::blocking)
                   .check("small",
                          [](cairn::Context&, const double& v) {
                            return cairn::CheckResult{.passed = v < 5,
                                                      .severity = cairn::CheckSeverity::kWarn,
                                                      .description = "value " + std::to_string(v)};
                          })
                   .compute([](cairn::Context&, const double& v) { return v; }, raw);

  auto change = cairn::asset<double>("sales/change")
                    .group("sales")
                    .partitioned(cairn::daily("2025-01-02", "UTC", {.end = "2025-01-11"}))
                    .compute([](cairn::Context&, const double& today,
                                const double& yesterday) { return today - yesterday; },
                             clean, clean.offset(-1));

  auto total = cairn::asset<double>("sales/total")
                   .group("sales")
                   .compute(
                       [](cairn::Context& ctx, const cairn::Partitioned<double>& days) {
                         double sum = 0;
                         for (const auto& [day, v] : days) sum += v;
                         ctx.add_metadata("days", static_cast<std::int64_t>(days.size()));
                         ctx.add_metadata("sum", sum);
                         return sum;
                       },
                       clean.all_partitions());

  auto report =
      cairn::asset<std::string>("sales/report")
          .group("sales")
          .code_version(env_or("REPORT_CODE_VERSION", "1"))
          .compute([](cairn::Context&, const double& t) { return std::to_string(t); }, total);

  auto register_models = cairn::asset<std::int64_t>("models/register")
                             .group("models")
                             .compute([](cairn::Context& ctx) {
                               ctx.add_dynamic_partitions("models", {"xgb", "linear"});
                               return std::int64_t{2};
                             });

  auto metrics =
      cairn::asset<std::string>("models/metrics")
          .group("models")
          .partitioned(cairn::dynamic_partitions("models"))
          .after(register_models)
          .automation(cairn::eager())
          .compute([](cairn::Context& ctx) { return "metrics of " + ctx.partition_key(); });

  cairn::Definitions defs{
      .assets = {source, raw, clean, change, total, report, register_models, metrics}};
  return cairn::run_cli(defs, argc, argv);
}
