// Must NOT compile: an asset<double> whose compute function returns a std::string.
#include <cairn/cairn.hpp>

auto ratio = cairn::asset<double>("ratio").compute(
    [](cairn::Context&) { return std::string("not a number"); });
