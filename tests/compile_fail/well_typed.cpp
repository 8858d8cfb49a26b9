// Must compile: the control case, so that the failures above fail for the reason they claim.
#include <cairn/cairn.hpp>

auto count = cairn::asset<int>("count").compute([](cairn::Context&) { return 3; });
auto label = cairn::asset<std::string>("label").compute(
    [](cairn::Context&, const int& n) { return std::string(static_cast<std::size_t>(n), 'x'); },
    count);
