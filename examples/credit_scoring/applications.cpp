#include "applications.hpp"

#include <cairn/error.hpp>
#include <cairn/ml/csv.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

namespace credit {

using cairn::ml::Column;
using cairn::ml::Table;

cairn::PartitionsDefinition replay_days() {
  return cairn::daily(kFirstDay, "UTC", {.end = kEndDay});
}

cairn::PartitionsDefinition new_days() {
  return cairn::daily(kFirstNewDay, "UTC", {.end = kEndDay});
}

std::string applications_csv_path() {
  if (const char* path = std::getenv("CREDIT_APPLICATIONS_CSV"); path != nullptr && *path) {
    return path;
  }
  return CREDIT_DEFAULT_CSV;
}

namespace {

Table with_application_ids(Table file) {
  if (file.has_column("application_id")) return file;
  std::vector<std::int64_t> ids(file.num_rows());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(i) + 1;
  Table out;
  out.add_column("application_id", Column::from_int64(std::move(ids)));
  for (std::size_t c = 0; c < file.num_columns(); ++c) {
    out.add_column(file.column_name(c), file.column(c));
  }
  return out;
}

struct CachedFile {
  std::uintmax_t size = 0;
  std::filesystem::file_time_type modified{};
  std::shared_ptr<const Table> table;
};

}  // namespace

std::shared_ptr<const Table> read_applications(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, CachedFile> cache;  // guarded by mutex
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const auto modified = std::filesystem::last_write_time(path, ec);
  std::lock_guard lock(mutex);
  auto it = cache.find(path);
  if (!ec && it != cache.end() && it->second.size == size && it->second.modified == modified) {
    return it->second.table;
  }
  auto table = std::make_shared<const Table>(with_application_ids(cairn::ml::read_csv(path)));
  if (!ec) cache[path] = CachedFile{size, modified, table};
  return table;
}

int day_index(std::string_view day_key) {
  using namespace std::chrono;
  auto parse = [](std::string_view text) -> std::optional<sys_days> {
    int y = 0;
    unsigned m = 0, d = 0;
    if (text.size() != 10 ||
        std::sscanf(std::string(text).c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) {
      return std::nullopt;
    }
    year_month_day ymd{year(y), month(m), day(d)};
    if (!ymd.ok()) return std::nullopt;
    return sys_days(ymd);
  };
  auto day = parse(day_key);
  const sys_days first = *parse(kFirstDay);
  const int index = day ? static_cast<int>((*day - first).count()) : -1;
  if (index < 0 || index >= kReplayDays) {
    throw cairn::Error("'" + std::string(day_key) + "' is not a replay day: the lending_club " +
                       "replay covers " + kFirstDay + " to 2016-03-31");
  }
  return index;
}

Table applications_of_day(const Table& all, std::string_view day_key) {
  const auto day = static_cast<std::size_t>(day_index(day_key));
  std::vector<std::size_t> rows;
  for (std::size_t i = day; i < all.num_rows(); i += kReplayDays) rows.push_back(i);
  return all.take(rows);
}

Table concat(const std::vector<const Table*>& tables) {
  if (tables.empty()) return Table();
  const Table& first = *tables.front();
  Table out;
  for (std::size_t c = 0; c < first.num_columns(); ++c) {
    Column column(first.column(c).type());
    for (const Table* t : tables) {
      if (t->num_columns() != first.num_columns()) {
        throw cairn::ml::TableError("concat: tables with " + std::to_string(first.num_columns()) +
                                    " and " + std::to_string(t->num_columns()) + " columns");
      }
      const Column& part = t->column(first.column_name(c));
      for (std::size_t r = 0; r < part.size(); ++r) column.append_from(part, r);
    }
    out.add_column(first.column_name(c), std::move(column));
  }
  return out;
}

}  // namespace credit
