#pragma once
// The Chicago ridership data (data/chicago.csv, see data/PROVENANCE.md): where the file is, a
// version of its content for observations, and the two input tables the pipeline reads from it.

#include <cairn/ml/table.hpp>

#include <string>
#include <vector>

namespace demand_forecast {

/// The environment variable that points the pipeline at another copy of the data.
inline constexpr const char* kDataFileVariable = "DEMAND_FORECAST_DATA";

/// $DEMAND_FORECAST_DATA when it is set, else the committed data/chicago.csv of the source tree
/// this binary was built from.
std::string data_file();

/// A version of the file's content (64-bit FNV-1a of its bytes, as 16 hex digits): the same
/// bytes give the same version on every machine. Throws cairn::Error naming the file and the
/// variable to set if it cannot be read.
std::string file_version(const std::string& path);

/// The weather columns the pipeline uses, in the order the weather table has them.
const std::vector<std::string>& weather_columns();

/// `date` (timestamp) and `ridership` (float64, thousands of entries at Clark/Lake).
cairn::ml::Table load_ridership(const std::string& path);

/// `date` (timestamp) and weather_columns() (float64).
cairn::ml::Table load_weather(const std::string& path);

}  // namespace demand_forecast
