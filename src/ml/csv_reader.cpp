// The CSV reader. The input is one contiguous buffer (a memory-mapped file or the caller's
// string). After the header, the body is cut into chunks at line breaks and each chunk is
// parsed on its own thread into its own typed column builders (csv_column_builder.hpp); then
// the chunks are checked, their types unified, and their buffers concatenated into Columns.
//
// Cutting at a line break is a guess: the break may sit inside a quoted field. The guess is made
// at a break with an even number of quotes before it (right for well-formed input) and then
// verified: chunk k is kept only if it starts exactly where chunk k-1's last row ended (chunk
// k-1 reads past its nominal end to finish a row); otherwise it is parsed again from there. So
// the result never depends on the guess or on the number of threads. Rejected alternatives: a
// sequential pre-pass that finds every row start (reads the file twice), and parsing on one
// thread only (one core of several).

#include <algorithm>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "cairn/ml/csv.hpp"
#include "core/suggest.hpp"
#include "ml/csv_column_builder.hpp"
#include "ml/csv_tokenizer.hpp"
#include "ml/mapped_file.hpp"

namespace cairn::ml {

namespace {

using csv::AppendResult;
using csv::ColumnBuilder;
using csv::Field;
using csv::Kind;
using csv::NullTokens;
using csv::RowStatus;
using csv::RowTokenizer;

// Below this many body bytes per thread a thread would parse for only ~10 ms, not worth the
// copy that joins its columns to the first chunk's.
constexpr std::size_t kMinBytesPerThread = std::size_t{4} << 20;
constexpr unsigned kMaxThreads = 8;  // when chosen from the core count
constexpr unsigned kMaxRequestedThreads = 64;
// Rows parsed before the column buffers are sized for the whole chunk from the bytes per row.
constexpr std::size_t kRowsBeforeReserve = 1024;
constexpr std::size_t kMaxCellInMessage = 60;

// What every chunk reads and nothing writes.
struct Input {
  std::string name;
  const char* body = nullptr;  // the first byte after the header
  const char* end = nullptr;
  char separator = ',';
  std::vector<std::string> names;
  std::vector<std::optional<DataType>> given;
  std::vector<std::size_t> append_order;  // the schema's columns, then the inferred ones
  const std::vector<std::string>* null_tokens = nullptr;
  bool collect_rejects = false;
};

struct RejectedRow {
  const char* begin;
  const char* resume;  // where parsing went on
  std::size_t line;    // relative to the chunk
  std::string reason;
};

struct Problem {
  std::size_t line;  // relative to the chunk
  std::string column;
  std::string reason;
};

struct Chunk {
  const char* begin = nullptr;
  const char* limit = nullptr;  // rows that start before it belong to this chunk
  const char* end = nullptr;    // where the last row actually ended
  std::size_t lines = 0;        // physical lines in [begin, end)
  std::size_t rows = 0;
  std::vector<ColumnBuilder> columns;
  std::vector<RejectedRow> rejects;
  std::optional<Problem> error;  // the first malformed row, when rejects are not collected
  std::exception_ptr failure;    // anything else thrown while parsing on a thread
};

std::string quote_cell(std::string_view cell) {
  if (cell.size() > kMaxCellInMessage) {
    return "'" + std::string(cell.substr(0, kMaxCellInMessage)) + "...'";
  }
  return "'" + std::string(cell) + "'";
}

std::string row_text(const char* begin, const char* end) {
  while (end > begin && (end[-1] == '\n' || end[-1] == '\r')) --end;
  return std::string(begin, end);
}

bool is_line_end(char c) {
  return c == '\n' || c == '\r';
}

// Re-reads column `c` of the first `rows` accepted rows of `chunk` as strings: its type so far
// did not fit a later cell.
void reread_as_strings(const Input& in, Chunk& chunk, std::size_t c, std::size_t rows) {
  ColumnBuilder& column = chunk.columns[c];
  column.restart_as_string();
  NullTokens nulls(*in.null_tokens);
  RowTokenizer tokenizer(in.end, in.separator);
  const char* p = chunk.begin;
  std::size_t next_reject = 0;
  std::size_t lines = 0;
  for (std::size_t done = 0; done < rows;) {
    if (next_reject < chunk.rejects.size() && p == chunk.rejects[next_reject].begin) {
      p = chunk.rejects[next_reject++].resume;
      continue;
    }
    if (in.names.size() > 1 && is_line_end(*p)) {
      p = csv::skip_line_end(p, in.end);
      continue;
    }
    tokenizer.next_row(p, lines);
    column.append(tokenizer.fields()[c], nulls);
    ++done;
  }
}

// Sizes the column buffers from the bytes per row seen so far. The first chunk's buffers become
// the table's (the other chunks are appended to them), so they are sized for the whole body.
void reserve_for_chunk(const Input& in, Chunk& chunk, const char* parsed_to) {
  auto parsed = static_cast<double>(parsed_to - chunk.begin);
  const char* until = chunk.begin == in.body ? in.end : chunk.limit;
  auto total = static_cast<double>(until - chunk.begin);
  if (parsed <= 0) return;
  // 10% headroom: untouched capacity costs address space, not memory.
  double scale = total / parsed * 1.1;
  auto rows = static_cast<std::size_t>(static_cast<double>(chunk.rows) * scale) + 16;
  for (auto& column : chunk.columns) {
    column.reserve(
        rows, static_cast<std::size_t>(static_cast<double>(column.string_bytes()) * scale) + 64);
  }
}

// Appends a row whose field count is right, schema columns first: a cell that does not fit its
// schema type rejects the row before any inferred column has seen it (and could have changed
// its type). Returns the rejecting column, or npos.
std::size_t append_row(const Input& in, Chunk& chunk, std::span<const Field> fields,
                       const NullTokens& nulls) {
  const std::size_t* order = in.append_order.data();
  const std::size_t num_columns = in.append_order.size();
  ColumnBuilder* columns = chunk.columns.data();
  const Field* cells = fields.data();
  for (std::size_t i = 0; i < num_columns; ++i) {
    std::size_t c = order[i];
    AppendResult result = columns[c].append(cells[c], nulls);
    if (result == AppendResult::kOk) [[likely]] {
      continue;
    }
    if (result == AppendResult::kMismatch) {
      for (std::size_t k = 0; k < i; ++k) columns[order[k]].truncate(chunk.rows);
      return c;
    }
    reread_as_strings(in, chunk, c, chunk.rows);
    columns[c].append(cells[c], nulls);
  }
  return std::string::npos;
}

struct RowOutcome {
  std::string column;
  std::string reason;  // empty when the row was appended
  std::size_t lines = 1;
};

// A row the fast path did not take: quoted fields, a wrong field count or a cell that does not
// fit the schema. `p` is at the row's start and is moved past it.
RowOutcome parse_row_slowly(const Input& in, Chunk& chunk, RowTokenizer& tokenizer,
                            const NullTokens& nulls, const char*& p) {
  const std::size_t num_columns = in.names.size();
  const char* row_begin = p;
  RowOutcome out;
  RowStatus status = tokenizer.next_row(p, out.lines);
  std::span<const Field> fields = tokenizer.fields();
  auto field_name = [&](std::size_t f) {
    return f < num_columns ? "column '" + in.names[f] + "'"
                           : "field " + std::to_string(f + 1) + " (past the header's " +
                                 std::to_string(num_columns) + " columns)";
  };
  if (status == RowStatus::kUnterminatedQuote) {
    std::size_t f = tokenizer.bad_field();
    if (f < num_columns) out.column = in.names[f];
    out.reason = field_name(f) +
                 ": the quoted field that starts on this line is never closed; end it with '\"' "
                 "(a quote inside a quoted field is written \"\")";
    // Everything after the opening quote is unreadable; skip only this physical line.
    p = row_begin;
    while (p < in.end && !is_line_end(*p)) ++p;
    if (p < in.end) p = csv::skip_line_end(p, in.end);
    out.lines = 1;
  } else if (status == RowStatus::kTextAfterQuote) {
    std::size_t f = tokenizer.bad_field();
    if (f < num_columns) out.column = in.names[f];
    out.reason = field_name(f) +
                 ": text follows the closing quote of a quoted field; quote the whole field and "
                 "write a quote inside it as \"\"";
  } else if (fields.size() != num_columns) {
    out.reason = "expected " + std::to_string(num_columns) + " fields as in the header, found " +
                 std::to_string(fields.size()) + "; quote fields that contain the separator";
  } else if (std::size_t c = append_row(in, chunk, fields, nulls); c != std::string::npos) {
    out.column = in.names[c];
    out.reason = field_name(c) + ": " + quote_cell(fields[c].text) + " is not a " +
                 std::string(to_string(*in.given[c])) +
                 " (CsvOptions::schema gives the column that type)";
  }
  return out;
}

void parse_chunk(const Input& in, Chunk& chunk) {
  const std::size_t num_columns = in.names.size();
  chunk.columns.clear();
  chunk.rejects.clear();
  chunk.rows = 0;
  for (const auto& given : in.given) chunk.columns.emplace_back(given);
  NullTokens nulls(*in.null_tokens);
  RowTokenizer tokenizer(in.end, in.separator);
  const char* p = chunk.begin;
  std::size_t line = 0;
  bool reserved = false;
  while (p < in.end && p < chunk.limit) {
    if (num_columns > 1 && is_line_end(*p)) {
      p = csv::skip_line_end(p, in.end);
      ++line;
      continue;
    }
    const char* row_begin = p;
    // The fast path: no quoted field, the header's field count, every cell fits.
    if (tokenizer.next_plain_row(p) && tokenizer.fields().size() == num_columns &&
        append_row(in, chunk, tokenizer.fields(), nulls) == std::string::npos) [[likely]] {
      ++line;
    } else {
      p = row_begin;
      RowOutcome row = parse_row_slowly(in, chunk, tokenizer, nulls, p);
      if (!row.reason.empty()) {
        if (!in.collect_rejects) {
          chunk.error = Problem{line, std::move(row.column), std::move(row.reason)};
          break;
        }
        chunk.rejects.push_back(RejectedRow{row_begin, p, line, std::move(row.reason)});
        line += row.lines;
        continue;
      }
      line += row.lines;
    }
    ++chunk.rows;
    if (!reserved && chunk.rows == kRowsBeforeReserve) [[unlikely]] {
      reserve_for_chunk(in, chunk, p);
      reserved = true;
    }
  }
  chunk.end = p;
  chunk.lines = line;
}

void parse_chunk_catching(const Input& in, Chunk& chunk) {
  try {
    parse_chunk(in, chunk);
  } catch (...) {
    chunk.failure = std::current_exception();
  }
}

std::size_t count_quotes(const char* begin, const char* end) {
  std::size_t n = 0;
  while (begin < end) {
    const void* q = std::memchr(begin, '"', static_cast<std::size_t>(end - begin));
    if (q == nullptr) break;
    ++n;
    begin = static_cast<const char*>(q) + 1;
  }
  return n;
}

// Chunk starts: line breaks near equal shares of the body, each with an even number of quotes
// before it (so outside any quoted field, if the input is well formed).
std::vector<const char*> chunk_starts(const Input& in, unsigned threads) {
  std::vector<const char*> starts{in.body};
  auto size = static_cast<std::size_t>(in.end - in.body);
  std::size_t quotes = 0;
  const char* counted_to = in.body;
  for (unsigned k = 1; k < threads; ++k) {
    const char* p = std::max(in.body + size / threads * k, starts.back());
    for (;;) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(in.end - p));
      if (nl == nullptr) return starts;
      p = static_cast<const char*>(nl) + 1;
      quotes += count_quotes(counted_to, p);
      counted_to = p;
      if (quotes % 2 == 0) break;
    }
    if (p >= in.end) break;
    if (p > starts.back()) starts.push_back(p);
  }
  return starts;
}

