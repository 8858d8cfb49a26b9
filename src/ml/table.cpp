#include "cairn/ml/table.hpp"

#include <algorithm>
#include <numeric>

#include "core/suggest.hpp"

namespace cairn::ml {

// Columns are found by a linear scan of their names: tables have tens of columns, where a scan
// of short strings is as fast as hashing, and a map would have to be kept in step by every
// operation that builds a table.
std::optional<std::size_t> Table::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return std::nullopt;
}

bool Table::has_column(std::string_view name) const {
  return find_column(name).has_value();
}

std::size_t Table::column_index(std::string_view name) const {
  if (auto index = find_column(name)) return *index;
  std::string known;
  for (const auto& n : names_) known += (known.empty() ? "" : ", ") + n;
  throw TableError("unknown column '" + std::string(name) + "'" + did_you_mean(name, names_) +
                   "; the table has " +
                   (names_.empty() ? std::string("no columns") : "columns: " + known));
}

const Column& Table::column(std::string_view name) const {
  return columns_[column_index(name)];
}

void Table::add_column(std::string name, Column column) {
  if (has_column(name)) {
    throw TableError("the table already has a column '" + name +
                     "'; use set_column to replace it or choose another name");
  }
  if (!columns_.empty() && column.size() != num_rows_) {
    throw TableError("column '" + name + "' has " + std::to_string(column.size()) +
                     " rows but the table has " + std::to_string(num_rows_) +
                     "; every column must have one value per row");
  }
  num_rows_ = column.size();
  names_.push_back(std::move(name));
  columns_.push_back(std::move(column));
}

void Table::set_column(std::string name, Column column) {
  auto index = find_column(name);
  if (!index) {
    add_column(std::move(name), std::move(column));
    return;
  }
  if (columns_.size() > 1 && column.size() != num_rows_) {
    throw TableError("column '" + name + "' has " + std::to_string(column.size()) +
                     " rows but the table has " + std::to_string(num_rows_) +
                     "; every column must have one value per row");
  }
  num_rows_ = column.size();
  columns_[*index] = std::move(column);
}

Table Table::select(const std::vector<std::string>& columns) const {
  Table out;
  for (const auto& name : columns) out.add_column(name, columns_[column_index(name)]);
  return out;
}

Table Table::drop(const std::vector<std::string>& columns) const {
  std::vector<bool> dropped(columns_.size(), false);
  for (const auto& name : columns) dropped[column_index(name)] = true;
  Table out;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (!dropped[i]) out.add_column(names_[i], columns_[i]);
  }
  return out;
}

Table Table::rename(std::string_view from, std::string_view to) const {
  std::size_t index = column_index(from);
  if (from != to && has_column(to)) {
    throw TableError("cannot rename '" + std::string(from) + "' to '" + std::string(to) +
                     "': the table already has a column '" + std::string(to) +
                     "'; drop it first or choose another name");
  }
  Table out = *this;
  out.names_[index] = std::string(to);
  return out;
}

Table Table::take(std::span<const std::size_t> rows) const {
  for (std::size_t r : rows) {
    if (r >= num_rows_) {
      throw TableError("take(): row " + std::to_string(r) + " is out of range for a table of " +
                       std::to_string(num_rows_) + " rows");
    }
  }
  Table out;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    out.add_column(names_[i], columns_[i].take(rows));
  }
  return out;
}

Table Table::head(std::size_t n) const {
  std::vector<std::size_t> rows(std::min(n, num_rows_));
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return take(rows);
}

bool operator==(const Table& a, const Table& b) {
  return a.num_rows_ == b.num_rows_ && a.names_ == b.names_ && a.columns_ == b.columns_;
}

bool Row::is_null(std::string_view column) const {
  return table_->column(column).is_null(index_);
}

double Row::number(std::string_view column) const {
  return table_->column(column).number_at(index_);
}

std::string_view Row::text(std::string_view column) const {
  return text(table_->column_index(column));
}

double Row::number(std::size_t column) const {
  return table_->column(column).number_at(index_);
}

std::string_view Row::text(std::size_t column) const {
  const Column& c = table_->column(column);
  if (c.type() != DataType::kString) {
    throw TableError("Row::text() reads string columns; column '" + table_->column_name(column) +
                     "' is " + std::string(to_string(c.type())) + ", read it with number()");
  }
  return c.is_null(index_) ? std::string_view() : c.string_at(index_);
}

}  // namespace cairn::ml
