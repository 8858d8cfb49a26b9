#include <cairn/cairn.hpp>

int main(int argc, char** argv) {
  auto greeting = cairn::asset<std::string>("greeting").compute([](cairn::Context&) {
    return std::string("hello from an installed cairn");
  });
  auto length = cairn::asset<std::int64_t>("length").compute(
      [](cairn::Context&, const std::string& g) { return static_cast<std::int64_t>(g.size()); },
      greeting);
  cairn::Definitions defs{.assets = {greeting, length}};
  return cairn::run_cli(defs, argc, argv);
}