unsigned thread_count(const Input& in, unsigned requested) {
  if (requested > 0) return std::min(requested, kMaxRequestedThreads);
  auto bytes = static_cast<std::size_t>(in.end - in.body);
  std::size_t by_size = bytes / kMinBytesPerThread;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::clamp<std::size_t>(
      std::min<std::size_t>(by_size, std::min(cores, kMaxThreads)), 1, kMaxThreads));
}

[[noreturn]] void throw_problem(const Input& in, std::size_t line, const Problem& problem) {
  throw CsvError(in.name + ":" + std::to_string(line) + ": " + problem.reason +
                     "; or set CsvOptions::rejects to skip malformed rows",
                 in.name, line, problem.column);
}

Kind unify(Kind a, Kind b) {
  if (a == Kind::kUnknown) return b;
  if (b == Kind::kUnknown || a == b) return a;
  if ((a == Kind::kInt64 && b == Kind::kFloat64) || (a == Kind::kFloat64 && b == Kind::kInt64)) {
    return Kind::kFloat64;
  }
  return Kind::kString;
}

template <class T>
void append_and_free(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
  std::vector<T>().swap(from);
}

// Column `c` of every chunk, given one type and concatenated; the chunks' buffers are freed as
// they are copied so that at most one extra column is held at a time.
Column assemble_column(const Input& in, std::vector<Chunk>& chunks, std::size_t c) {
  Kind kind = Kind::kUnknown;
  for (auto& chunk : chunks) kind = unify(kind, chunk.columns[c].kind());
  if (kind == Kind::kUnknown) kind = Kind::kString;
  std::size_t rows = 0;
  bool any_null = false;
  for (auto& chunk : chunks) {
    ColumnBuilder& column = chunk.columns[c];
    if (column.kind() == Kind::kInt64 && kind == Kind::kFloat64) {
      column.widen_to_float();
    } else if (column.kind() == Kind::kUnknown &&
               !(kind == Kind::kString && column.saw_quoted_empty())) {
      column.become_nulls_of(kind);
    } else if (column.kind() != kind) {
      reread_as_strings(in, chunk, c, chunk.rows);
    }
    rows += column.size();
    any_null = any_null || !column.validity().empty();
  }
  ColumnBuilder& first = chunks.front().columns[c];
  std::vector<std::int64_t> ints = std::move(first.ints());
  std::vector<double> doubles = std::move(first.doubles());
  std::vector<std::uint8_t> bools = std::move(first.bools());
  std::vector<std::uint64_t> offsets = std::move(first.offsets());
  std::string chars = first.take_chars();
  if (kind == Kind::kString) {
    std::size_t bytes = 0;
    for (auto& chunk : chunks) bytes += chunk.columns[c].chars().size();
    chars.reserve(chars.size() + bytes);
  }
  std::vector<std::uint8_t> validity;
  if (any_null) validity.reserve(rows);
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    ColumnBuilder& column = chunks[k].columns[c];
    if (any_null) {
      if (column.validity().empty()) {
        validity.insert(validity.end(), column.size(), 1);
      } else {
        append_and_free(validity, column.validity());
      }
    }
    if (k == 0) continue;
    if (kind == Kind::kString) chars.append(column.take_chars());
    append_and_free(ints, column.ints());
    append_and_free(doubles, column.doubles());
    append_and_free(bools, column.bools());
    if (kind == Kind::kString) {
      std::uint64_t base = offsets.back();
      const auto& more = column.offsets();
      for (std::size_t i = 1; i < more.size(); ++i) offsets.push_back(base + more[i]);
      std::vector<std::uint64_t>().swap(column.offsets());
    }
  }
  return Column::from_buffers(csv::data_type_of(kind), rows, std::move(ints), std::move(doubles),
                              std::move(bools), std::move(offsets), std::move(chars),
                              std::move(validity));
}

