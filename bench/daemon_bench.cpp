// One daemon iteration (Daemon::run_once) on a real SQLite instance with 1 000 custom sensors
// (every 30 s, each skipping) and 1 000 eager assets whose upstreams are materialized and
// fresh; and the latency from a new upstream materialization to the queued run. Prints JSON
// lines; the targets: an iteration with nothing to do under 50 ms, a new
// materialization queued under 1 s. `--days N` makes every asset daily-partitioned over the last
// N days (assets × 2 × N steps, each materialized), for the cost of staleness on a large space.
//
//   cairn_daemon_bench [--sensors 1000] [--assets 1000] [--days 0] [--iterations 20] [--home DIR]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "automation/daemon.hpp"
#include "cairn/asset.hpp"
#include "core/data_version.hpp"
#include "plan/partition_space.hpp"
#include "storage/instance.hpp"

namespace {

using SteadyClock = std::chrono::steady_clock;
using cairn::TimePoint;

double ms_since(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

class NoLaunches final : public cairn::RunQueueHook {
 public:
  void on_iteration(TimePoint) override {}
};

std::string source_key(int i) {
  return "source/s" + std::to_string(i);
}
std::string eager_key(int i) {
  return "eager/e" + std::to_string(i);
}

/// "YYYY-MM-DD" of the UTC day `days` before `t`.
std::string day_before(TimePoint t, int days) {
  const std::chrono::year_month_day ymd{
      std::chrono::floor<std::chrono::days>(t - std::chrono::days(days))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

cairn::Definitions definitions(int sensors, int assets, const std::string& first_day) {
  cairn::Definitions defs;
  for (int i = 0; i < assets; ++i) {
    auto source_builder = cairn::asset<int>(source_key(i));
    auto eager_builder = cairn::asset<int>(eager_key(i));
    eager_builder.automation(cairn::eager());
    if (!first_day.empty()) {
      source_builder.partitioned(cairn::daily(first_day));
      eager_builder.partitioned(cairn::daily(first_day));
    }
    auto source = source_builder.compute([](cairn::Context&) { return 1; });
    auto eager = eager_builder.compute([](cairn::Context&, const int& v) { return v + 1; }, source);
    defs.assets.push_back(source);
    defs.assets.push_back(eager);
  }
  for (int i = 0; i < sensors; ++i) {
    defs.sensors.push_back({.name = "sensor" + std::to_string(i),
                            .interval = std::chrono::seconds(30),
                            .evaluate = [](cairn::SensorContext&) {
                              return cairn::SensorResult::skip("nothing new");
                            }});
  }
  return defs;
}

// A materialization event as the engine writes it: data version derived from the code version
// and the inputs' versions, so that the staleness index finds the asset fresh.
cairn::Event materialization(const std::string& run_id, const std::string& asset,
                             const std::string& partition,
                             const std::vector<cairn::InputVersion>& inputs, double timestamp,
                             const std::string& salt, std::string& data_version) {
  const std::string code_version;  // the definitions declare none
  data_version = salt.empty() ? cairn::derive_data_version(code_version, "", inputs) : salt;
  nlohmann::json payload{{"data_version", data_version},
                         {"code_version", code_version},
                         {"config_hash", ""},
                         {"inputs", nlohmann::json::array()}};
  for (const auto& in : inputs) {
    payload["inputs"].push_back({in.asset_key, in.partition_key, in.data_version});
  }
  cairn::Event event;
  event.run_id = run_id;
  event.type = cairn::EventType::kAssetMaterialization;
  event.timestamp = timestamp;
  event.asset_key = asset;
  event.partition_key = partition;
  event.step_key = partition.empty() ? asset : asset + "[" + partition + "]";
  event.payload_json = payload.dump();
  return event;
}

void add_run(cairn::Storage& storage, const std::string& run_id) {
  cairn::RunRecord run;
  run.run_id = run_id;
  run.root_run_id = run_id;
  run.status = cairn::RunStatus::kSuccess;
  storage.add_run(run);
}

struct Stats {
  double median = 0;
  double p90 = 0;
  double max = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  if (ms.empty()) return {};
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 9 / 10)], ms.back()};
}

int g_days = 0;  // --days, printed with every case

void print(const char* what, int sensors, int assets, const std::vector<double>& ms) {
  const Stats s = stats(ms);
  std::printf(
      "{\"bench\": \"daemon\", \"case\": \"%s\", \"sensors\": %d, \"eager_assets\": %d, "
      "\"days\": %d, \"iterations\": %zu, \"median_ms\": %.2f, \"p90_ms\": %.2f, "
      "\"max_ms\": %.2f}\n",
      what, sensors, assets, g_days, ms.size(), s.median, s.p90, s.max);
  std::fflush(stdout);
}

bool has_automation_tick(const cairn::DaemonIteration& it) {
  return std::any_of(it.ticks.begin(), it.ticks.end(), [](const cairn::TickRecord& t) {
    return t.kind == cairn::InstigatorKind::kAutomation;
  });
}

// Whether a QUEUED automation run materializes `step_key`.
bool queued_for(cairn::Storage& storage, const std::string& step_key) {
  for (const cairn::RunRecord& run : storage.automation().queued_runs(0)) {
    if (std::find(run.step_keys.begin(), run.step_keys.end(), step_key) != run.step_keys.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  int sensors = 1000;
  int assets = 1000;
  int days = 0;
  int iterations = 20;
  std::string home = "/tmp/cairn-daemon-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--sensors") == 0) sensors = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--assets") == 0) assets = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--days") == 0) days = g_days = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--home") == 0) home = argv[i + 1];
  }
  std::filesystem::remove_all(home);
  auto instance = cairn::Instance::open(home);
  cairn::Storage& storage = instance->storage();
  // The fake clock starts an hour ago so that the real clock, later, finds every sensor due
  // once and then nothing.
  const TimePoint start = std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now() - std::chrono::hours(1));
  const cairn::Definitions defs =
      definitions(sensors, assets, days > 0 ? day_before(start, days) : "");
  const cairn::AssetGraph graph = cairn::AssetGraph::build(defs);
  // The partitions of every asset (all assets share one definition), "" when unpartitioned.
  std::vector<std::string> partitions{""};
  if (days > 0) {
    const auto space =
        cairn::PartitionSpace::build(graph, std::chrono::floor<std::chrono::seconds>(start), {});
    const auto keys = space.keys(*graph.find(source_key(0)));
    partitions.assign(keys.begin(), keys.end());
  }
  const std::string& last_partition = partitions.back();
  const auto step_key = [&](const std::string& asset) {
    return last_partition.empty() ? asset : asset + "[" + last_partition + "]";
  };

  // Every asset (and partition) materialized once, fresh.
  add_run(storage, "seed");
  std::vector<cairn::Event> events;
  for (int i = 0; i < assets; ++i) {
    for (const std::string& partition : partitions) {
      std::string source_version;
      std::string eager_version;
      const double t = cairn::to_epoch_seconds(start - std::chrono::minutes(1));
      events.push_back(
          materialization("seed", source_key(i), partition, {}, t, "", source_version));
      events.push_back(materialization("seed", eager_key(i), partition,
                                       {{source_key(i), partition, source_version}}, t, "",
                                       eager_version));
    }
  }
  storage.append_events(events);
  events.clear();

  NoLaunches no_launches;
  {
    cairn::FakeClock clock(start);
    cairn::Daemon daemon(storage, graph, clock, {.owner = "bench"}, no_launches);
    auto t0 = SteadyClock::now();
    cairn::DaemonIteration first = daemon.run_once(start);
    const double first_ms = ms_since(t0);
    std::size_t automation_runs = 0;
    for (const auto& tick : first.ticks) {
      if (tick.kind == cairn::InstigatorKind::kAutomation) automation_runs += tick.run_ids.size();
    }
    if (automation_runs != 0) {
      std::fprintf(stderr, "the seeded assets are not fresh: %zu automation runs requested\n",
                   automation_runs);
      return 1;
    }
    std::printf(
        "{\"bench\": \"daemon\", \"case\": \"first_iteration\", \"sensors\": %d, "
        "\"eager_assets\": %d, \"ticks\": %zu, \"ms\": %.2f}\n",
        sensors, assets, first.ticks.size(), first_ms);

    // (a) Nothing due: sensors evaluated under 30 s ago, no new event, automation under 1 min.
    std::vector<double> idle;
    for (int k = 1; k <= iterations; ++k) {
      auto t = SteadyClock::now();
      cairn::DaemonIteration it = daemon.run_once(start + std::chrono::milliseconds(k * 1000));
      idle.push_back(ms_since(t));
      if (!it.ticks.empty()) std::fprintf(stderr, "unexpected ticks while nothing was due\n");
    }
    print("nothing_due", sensors, assets, idle);

    // (b) Every sensor due, each skipping; every other iteration (a minute passed) also
    // re-evaluates the automation conditions, reported apart.
    std::vector<double> sensors_only;
    std::vector<double> with_automation;
    TimePoint now = start + std::chrono::milliseconds(iterations * 1000);
    for (int k = 1; k <= 2 * iterations; ++k) {
      now += std::chrono::seconds(30);
      auto t = SteadyClock::now();
      cairn::DaemonIteration it = daemon.run_once(now);
      (has_automation_tick(it) ? with_automation : sensors_only).push_back(ms_since(t));
    }
    print("all_sensors_due_skip", sensors, assets, sensors_only);
    print("all_sensors_due_skip_and_automation", sensors, assets, with_automation);

    // A new upstream materialization: run_once's own time to queue the eager asset's run.
    std::vector<double> react;
    add_run(storage, "writer");
    for (int k = 0; k < iterations; ++k) {
      std::string version;
      std::vector<cairn::Event> one{materialization("writer", source_key(k), last_partition, {},
                                                    cairn::to_epoch_seconds(now),
                                                    "new-" + std::to_string(k), version)};
      storage.append_events(one);
      now += std::chrono::milliseconds(200);
      auto t = SteadyClock::now();
      cairn::DaemonIteration it = daemon.run_once(now);
      react.push_back(ms_since(t));
      if (it.created_run_ids.size() != 1 || !queued_for(storage, step_key(eager_key(k)))) {
        std::fprintf(stderr, "the new materialization of %s queued %zu runs\n",
                     source_key(k).c_str(), it.created_run_ids.size());
        return 1;
      }
    }
    print("new_materialization_run_once", sensors, assets, react);
  }

  // End to end: Daemon::run on a thread with the real clock; another Instance on the same home
  // (as another process would) appends the materialization and polls for the queued run.
  {
    cairn::SystemClock clock;
    cairn::Daemon daemon(storage, graph, clock, {.owner = "bench-run"}, no_launches);
    std::atomic<bool> stop{false};
    std::thread loop([&] { daemon.run(stop); });
    auto writer = cairn::Instance::open(home);
    add_run(writer->storage(), "writer-e2e");
    // Let the first iteration (every sensor due once) finish.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::vector<double> latency;
    const int rounds = std::min(iterations, 10);
    for (int k = 0; k < rounds; ++k) {
      const int i = iterations + k;
      std::string version;
      std::vector<cairn::Event> one{
          materialization("writer-e2e", source_key(i), last_partition, {},
                          cairn::to_epoch_seconds(std::chrono::system_clock::now()),
                          "e2e-" + std::to_string(k), version)};
      auto t = SteadyClock::now();
      writer->storage().append_events(one);
      while (!queued_for(writer->storage(), step_key(eager_key(i)))) {
        if (ms_since(t) > 10'000) {
          std::fprintf(stderr, "no run queued for %s after 10 s\n", eager_key(i).c_str());
          stop.store(true);
          loop.join();
          return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      latency.push_back(ms_since(t));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // vary the poll phase
    }
    stop.store(true);
    loop.join();
    print("new_materialization_to_queued_run_end_to_end", sensors, assets, latency);
  }
  return 0;
}
