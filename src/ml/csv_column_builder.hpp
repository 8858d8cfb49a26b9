#pragma once
// One column of a CSV chunk as it is parsed: typed buffers that grow cell by cell, and the type
// inferred so far. Inference happens in the same pass as parsing: a column starts untyped (only
// nulls seen), takes the type of its first value, widens int64 → float64 in place when a float
// appears, and reports when a cell fits none of that, so that the reader re-reads the column's
// cells as strings (rare, and only that column). The rejected alternative — a sampling pass to
// guess types then a parsing pass — reads the file twice and still needs a fallback when a late
// row contradicts the sample.
//
// append() runs once per cell of a file and is written for that: no allocation, no call into
// the C library for short cells, and the common cases decided by one switch.

#include <sys/mman.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cairn/ml/table.hpp"
#include "ml/csv_tokenizer.hpp"

namespace cairn::ml::csv {

/// The inferred type of a column, plus kUnknown for a column that has seen only nulls.
enum class Kind : std::uint8_t { kUnknown, kInt64, kFloat64, kTimestamp, kBool, kString };

inline Kind kind_of(DataType t) {
  switch (t) {
    case DataType::kInt64:
      return Kind::kInt64;
    case DataType::kFloat64:
      return Kind::kFloat64;
    case DataType::kTimestamp:
      return Kind::kTimestamp;
    case DataType::kBool:
      return Kind::kBool;
    case DataType::kString:
      break;
  }
  return Kind::kString;
}

inline DataType data_type_of(Kind k) {
  switch (k) {
    case Kind::kInt64:
      return DataType::kInt64;
    case Kind::kFloat64:
      return DataType::kFloat64;
    case Kind::kTimestamp:
      return DataType::kTimestamp;
    case Kind::kBool:
      return DataType::kBool;
    case Kind::kUnknown:
    case Kind::kString:
      break;
  }
  return DataType::kString;
}

// from_chars does not take a leading '+'; CSV writers (and pandas) do.
inline std::string_view strip_plus(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return s;
}

[[gnu::noinline]] inline bool parse_long_int64(std::string_view s, std::int64_t& out) {
  s = strip_plus(s);
  auto [stop, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && stop == s.data() + s.size() && !s.empty();
}

[[gnu::always_inline]] inline bool parse_int64(std::string_view s, std::int64_t& out) {
  // Up to 18 digits cannot overflow: a plain loop, much faster than from_chars on short cells.
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  auto digits = static_cast<std::size_t>(end - p);
  if (digits > 0 && digits <= 18) {
    std::uint64_t v = 0;
    for (; p < end; ++p) {
      unsigned d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
      if (d > 9) return false;
      v = v * 10 + d;
    }
    out = negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return true;
  }
  return parse_long_int64(s, out);
}

inline bool parse_float64(std::string_view s, double& out) {
  s = strip_plus(s);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

inline bool parse_bool(std::string_view s, bool& out, bool digits) {
  if (s == "true" || s == "True" || s == "TRUE" || (digits && s == "1")) {
    out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE" || (digits && s == "0")) {
    out = false;
    return true;
  }
  return false;
}

/// Cells that mean null: the unquoted empty cell and the configured tokens.
class NullTokens {
 public:
  explicit NullTokens(const std::vector<std::string>& tokens) : tokens_(tokens) {
    for (const auto& t : tokens_) max_size_ = std::max(max_size_, t.size());
  }
  bool any() const { return max_size_ > 0; }
  bool is_null(const Field& f) const {
    if (f.text.empty()) return !f.quoted;
    if (f.text.size() > max_size_) return false;
    for (const auto& t : tokens_) {
      if (f.text == t) return true;
    }
    return false;
  }

 private:
  const std::vector<std::string>& tokens_;
  std::size_t max_size_ = 0;
};

/// Asks the kernel to back [p, p + bytes) with transparent huge pages where it can. Filling a
/// 100 MB table otherwise takes one page fault per 4 KiB, most of a single-threaded load's
/// time in the kernel here; the buffers are large, filled front to back and kept, which is
/// when huge pages pay.
inline void advise_huge_pages(const void* p, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  auto start = reinterpret_cast<std::uintptr_t>(p);
  std::uintptr_t begin = (start + kHugePage - 1) & ~(kHugePage - 1);
  std::uintptr_t end = (start + bytes) & ~(kHugePage - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

template <class T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

/// The characters of a string column: a std::string whose size() is the usable capacity and
/// whose first size() bytes are the column's. It may be written 16 bytes at a time past the
/// column's bytes, so that appending a short cell is one unaligned 16-byte copy, and becomes
/// the Column's buffer without a copy.
class CharBuffer {
 public:
  static constexpr std::size_t kSlack = 16;

  std::size_t size() const { return size_; }
  std::string_view view() const { return std::string_view(bytes_.data(), size_); }
  void resize_down(std::size_t n) { size_ = n; }

  void reserve(std::size_t n) {
    if (n + kSlack <= bytes_.size()) return;
    if (bytes_.capacity() < n + kSlack) {
      bytes_.reserve(n + kSlack);
      advise_huge_pages(bytes_.data(), bytes_.capacity());
    }
    bytes_.resize(n + kSlack);
  }

  /// `readable16`: 16 bytes from text.data() may be read (the tokenizer knows).
  void append(std::string_view text, bool readable16) {
    std::size_t n = text.size();
    if (size_ + n + kSlack > bytes_.size()) [[unlikely]] {
      reserve(std::max(bytes_.size() * 2, size_ + n + 4096));
    }
    char* out = bytes_.data() + size_;
    if (readable16 && n <= 16) {
      std::memcpy(out, text.data(), 16);
    } else if (n > 0) {
      std::memcpy(out, text.data(), n);
    }
    size_ += n;
  }

  std::string take() {
    bytes_.resize(size_);
    size_ = 0;
    return std::move(bytes_);
  }

 private:
  std::string bytes_;
  std::size_t size_ = 0;
};

enum class AppendResult {
  kOk,
  kMismatch,     // the cell does not parse as the column's given (schema) type
  kNeedsString,  // an inferred column met a cell of another type: re-read it as strings
};

class ColumnBuilder {
 public:
  /// `given` is the schema's type, or nullopt to infer.
  explicit ColumnBuilder(std::optional<DataType> given)
      : kind_(given ? kind_of(*given) : Kind::kUnknown), fixed_(given.has_value()) {
    if (kind_ == Kind::kString) offsets_.push_back(0);
  }

  Kind kind() const { return kind_; }
  bool fixed() const { return fixed_; }
  std::size_t size() const { return size_; }
  bool saw_quoted_empty() const { return saw_quoted_empty_; }

  [[gnu::always_inline]] AppendResult append(const Field& f, const NullTokens& nulls) {
    if (f.text.empty() || nulls.any()) [[unlikely]] {
      return append_checking_nulls(f, nulls);
    }
    return append_value(f);
  }

  /// Drops the cells after the first `rows` (a rejected row's).
  void truncate(std::size_t rows) {
    if (rows >= size_) return;
    size_ = rows;
    switch (kind_) {
      case Kind::kInt64:
      case Kind::kTimestamp:
        ints_.resize(rows);
        break;
      case Kind::kFloat64:
        doubles_.resize(rows);
        break;
      case Kind::kBool:
        bools_.resize(rows);
        break;
      case Kind::kString:
        offsets_.resize(rows + 1);
        chars_.resize_down(offsets_.back());
        break;
      case Kind::kUnknown:
        break;
    }
    if (!validity_.empty()) validity_.resize(rows);
  }

  /// Capacity for `rows` cells, and `bytes` string bytes for a string column.
  void reserve(std::size_t rows, std::size_t bytes) {
    switch (kind_) {
      case Kind::kInt64:
      case Kind::kTimestamp:
        reserve_huge(ints_, rows);
        break;
      case Kind::kFloat64:
        reserve_huge(doubles_, rows);
        break;
      case Kind::kBool:
        reserve_huge(bools_, rows);
        break;
      case Kind::kString:
        reserve_huge(offsets_, rows + 1);
        chars_.reserve(bytes);
        break;
      case Kind::kUnknown:
        break;
    }
    if (!validity_.empty()) reserve_huge(validity_, rows);
  }
  std::size_t string_bytes() const { return chars_.size(); }

  /// Forgets the cells and makes this an (inferred) string column, to be refilled by re-reading.
  void restart_as_string() {
    std::size_t rows = size_;
    *this = ColumnBuilder(DataType::kString);
    fixed_ = false;
    offsets_.reserve(rows + 1);
  }

  void widen_to_float() {
    doubles_.reserve(ints_.capacity());
    doubles_.assign(ints_.begin(), ints_.end());
    std::vector<std::int64_t>().swap(ints_);
    kind_ = Kind::kFloat64;
  }

  /// Gives a column that has seen only nulls the type `kind`, keeping its cells null.
  void become_nulls_of(Kind kind) {
    kind_ = kind;
    switch (kind) {
      case Kind::kInt64:
      case Kind::kTimestamp:
        ints_.assign(size_, 0);
        break;
      case Kind::kFloat64:
        doubles_.assign(size_, 0.0);
        break;
      case Kind::kBool:
        bools_.assign(size_, 0);
        break;
      case Kind::kString:
        offsets_.assign(size_ + 1, 0);
        break;
      case Kind::kUnknown:
        break;
    }
  }

  std::vector<std::int64_t>& ints() { return ints_; }
  std::vector<double>& doubles() { return doubles_; }
  std::vector<std::uint8_t>& bools() { return bools_; }
  std::vector<std::uint64_t>& offsets() { return offsets_; }
  const CharBuffer& chars() const { return chars_; }
  std::string take_chars() { return chars_.take(); }
  std::vector<std::uint8_t>& validity() { return validity_; }

 private:
  AppendResult mismatch() const {
    return fixed_ ? AppendResult::kMismatch : AppendResult::kNeedsString;
  }

  [[gnu::noinline]] AppendResult append_checking_nulls(const Field& f, const NullTokens& nulls) {
    bool null = nulls.is_null(f);
    if (null || (f.text.empty() && kind_ != Kind::kString)) {
      if (!null) saw_quoted_empty_ = true;
      append_null();
      return AppendResult::kOk;
    }
    return append_value(f);
  }

  [[gnu::always_inline]] AppendResult append_value(const Field& f) {
    switch (kind_) {
      case Kind::kInt64: {
        std::int64_t v;
        if (!parse_int64(f.text, v)) [[unlikely]] {
          return append_to_int_slow(f.text);
        }
        ints_.push_back(v);
        break;
      }
      case Kind::kFloat64: {
        double d;
        if (!parse_float64(f.text, d)) [[unlikely]] {
          return mismatch();
        }
        doubles_.push_back(d);
        break;
      }
      case Kind::kTimestamp:
        if (!append_timestamp(f.text)) [[unlikely]] {
          return mismatch();
        }
        break;
      case Kind::kBool: {
        bool b;
        if (!parse_bool(f.text, b, fixed_)) [[unlikely]] {
          return mismatch();
        }
        bools_.push_back(b ? 1 : 0);
        break;
      }
      case Kind::kString:
        chars_.append(f.text, f.readable16);
        offsets_.push_back(chars_.size());
        break;
      case Kind::kUnknown:
        return append_first_value(f);
    }
    if (!validity_.empty()) [[unlikely]] {
      validity_.push_back(1);
    }
    ++size_;
    return AppendResult::kOk;
  }

  void append_null() {
    if (validity_.empty()) validity_.assign(size_, 1);
    switch (kind_) {
      case Kind::kInt64:
      case Kind::kTimestamp:
        ints_.push_back(0);
        break;
      case Kind::kFloat64:
        doubles_.push_back(0.0);
        break;
      case Kind::kBool:
        bools_.push_back(0);
        break;
      case Kind::kString:
        offsets_.push_back(chars_.size());
        break;
      case Kind::kUnknown:
        break;
    }
    validity_.push_back(0);
    ++size_;
  }

  // An int64 column met a cell that is not an int64: widen to float64 if it is a float.
  [[gnu::noinline]] AppendResult append_to_int_slow(std::string_view text) {
    double d;
    if (fixed_ || !parse_float64(text, d)) return mismatch();
    widen_to_float();
    doubles_.push_back(d);
    if (!validity_.empty()) validity_.push_back(1);
    ++size_;
    return AppendResult::kOk;
  }

  static bool same_bytes(const char* a, const char* b, std::size_t n) {
    for (; n >= 8; n -= 8, a += 8, b += 8) {
      std::uint64_t x;
      std::uint64_t y;
      std::memcpy(&x, a, 8);
      std::memcpy(&y, b, 8);
      if (x != y) return false;
    }
    for (; n > 0; --n) {
      if (*a++ != *b++) return false;
    }
    return true;
  }

  // Time series repeat timestamps row after row: the last one parsed is remembered.
  bool append_timestamp(std::string_view text) {
    if (text.size() != last_time_size_ || !same_bytes(text.data(), last_time_text_, text.size()))
        [[unlikely]] {
      if (!remember_timestamp(text)) return false;
    }
    ints_.push_back(last_time_);
    return true;
  }

  [[gnu::noinline]] bool remember_timestamp(std::string_view text) {
    auto t = parse_timestamp(text);
    if (!t) return false;
    last_time_ = *t;
    last_time_size_ = text.size() <= sizeof(last_time_text_) ? text.size() : 0;
    std::memcpy(last_time_text_, text.data(), last_time_size_);
    return true;
  }

  // The first non-null cell of an inferred column decides its type; the cells before it are
  // nulls of that type. A quoted empty cell before it was recorded as null but is an empty
  // string if the column turns out to be string, so that case is re-read.
  [[gnu::noinline]] AppendResult append_first_value(const Field& f) {
    std::int64_t i;
    double d;
    bool b;
    Kind kind = Kind::kString;
    if (parse_int64(f.text, i)) {
      kind = Kind::kInt64;
    } else if (parse_float64(f.text, d)) {
      kind = Kind::kFloat64;
    } else if (parse_timestamp(f.text)) {
      kind = Kind::kTimestamp;
    } else if (parse_bool(f.text, b, false)) {
      kind = Kind::kBool;
    }
    if (kind == Kind::kString && saw_quoted_empty_) return AppendResult::kNeedsString;
    become_nulls_of(kind);
    return append_value(f);
  }

  Kind kind_;
  bool fixed_;
  bool saw_quoted_empty_ = false;
  std::size_t size_ = 0;
  std::vector<std::int64_t> ints_;  // kInt64 and kTimestamp
  std::vector<double> doubles_;
  std::vector<std::uint8_t> bools_;
  std::vector<std::uint64_t> offsets_;  // kString: size_ + 1 entries
  CharBuffer chars_;
  std::vector<std::uint8_t> validity_;  // empty, or one byte per cell: 1 valid, 0 null
  char last_time_text_[40] = {};
  std::size_t last_time_size_ = 0;  // 0: no timestamp remembered
  Timestamp last_time_ = 0;
};

}  // namespace cairn::ml::csv
