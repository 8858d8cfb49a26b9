// Must NOT compile: the upstream handle `raw_loans` was never defined.
#include <cairn/cairn.hpp>

auto features = cairn::asset<int>("features")
                    .compute([](cairn::Context&, const int& x) { return x; }, raw_loans);
