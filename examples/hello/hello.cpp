// A small, non-ML pipeline that shows the core of cairn: typed dependencies with a fan-out,
// a typed config, an asset that fails once and is retried, ordering-only dependencies and
// metadata. Used by the README and by the end-to-end tests.
//
//   numbers ──┬── stats/total ──┐
//             ├── stats/mean ───┼── report
//             └── stats/stddev ─┘     ▲
//   ingest/weather_feed ──────────────┘  (fails on its first attempt, then succeeds)
//   slow/sleeper                         (sleeps `sleep_ms`, checking for cancellation)
//
// HELLO_FAIL=<asset key> makes that asset throw, to simulate an outage (used to show and test
// re-execution from failure).

#include <cairn/cairn.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <random>
#include <thread>

namespace hello {

using cairn::Context;

void fail_if_asked(Context& ctx) {
  const char* target = std::getenv("HELLO_FAIL");
  if (target != nullptr && ctx.asset_key() == target) {
    throw std::runtime_error("simulated outage (HELLO_FAIL=" + std::string(target) + ")");
  }
}

struct NumbersConfig {
  std::int64_t count = 1000;
  std::int64_t seed = 42;
  double mean = 10.0;
};

void describe_config(cairn::ConfigSchema<NumbersConfig>& s) {
  s.field("count", &NumbersConfig::count, "How many numbers to draw");
  s.field("seed", &NumbersConfig::seed, "Random seed");
  s.field("mean", &NumbersConfig::mean, "Mean of the normal distribution");
}

struct SleepConfig {
  std::int64_t sleep_ms = 0;
};

void describe_config(cairn::ConfigSchema<SleepConfig>& s) {
  s.field("sleep_ms", &SleepConfig::sleep_ms, "How long to sleep");
}

auto numbers = cairn::asset<std::vector<double>>("numbers")
                   .group("ingest")
                   .describe("Normally distributed measurements, reproducible from a seed")
                   .code_version("1")
                   .config<NumbersConfig>()
                   .compute([](Context& ctx, const NumbersConfig& cfg) {
                     fail_if_asked(ctx);
                     if (cfg.count <= 0) throw std::invalid_argument("count must be positive");
                     std::mt19937_64 rng(static_cast<std::uint64_t>(cfg.seed));
                     std::normal_distribution<double> dist(cfg.mean, 2.0);
                     std::vector<double> xs(static_cast<std::size_t>(cfg.count));
                     for (auto& x : xs) x = dist(rng);
                     ctx.add_metadata("count", cfg.count);
                     ctx.log_info("drew " + std::to_string(cfg.count) + " numbers");
                     return xs;
                   });

auto total = cairn::asset<double>("stats/total")
                 .group("stats")
                 .describe("Sum of the numbers")
                 .compute(
                     [](Context& ctx, const std::vector<double>& xs) {
                       fail_if_asked(ctx);
                       return std::accumulate(xs.begin(), xs.end(), 0.0);
                     },
                     numbers);

auto mean = cairn::asset<double>("stats/mean")
                .group("stats")
                .describe("Arithmetic mean of the numbers")
                .compute(
                    [](Context& ctx, const std::vector<double>& xs) {
                      fail_if_asked(ctx);
                      double m = std::accumulate(xs.begin(), xs.end(), 0.0) /
                                 static_cast<double>(xs.size());
                      ctx.add_metadata("mean", m);
                      return m;
                    },
                    numbers);

auto stddev = cairn::asset<double>("stats/stddev")
                  .group("stats")
                  .describe("Sample standard deviation of the numbers")
                  .compute(
                      [](Context& ctx, const std::vector<double>& xs, const double& m) {
                        fail_if_asked(ctx);
                        double ss = 0;
                        for (double x : xs) ss += (x - m) * (x - m);
                        return std::sqrt(ss / static_cast<double>(xs.size() - 1));
                      },
                      numbers, mean);

auto weather_feed =
    cairn::asset<std::string>("ingest/weather_feed")
        .group("ingest")
        .describe("A flaky upstream service: its first attempt fails, the retry succeeds")
        .retry({.max_attempts = 3,
                .delay = std::chrono::milliseconds(200),
                .backoff = cairn::Backoff::kExponential,
                .jitter = 0.1})
        .timeout(std::chrono::seconds(30))
        .compute([](Context& ctx) -> std::string {
          fail_if_asked(ctx);
          if (ctx.attempt() == 1) throw std::runtime_error("weather service answered HTTP 503");
          ctx.log_info("weather feed fetched on attempt " + std::to_string(ctx.attempt()));
          return "sunny, 21 C";
        });

auto report =
    cairn::asset<std::string>("report")
        .group("reporting")
        .describe("A one-line summary of the statistics and the weather")
        .tag("tier", "gold")
        .compute(
            [](Context& ctx, const double& sum, const double& m, const double& sd,
               const std::string& weather) {
              fail_if_asked(ctx);
              std::string text = "total=" + std::to_string(sum) + " mean=" + std::to_string(m) +
                                 " stddev=" + std::to_string(sd) + " weather=" + weather;
              ctx.add_metadata("summary", cairn::JsonText{"{\"mean\": " + std::to_string(m) + "}"});
              return text;
            },
            total, mean, stddev, weather_feed);

auto sleeper = cairn::asset<std::int64_t>("slow/sleeper")
                   .group("slow")
                   .describe("Sleeps sleep_ms in small slices, stopping early if cancelled")
                   .after(numbers)
                   .config<SleepConfig>()
                   .compute([](Context& ctx, const SleepConfig& cfg) {
                     auto until =
                         std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg.sleep_ms);
                     while (std::chrono::steady_clock::now() < until) {
                       ctx.throw_if_cancelled();
                       std::this_thread::sleep_for(std::chrono::milliseconds(10));
                     }
                     return cfg.sleep_ms;
                   });

}  // namespace hello

int main(int argc, char** argv) {
  cairn::Definitions defs{.assets = {hello::numbers, hello::total, hello::mean, hello::stddev,
                                     hello::weather_feed, hello::report, hello::sleeper},
                          .jobs = {{.name = "stats",
                                    .selection = "*report",
                                    .description = "Everything the report needs",
                                    .config_json = R"({"assets": {"numbers": {"count": 500}}})",
                                    .tags = {{"team", "demo"}}}}};
  return cairn::run_cli(defs, argc, argv);
}
