// Must NOT compile: two upstream handles, but the compute function takes one value.
#include <cairn/cairn.hpp>

auto a = cairn::asset<int>("a").compute([](cairn::Context&) { return 1; });
auto b = cairn::asset<int>("b").compute([](cairn::Context&) { return 2; });
auto sum = cairn::asset<int>("sum").compute([](cairn::Context&, const int& x) { return x; }, a, b);
