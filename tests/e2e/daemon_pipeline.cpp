// A pipeline for daemon_kill_test.cpp: one sensor that counts its ticks, so each tick requests
// exactly one run whose key is the tick's number.
//
//   counter/value  one cheap asset, the job "count"
//   counter        custom sensor, every second: cursor n -> run key n + 1, cursor n + 1; each
//                  evaluation takes $COUNTER_SENSOR_DELAY_MS (default 0), so that a kill can land
//                  inside a tick, between its begin_tick and its commit_tick
//
// The run queue launches nothing (max_concurrent_runs = 0): the runs stay QUEUED, so what the
// test counts is what the daemon committed, not what launched processes did afterwards.

#include <cairn/cairn.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  auto value = cairn::asset<std::int64_t>("counter/value").compute([](cairn::Context&) {
    return std::int64_t{1};
  });

  cairn::Sensor counter{
      .name = "counter",
      .interval = std::chrono::seconds(1),
      .job = "count",
      .evaluate = [](cairn::SensorContext& ctx) {
        const char* delay = std::getenv("COUNTER_SENSOR_DELAY_MS");
        if (delay != nullptr)
          std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(delay)));
        const long long next = ctx.cursor().empty() ? 1 : std::stoll(ctx.cursor()) + 1;
        cairn::SensorResult result;
        result.run_requests.push_back({.run_key = std::to_string(next)});
        result.cursor = std::to_string(next);
        return result;
      }};

  cairn::Definitions defs{.assets = {value},
                          .jobs = {{.name = "count", .selection = "counter/value"}},
                          .sensors = {counter},
                          .run_queue = {.max_concurrent_runs = 0}};
  return cairn::run_cli(defs, argc, argv);
}
