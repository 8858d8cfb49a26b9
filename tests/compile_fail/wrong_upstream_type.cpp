// Must NOT compile: the compute function takes a std::string, the upstream handle yields an int.
#include <cairn/cairn.hpp>

auto count = cairn::asset<int>("count").compute([](cairn::Context&) { return 3; });
auto label = cairn::asset<std::string>("label").compute(
    [](cairn::Context&, const std::string& s) { return s; }, count);
