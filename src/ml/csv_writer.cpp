#include <algorithm>
#include <charconv>
#include <ostream>
#include <system_error>

#include "cairn/ml/csv.hpp"
#include "core/atomic_file.hpp"

namespace cairn::ml {

namespace {

// Rows are formatted into a buffer that is handed to the stream in blocks of about this size.
constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

void append_text(std::string& out, std::string_view text, char separator) {
  bool needs_quotes = text.empty();  // "" is the empty string; an empty cell is null
  for (char ch : text) {
    if (ch == separator || ch == '"' || ch == '\n' || ch == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out.append(text);
    return;
  }
  out.push_back('"');
  for (char ch : text) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

void append_cell(std::string& out, const Column& column, std::size_t row, char separator) {
  if (column.is_null(row)) return;
  char buf[32];
  switch (column.type()) {
    case DataType::kInt64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), column.int64_values()[row]);
      out.append(buf, end);
      break;
    }
    case DataType::kFloat64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), column.float64_values()[row]);
      out.append(buf, end);
      // "2" would read back as an int64; "2.0" keeps the column float64.
      if (std::all_of(buf, end, [](char ch) { return ch == '-' || (ch >= '0' && ch <= '9'); })) {
        out.append(".0");
      }
      break;
    }
    case DataType::kBool:
      out.append(column.bool_values()[row] ? "true" : "false");
      break;
    case DataType::kTimestamp:
      out.append(format_timestamp(column.int64_values()[row]));
      break;
    case DataType::kString:
      append_text(out, column.string_at(row), separator);
      break;
  }
}

}  // namespace

void write_csv(const Table& table, std::ostream& out, const CsvWriteOptions& options) {
  if (options.separator == '"' || options.separator == '\n' || options.separator == '\r') {
    throw CsvError("CsvWriteOptions::separator cannot be a quote or a line break", "", 0, "");
  }
  std::string buffer;
  buffer.reserve(kFlushBytes + 4096);
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    if (c > 0) buffer.push_back(options.separator);
    append_text(buffer, table.column_name(c), options.separator);
  }
  buffer.push_back('\n');
  for (std::size_t row = 0; row < table.num_rows(); ++row) {
    for (std::size_t c = 0; c < table.num_columns(); ++c) {
      if (c > 0) buffer.push_back(options.separator);
      append_cell(buffer, table.column(c), row, options.separator);
    }
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.flush();
  if (!out) throw CsvError("cannot write CSV: the output stream failed", "", 0, "");
}

void write_csv(const Table& table, const std::filesystem::path& path,
               const CsvWriteOptions& options) {
  std::error_code error;
  try {
    error = write_file_atomically(path, [&](std::ostream& out) { write_csv(table, out, options); });
  } catch (const CsvError&) {
    throw CsvError("cannot write '" + path.string() + "' (disk full?)", path.string(), 0, "");
  }
  if (error) {
    throw CsvError("cannot write '" + path.string() + "': " + error.message() +
                       "; check that the directory exists and is writable",
                   path.string(), 0, "");
  }
}

}  // namespace cairn::ml
