#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "cairn/ml/table.hpp"

namespace cairn::ml {

namespace {

bool is_integer_type(DataType t) {
  return t == DataType::kInt64 || t == DataType::kTimestamp;
}

std::string format_double(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}

}  // namespace

Column::Column(DataType type) : type_(type) {
  if (type_ == DataType::kString) string_offsets_.push_back(0);
}

Column Column::from_int64(std::vector<std::int64_t> values) {
  Column c(DataType::kInt64);
  c.size_ = values.size();
  c.ints_ = std::move(values);
  return c;
}

Column Column::from_float64(std::vector<double> values) {
  Column c(DataType::kFloat64);
  c.size_ = values.size();
  c.doubles_ = std::move(values);
  return c;
}

Column Column::from_bool(std::vector<bool> values) {
  Column c(DataType::kBool);
  c.size_ = values.size();
  c.bools_.assign(values.begin(), values.end());
  return c;
}

Column Column::from_timestamp(std::vector<Timestamp> values) {
  Column c(DataType::kTimestamp);
  c.size_ = values.size();
  c.ints_ = std::move(values);
  return c;
}

Column Column::from_strings(const std::vector<std::string>& values) {
  Column c(DataType::kString);
  std::size_t bytes = 0;
  for (const auto& v : values) bytes += v.size();
  c.reserve(values.size());
  c.string_data_.reserve(bytes);
  for (const auto& v : values) c.append_string(v);
  return c;
}

std::size_t Column::null_count() const {
  return static_cast<std::size_t>(std::count(validity_.begin(), validity_.end(), 0));
}

void Column::require(DataType t, std::string_view what) const {
  if (type_ == t) return;
  throw TableError(std::string(what) + " needs a " + std::string(to_string(t)) +
                   " column, but this column is " + std::string(to_string(type_)) +
                   "; convert the column or use the accessor for its type");
}

std::span<const std::int64_t> Column::int64_values() const {
  if (type_ != DataType::kTimestamp) require(DataType::kInt64, "int64_values()");
  return ints_;
}

std::span<const double> Column::float64_values() const {
  require(DataType::kFloat64, "float64_values()");
  return doubles_;
}

std::span<const std::uint8_t> Column::bool_values() const {
  require(DataType::kBool, "bool_values()");
  return bools_;
}

std::string_view Column::string_at(std::size_t row) const {
  require(DataType::kString, "string_at()");
  return std::string_view(string_data_)
      .substr(string_offsets_[row], string_offsets_[row + 1] - string_offsets_[row]);
}

double Column::number_at(std::size_t row) const {
  if (type_ == DataType::kString) {
    throw TableError(
        "number_at() cannot read a string column as a number; use string_at() or "
        "encode the column first");
  }
  if (is_null(row)) return std::numeric_limits<double>::quiet_NaN();
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      return static_cast<double>(ints_[row]);
    case DataType::kFloat64:
      return doubles_[row];
    case DataType::kBool:
      return bools_[row] ? 1.0 : 0.0;
    case DataType::kString:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Column::text_at(std::size_t row) const {
  if (is_null(row)) return "";
  switch (type_) {
    case DataType::kInt64:
      return std::to_string(ints_[row]);
    case DataType::kFloat64:
      return format_double(doubles_[row]);
    case DataType::kBool:
      return bools_[row] ? "true" : "false";
    case DataType::kTimestamp:
      return format_timestamp(ints_[row]);
    case DataType::kString:
      return std::string(string_at(row));
  }
  return "";
}

void Column::reserve(std::size_t rows) {
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      ints_.reserve(rows);
      break;
    case DataType::kFloat64:
      doubles_.reserve(rows);
      break;
    case DataType::kBool:
      bools_.reserve(rows);
      break;
    case DataType::kString:
      string_offsets_.reserve(rows + 1);
      break;
  }
  if (!validity_.empty()) validity_.reserve(rows);
}

void Column::mark_valid() {
  if (!validity_.empty()) validity_.push_back(1);
  ++size_;
}

void Column::append_int64(std::int64_t v) {
  require(DataType::kInt64, "append_int64()");
  ints_.push_back(v);
  mark_valid();
}

void Column::append_float64(double v) {
  require(DataType::kFloat64, "append_float64()");
  doubles_.push_back(v);
  mark_valid();
}

void Column::append_bool(bool v) {
  require(DataType::kBool, "append_bool()");
  bools_.push_back(v ? 1 : 0);
  mark_valid();
}

void Column::append_timestamp(Timestamp v) {
  require(DataType::kTimestamp, "append_timestamp()");
  ints_.push_back(v);
  mark_valid();
}

void Column::append_string(std::string_view v) {
  require(DataType::kString, "append_string()");
  string_data_.append(v);
  string_offsets_.push_back(string_data_.size());
  mark_valid();
}

void Column::append_null() {
  // The validity bytes are materialized on the first null so that columns without nulls (most
  // of them) never pay for them.
  if (validity_.empty()) validity_.assign(size_, 1);
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      ints_.push_back(0);
      break;
    case DataType::kFloat64:
      doubles_.push_back(0.0);
      break;
    case DataType::kBool:
      bools_.push_back(0);
      break;
    case DataType::kString:
      string_offsets_.push_back(string_data_.size());
      break;
  }
  validity_.push_back(0);
  ++size_;
}

