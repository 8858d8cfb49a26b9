// The example of README.md, verbatim, so that the README cannot drift from what compiles.
#include <cairn/cairn.hpp>
#include <numeric>

auto numbers = cairn::asset<std::vector<double>>("numbers")
                   .group("ingest")
                   .describe("Measurements")
                   .compute([](cairn::Context& ctx) {
                     ctx.log_info("loading");
                     return std::vector<double>{3, 1, 4, 1, 5};
                   });

auto mean = cairn::asset<double>("stats/mean")
                .retry({.max_attempts = 3, .delay = std::chrono::seconds(1)})
                .compute(
                    [](cairn::Context& ctx, const std::vector<double>& xs) {
                      double m = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
                      ctx.add_metadata("mean", m);
                      return m;
                    },
                    numbers);

int main(int argc, char** argv) {
  return cairn::run_cli({.assets = {numbers, mean}}, argc, argv);
}
