#pragma once
/// @file csv.hpp
/// Reading and writing tables as CSV (RFC 4180).
///
/// @code
///   using namespace cairn::ml;
///   Table flights = read_csv("flights.csv");            // types inferred
///   CsvOptions options;
///   options.schema = {{"zip", DataType::kString}};      // keep leading zeros
///   options.null_tokens = {"NA"};
///   std::vector<CsvReject> rejects;
///   options.rejects = &rejects;                         // skip malformed rows, list them
///   Table loans = read_csv("loans.csv", options);
///   write_csv(loans, "clean.csv");
/// @endcode
///
/// Reading: the first row is the header (names must be unique). Fields may be quoted with `"`
/// (a quote inside is written `""`), and quoted fields may hold separators and line breaks;
/// rows end with LF or CRLF. An unquoted empty cell, or a cell equal to one of
/// CsvOptions::null_tokens, is null; a quoted empty cell `""` is the empty string in a string
/// column and null in any other. Cells are not trimmed. Blank lines are skipped, except in a
/// one-column file where a blank line is a null cell. A UTF-8 byte order mark is skipped.
///
/// Types: a column named in CsvOptions::schema has that type; every other column gets the
/// first of int64, float64, timestamp, bool that parses every non-null cell, else string
/// (a column with no value at all is string). int64 and float64 are decimal (a leading '+' is
/// accepted; float64 also takes exponents, "inf" and "nan"); timestamps are what
/// parse_timestamp() accepts; bools are true/false, True/False or TRUE/FALSE (and 1/0 when the
/// schema says bool).
///
/// Malformed rows — a field count that differs from the header's, a quoted field that is never
/// closed, text after a closing quote, a cell that does not parse as the schema's type — throw
/// CsvError naming the file, the line (1-based, the physical line where the row starts) and the
/// column. When CsvOptions::rejects is set they are skipped and listed there instead.
///
/// Large inputs are parsed on several threads (CsvOptions::threads) from a memory-mapped file;
/// the result does not depend on the number of threads.

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cairn/error.hpp"
#include "cairn/ml/table.hpp"

namespace cairn::ml {

/// A CSV input cannot be read: a missing or empty file, a bad header, a malformed row.
class CsvError : public Error {
 public:
  /// `line` is 0 when the problem is not on one line (missing file); `column` may be empty.
  CsvError(const std::string& message, std::string file, std::size_t line, std::string column)
      : Error(message), file_(std::move(file)), line_(line), column_(std::move(column)) {}
  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& column() const { return column_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string column_;
};

/// A malformed row that was skipped.
struct CsvReject {
  std::size_t line = 0;  ///< 1-based physical line where the row starts
  std::string text;      ///< the row as it is in the input, without its line break
  std::string reason;    ///< what is wrong, naming the column where there is one
};

struct CsvOptions {
  /// The field separator. Default ','.
  char separator = ',';
  /// False when the input has no header row; the columns are then named column_1, column_2...
  bool header = true;
  /// Cells that mean null besides the empty cell, e.g. {"NA", "NULL"}. Default none.
  std::vector<std::string> null_tokens;
  /// Column name → type for the columns whose type is not to be inferred. Every name must be
  /// in the header.
  std::map<std::string, DataType, std::less<>> schema;
  /// When set, malformed rows are skipped and appended here instead of throwing CsvError.
  std::vector<CsvReject>* rejects = nullptr;
  /// Threads that parse (at most 64); 0 picks one per core, up to 8, for inputs of at least
  /// 4 MB per thread (smaller ones use one).
  unsigned threads = 0;
};

/// Reads a CSV file. Throws CsvError (see above) and never returns a partial table.
Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});
/// Reads CSV text; errors name the input "<string>".
Table read_csv_string(std::string_view text, const CsvOptions& options = {});

/// The schema that reads a written table back with exactly its column types:
/// @code
///   write_csv(t, path);
///   CsvOptions options;
///   options.schema = csv_schema(t);
///   assert(read_csv(path, options) == t);
/// @endcode
std::map<std::string, DataType, std::less<>> csv_schema(const Table& table);

struct CsvWriteOptions {
  /// The field separator. Default ','.
  char separator = ',';
};

/// Writes `table` with a header row and LF line ends. Nulls are empty cells; an empty string is
/// written `""`; a cell is quoted only when it holds the separator, a quote or a line break;
/// floats are the shortest text that reads back to the same double (with ".0" when integral,
/// so they read back as float64), timestamps are ISO 8601 in UTC, bools true/false.
///
/// Read back with read_csv(), the values are the same; the types too, except for string
/// columns whose every value reads as another type and columns with no value, which
/// `csv_schema(table)` keeps. The file is replaced atomically (temporary file + rename); throws
/// CsvError when it cannot be written.
void write_csv(const Table& table, const std::filesystem::path& path,
               const CsvWriteOptions& options = {});
void write_csv(const Table& table, std::ostream& out, const CsvWriteOptions& options = {});

}  // namespace cairn::ml