void Column::append_from(const Column& other, std::size_t row) {
  if (other.type_ != type_) {
    throw TableError("cannot append a " + std::string(to_string(other.type_)) + " cell to a " +
                     std::string(to_string(type_)) + " column; the columns must have one type");
  }
  if (row >= other.size_) {
    throw TableError("row " + std::to_string(row) + " is out of range for a column of " +
                     std::to_string(other.size_) + " rows");
  }
  if (other.is_null(row)) {
    append_null();
    return;
  }
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      ints_.push_back(other.ints_[row]);
      break;
    case DataType::kFloat64:
      doubles_.push_back(other.doubles_[row]);
      break;
    case DataType::kBool:
      bools_.push_back(other.bools_[row]);
      break;
    case DataType::kString:
      string_data_.append(other.string_at(row));
      string_offsets_.push_back(string_data_.size());
      break;
  }
  mark_valid();
}

Column Column::take(std::span<const std::size_t> rows) const {
  Column out(type_);
  out.reserve(rows.size());
  if (type_ == DataType::kString) {
    std::size_t bytes = 0;
    for (std::size_t r : rows) {
      if (r < size_) bytes += string_offsets_[r + 1] - string_offsets_[r];
    }
    out.string_data_.reserve(bytes);
  }
  for (std::size_t r : rows) out.append_from(*this, r);
  return out;
}

Column Column::from_buffers(DataType type, std::size_t rows, std::vector<std::int64_t> ints,
                            std::vector<double> doubles, std::vector<std::uint8_t> bools,
                            std::vector<std::uint64_t> string_offsets, std::string string_data,
                            std::vector<std::uint8_t> validity) {
  auto fail = [&](const std::string& why) {
    throw TableError("cannot build a " + std::string(to_string(type)) + " column of " +
                     std::to_string(rows) + " rows from buffers: " + why);
  };
  auto expect_size = [&](std::size_t actual, std::size_t expected, const char* name) {
    if (actual != expected) {
      fail(std::string(name) + " has " + std::to_string(actual) + " entries, expected " +
           std::to_string(expected));
    }
  };
  std::size_t n_ints = is_integer_type(type) ? rows : 0;
  std::size_t n_doubles = type == DataType::kFloat64 ? rows : 0;
  std::size_t n_bools = type == DataType::kBool ? rows : 0;
  std::size_t n_offsets = type == DataType::kString ? rows + 1 : 0;
  expect_size(ints.size(), n_ints, "the integer buffer");
  expect_size(doubles.size(), n_doubles, "the float buffer");
  expect_size(bools.size(), n_bools, "the bool buffer");
  expect_size(string_offsets.size(), n_offsets, "the string offsets");
  if (type != DataType::kString && !string_data.empty())
    fail("string bytes on a non-string column");
  if (!validity.empty()) expect_size(validity.size(), rows, "the validity bytes");
  if (std::any_of(bools.begin(), bools.end(), [](std::uint8_t b) { return b > 1; })) {
    fail("a bool value is neither 0 nor 1");
  }
  if (std::any_of(validity.begin(), validity.end(), [](std::uint8_t b) { return b > 1; })) {
    fail("a validity byte is neither 0 nor 1");
  }
  if (type == DataType::kString) {
    if (string_offsets.front() != 0) fail("the first string offset is not 0");
    if (!std::is_sorted(string_offsets.begin(), string_offsets.end())) {
      fail("the string offsets decrease");
    }
    if (string_offsets.back() != string_data.size()) {
      fail("the last string offset " + std::to_string(string_offsets.back()) +
           " does not match the " + std::to_string(string_data.size()) + " string bytes");
    }
  }
  Column c(type);
  c.size_ = rows;
  c.ints_ = std::move(ints);
  c.doubles_ = std::move(doubles);
  c.bools_ = std::move(bools);
  if (type == DataType::kString) c.string_offsets_ = std::move(string_offsets);
  c.string_data_ = std::move(string_data);
  c.validity_ = std::move(validity);
  return c;
}

bool operator==(const Column& a, const Column& b) {
  if (a.type_ != b.type_ || a.size_ != b.size_) return false;
  for (std::size_t i = 0; i < a.size_; ++i) {
    bool null_a = a.is_null(i);
    if (null_a != b.is_null(i)) return false;
    if (null_a) continue;
    switch (a.type_) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        if (a.ints_[i] != b.ints_[i]) return false;
        break;
      case DataType::kFloat64: {
        double x = a.doubles_[i];
        double y = b.doubles_[i];
        if (x != y && !(std::isnan(x) && std::isnan(y))) return false;
        break;
      }
      case DataType::kBool:
        if (a.bools_[i] != b.bools_[i]) return false;
        break;
      case DataType::kString:
        if (a.string_at(i) != b.string_at(i)) return false;
        break;
    }
  }
  return true;
}

}  // namespace cairn::ml
