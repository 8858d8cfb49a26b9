// Enqueuing a backfill: the keys of a daily range (PartitionsDefinition::range) and the one
// transaction writing the backfill, its partition rows and one QUEUED run per partition
// (create_backfill), into a real SQLite instance. Prints one JSON line; the target is
// under 1 s for 10 000 partitions.
//
//   cairn_backfill_bench [--partitions 10000] [--per-run 1] --home DIR

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "automation/backfill.hpp"
#include "cairn/partitions.hpp"
#include "storage/instance.hpp"

namespace {

using SteadyClock = std::chrono::steady_clock;

double ms_since(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  int partitions = 10000;
  int per_run = 1;
  std::string home = "/tmp/cairn-backfill-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--partitions") == 0) partitions = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--per-run") == 0) per_run = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--home") == 0) home = argv[i + 1];
  }
  std::filesystem::remove_all(home);
  auto instance = cairn::Instance::open(home);

  const cairn::PartitionsDefinition days = cairn::daily("1970-01-01");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string first = "1970-01-01";
  const std::string last = *days.shift(first, partitions - 1);

  auto started = SteadyClock::now();
  cairn::BackfillRequest request;
  request.selection = "raw*";
  request.partition_keys = days.range(first, last, now);
  request.max_partitions_per_run = per_run;
  const double range_ms = ms_since(started);

  std::mt19937_64 rng(42);
  auto new_id = [&rng] { return std::to_string(rng()); };
  started = SteadyClock::now();
  cairn::create_backfill(instance->storage().automation(), request, 0, new_id);
  const double enqueue_ms = ms_since(started);

  std::printf(
      "{\"bench\": \"backfill_enqueue\", \"partitions\": %zu, \"per_run\": %d, "
      "\"range_ms\": %.1f, \"enqueue_ms\": %.1f, \"total_ms\": %.1f}\n",
      request.partition_keys.size(), per_run, range_ms, enqueue_ms, range_ms + enqueue_ms);
  return 0;
}
