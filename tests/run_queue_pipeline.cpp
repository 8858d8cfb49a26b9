// A small partitioned pipeline binary for the run queue's process tests: the daemon's launcher
// starts it as `run_queue_pipeline --home H runs execute RUN_ID`.

#include <cairn/cairn.hpp>

int main(int argc, char** argv) {
  auto raw = cairn::asset<int>("raw")
                 .partitioned(cairn::daily("2000-01-01"))
                 .compute([](cairn::Context& ctx) {
                   return static_cast<int>(ctx.partition_key().size());
                 });
  auto clean = cairn::asset<int>("clean")
                   .partitioned(cairn::daily("2000-01-01"))
                   .compute([](cairn::Context&, const int& r) { return r + 1; }, raw);
  cairn::Definitions defs{.assets = {raw, clean}};
  return cairn::run_cli(defs, argc, argv);
}