Table parse(std::string_view bytes, const std::string& name, const CsvOptions& options) {
  if (options.separator == '"' || is_line_end(options.separator)) {
    throw CsvError("CsvOptions::separator cannot be a quote or a line break", name, 0, "");
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.empty()) {
    throw CsvError(name + " is empty; a CSV input needs at least a header row", name, 0, "");
  }
  Input in;
  in.name = name;
  in.end = bytes.data() + bytes.size();
  in.separator = options.separator;
  in.null_tokens = &options.null_tokens;
  in.collect_rejects = options.rejects != nullptr;

  RowTokenizer tokenizer(in.end, in.separator);
  const char* p = bytes.data();
  std::size_t header_lines = 0;
  RowStatus status = tokenizer.next_row(p, header_lines);
  if (status != RowStatus::kOk) {
    throw CsvError(name + ":1: the " + std::string(options.header ? "header" : "first row") +
                       " has a malformed quoted field; end it with '\"' and write a quote "
                       "inside it as \"\"",
                   name, 1, "");
  }
  for (std::size_t i = 0; i < tokenizer.fields().size(); ++i) {
    std::string given(options.header ? tokenizer.fields()[i].text : "");
    in.names.push_back(given.empty() ? "column_" + std::to_string(i + 1) : given);
  }
  if (options.header) {
    in.body = p;
  } else {
    in.body = bytes.data();
    header_lines = 0;
  }
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < in.names.size(); ++i) {
    auto [it, added] = seen.emplace(in.names[i], i);
    if (!added) {
      throw CsvError(name + ":1: the header names column '" + in.names[i] + "' twice (fields " +
                         std::to_string(it->second + 1) + " and " + std::to_string(i + 1) +
                         "); column names must be unique, rename one",
                     name, 1, in.names[i]);
    }
  }
  for (const auto& [column, type] : options.schema) {
    if (std::find(in.names.begin(), in.names.end(), column) == in.names.end()) {
      throw CsvError("CsvOptions::schema gives a type to column '" + column + "'" +
                         did_you_mean(column, in.names) + " but " + name +
                         " has no such column; fix the name or remove it from the schema",
                     name, 0, column);
    }
  }
  for (const auto& column : in.names) {
    auto it = options.schema.find(column);
    in.given.push_back(it == options.schema.end() ? std::nullopt
                                                  : std::optional<DataType>(it->second));
  }
  for (int given = 1; given >= 0; --given) {
    for (std::size_t c = 0; c < in.given.size(); ++c) {
      if (in.given[c].has_value() == (given == 1)) in.append_order.push_back(c);
    }
  }

  std::vector<const char*> starts = chunk_starts(in, thread_count(in, options.threads));
  std::vector<Chunk> chunks(starts.size());
  for (std::size_t k = 0; k < starts.size(); ++k) {
    chunks[k].begin = starts[k];
    chunks[k].limit = k + 1 < starts.size() ? starts[k + 1] : in.end;
  }
  {
    std::vector<std::jthread> threads;
    for (std::size_t k = 1; k < chunks.size(); ++k) {
      threads.emplace_back([&in, &chunk = chunks[k]] { parse_chunk_catching(in, chunk); });
    }
    parse_chunk_catching(in, chunks[0]);
  }

  std::size_t line_base = header_lines + 1;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    Chunk& chunk = chunks[k];
    if (k > 0 && chunk.begin != chunks[k - 1].end) {
      // The guessed start was inside a row of the previous chunk: parse from where it ended
      // (nothing, when that row ran past this chunk's limit).
      chunk.begin = chunks[k - 1].end;
      chunk.failure = nullptr;
      chunk.error.reset();
      parse_chunk_catching(in, chunk);
    }
    if (chunk.failure) std::rethrow_exception(chunk.failure);
    if (chunk.error) throw_problem(in, line_base + chunk.error->line, *chunk.error);
    for (const auto& reject : chunk.rejects) {
      options.rejects->push_back(
          CsvReject{line_base + reject.line, row_text(reject.begin, reject.resume), reject.reason});
    }
    line_base += chunk.lines;
  }

  Table table;
  for (std::size_t c = 0; c < in.names.size(); ++c) {
    table.add_column(in.names[c], assemble_column(in, chunks, c));
  }
  return table;
}

}  // namespace

Table read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::optional<MappedFile> file;
  try {
    file.emplace(path);
  } catch (const Error& e) {
    throw CsvError(std::string(e.what()) + "; check the path", path.string(), 0, "");
  }
  return parse(file->bytes(), path.string(), options);
}

Table read_csv_string(std::string_view text, const CsvOptions& options) {
  return parse(text, "<string>", options);
}

std::map<std::string, DataType, std::less<>> csv_schema(const Table& table) {
  std::map<std::string, DataType, std::less<>> schema;
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    schema.emplace(table.column_name(c), table.column(c).type());
  }
  return schema;
}

}  // namespace cairn::ml
