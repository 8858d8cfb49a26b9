// Micro benchmarks (Google Benchmark) of the hot paths around a run: building and validating the
// graph, resolving a selection, and appending events to SQLite.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "cairn/cairn.hpp"
#include "graph/asset_graph.hpp"
#include "graph/selection.hpp"
#include "storage/sqlite_storage.hpp"

namespace {

cairn::Definitions chain(int n) {
  cairn::Definitions defs;
  auto prev = cairn::asset<int>("a0").compute([](cairn::Context&) { return 0; });
  defs.assets.push_back(prev);
  for (int i = 1; i < n; ++i) {
    prev = cairn::asset<int>("a" + std::to_string(i))
               .compute([](cairn::Context&, const int& x) { return x + 1; }, prev);
    defs.assets.push_back(prev);
  }
  return defs;
}

void BM_BuildGraph(benchmark::State& state) {
  auto defs = chain(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(cairn::AssetGraph::build(defs));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BuildGraph)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_ResolveUpstreamSelection(benchmark::State& state) {
  auto defs = chain(static_cast<int>(state.range(0)));
  auto graph = cairn::AssetGraph::build(defs);
  std::string expr = "*a" + std::to_string(state.range(0) - 1);
  for (auto _ : state) benchmark::DoNotOptimize(cairn::resolve_selection(graph, expr));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ResolveUpstreamSelection)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_AppendEvents(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("cairn-micro-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto storage = cairn::SqliteStorage::open(dir / "cairn.db");
  cairn::RunRecord run;
  run.run_id = "r";
  storage->add_run(run);
  std::vector<cairn::Event> batch(static_cast<std::size_t>(state.range(0)));
  for (auto& e : batch) {
    e.run_id = "r";
    e.type = cairn::EventType::kStepSuccess;
    e.step_key = "some/asset";
    e.asset_key = "some/asset";
    e.payload_json = R"({"attempt":1,"duration_ms":0.02})";
  }
  for (auto _ : state) storage->append_events(batch);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendEvents)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
