#include "chicago_data.hpp"

#include <cairn/error.hpp>
#include <cairn/ml/csv.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace demand_forecast {

namespace {

using cairn::ml::Column;
using cairn::ml::DataType;
using cairn::ml::Table;

// The file's columns we read, each forced to float64 so that a column of whole numbers in a
// future extract does not change the table's types.
Table read_columns(const std::string& path, const std::vector<std::string>& numeric) {
  cairn::ml::CsvOptions options;
  options.schema.emplace("date", DataType::kTimestamp);
  for (const auto& name : numeric) options.schema.emplace(name, DataType::kFloat64);
  std::vector<std::string> columns{"date"};
  columns.insert(columns.end(), numeric.begin(), numeric.end());
  return cairn::ml::read_csv(path, options).select(columns);
}

}  // namespace

std::string data_file() {
  const char* path = std::getenv(kDataFileVariable);
  if (path != nullptr && *path != '\0') return path;
  return DEMAND_FORECAST_DATA_FILE;
}

std::string file_version(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw cairn::Error("cannot read the Chicago data file '" + path + "'; set $" +
                       kDataFileVariable + " to a copy of data/chicago.csv");
  }
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (auto it = std::istreambuf_iterator<char>(in); it != std::istreambuf_iterator<char>(); ++it) {
    hash = (hash ^ static_cast<unsigned char>(*it)) * 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

const std::vector<std::string>& weather_columns() {
  static const std::vector<std::string> columns{
      "temp_min",      "temp",          "temp_max",       "temp_change",  "dew",
      "humidity",      "pressure",      "wind",           "wind_max",     "percip",
      "gust",          "gust_max",      "percip_max",     "weather_rain", "weather_snow",
      "weather_cloud", "weather_storm", "pressure_change"};
  return columns;
}

Table load_ridership(const std::string& path) {
  return read_columns(path, {"ridership"});
}

Table load_weather(const std::string& path) {
  return read_columns(path, weather_columns());
}

}  // namespace demand_forecast
