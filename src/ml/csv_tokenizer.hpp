#pragma once
// Splits CSV text into rows of fields (RFC 4180), without allocating per field: unquoted and
// unescaped quoted fields are views into the input; only quoted fields with "" escapes are
// copied, into a scratch buffer reused from row to row.
//
// Finding the end of an unquoted field is the hot loop of CSV loading. With SSE2 the tokenizer
// compares 64 bytes at a time against the separator and the line-break bytes and keeps the
// resulting bit mask, so that the next few fields (a 64-byte window holds two rows of a typical
// numeric CSV) are found with a shift and a count-trailing-zeros. Quotes need no mask: a quote
// matters only as the first byte of a field, which is checked directly.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cairn::ml::csv {

struct Field {
  std::string_view text;
  bool quoted = false;
  bool readable16 = false;  // 16 bytes from text.data() are inside the input
};

enum class RowStatus {
  kOk,
  kUnterminatedQuote,  // a quoted field runs to the end of the input
  kTextAfterQuote,     // a closing quote is followed by something other than a separator or EOL
};

/// Skips one line terminator (LF, CRLF or a lone CR) at `p`.
inline const char* skip_line_end(const char* p, const char* end) {
  if (*p == '\r' && p + 1 < end && p[1] == '\n') return p + 2;
  return p + 1;
}

class RowTokenizer {
 public:
  RowTokenizer(const char* end, char separator) : end_(end), separator_(separator), window_(end) {
    special_.fill(false);
    special_[static_cast<unsigned char>(separator)] = true;
    special_[static_cast<unsigned char>('\n')] = true;
    special_[static_cast<unsigned char>('\r')] = true;
  }

  /// Tokenizes the row starting at `p` (< end) and moves `p` past its line terminator.
  /// `lines` is set to the physical lines the row spans. fields() holds the fields until the
  /// next call; bad_field() names the field a non-kOk status is about.
  RowStatus next_row(const char*& p, std::size_t& lines) {
    count_ = 0;
    if (!escaped_.empty()) {
      scratch_.clear();
      escaped_.clear();
    }
    lines = 1;
    RowStatus status = RowStatus::kOk;
    for (;;) {
      if (p < end_ && *p == '"') {
        const char* closing = nullptr;
        if (!read_quoted(p, lines, closing)) {
          bad_field_ = count_;
          p = end_;
          return RowStatus::kUnterminatedQuote;
        }
        p = closing + 1;
        if (p < end_ && !special_[static_cast<unsigned char>(*p)]) {
          if (status == RowStatus::kOk) {
            status = RowStatus::kTextAfterQuote;
            bad_field_ = count_ - 1;
          }
          while (p < end_ && !special_[static_cast<unsigned char>(*p)]) ++p;
        }
      } else {
        const char* q = find_special(p);
        add_field(std::string_view(p, static_cast<std::size_t>(q - p)), false, end_ - p >= 16);
        p = q;
      }
      if (p == end_) break;
      char terminator = *p++;
      if (terminator == separator_) continue;
      if (terminator == '\r' && p < end_ && *p == '\n') ++p;
      break;
    }
    for (const auto& [index, offset, size] : escaped_) {
      fields_[index].text = std::string_view(scratch_.data() + offset, size);
    }
    return status;
  }

  /// The fast path for rows without quoted fields: like next_row, but returns false (and
  /// leaves `p` alone) at the first field that starts with a quote. Such a row is one line.
  bool next_plain_row(const char*& p) {
    const char* s = p;
    std::size_t n = 0;
    Field* out = fields_.data();
    for (;;) {
      if (s < end_ && *s == '"') return false;
      const char* q = find_special(s);
      if (n == field_capacity_) [[unlikely]] {
        grow_fields();
        out = fields_.data();
      }
      out[n++] = Field{std::string_view(s, static_cast<std::size_t>(q - s)), false, end_ - s >= 16};
      if (q == end_) {
        s = q;
        break;
      }
      char terminator = *q;
      s = q + 1;
      if (terminator == separator_) continue;
      if (terminator == '\r' && s < end_ && *s == '\n') ++s;
      break;
    }
    count_ = n;
    p = s;
    return true;
  }

  std::span<const Field> fields() const { return {fields_.data(), count_}; }
  std::size_t bad_field() const { return bad_field_; }

 private:
  struct Escaped {
    std::size_t index;
    std::size_t offset;
    std::size_t size;
  };

  void grow_fields() {
    field_capacity_ = field_capacity_ * 2 + 8;
    fields_.resize(field_capacity_);
  }

  void add_field(std::string_view text, bool quoted, bool readable16) {
    if (count_ == field_capacity_) grow_fields();
    fields_[count_++] = Field{text, quoted, readable16};
  }

  // The first separator or line-break byte at or after `p`, or end_.
  const char* find_special(const char* p) {
#ifdef __SSE2__
    for (;;) {
      auto offset = static_cast<std::size_t>(p - window_);
      if (offset < 64) {
        std::uint64_t rest = window_mask_ >> offset;
        if (rest != 0) return p + __builtin_ctzll(rest);
        p = window_ + 64;
      }
      if (end_ - p < 64) break;
      window_ = p;
      window_mask_ = special_mask(p);
    }
#endif
    while (p < end_ && !special_[static_cast<unsigned char>(*p)]) ++p;
    return p;
  }

#ifdef __SSE2__
  std::uint64_t special_mask(const char* p) const {
    const __m128i separator = _mm_set1_epi8(separator_);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    std::uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      __m128i hits =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, separator), _mm_cmpeq_epi8(bytes, lf)),
                       _mm_cmpeq_epi8(bytes, cr));
      mask |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(hits)))
              << (16 * i);
    }
    return mask;
  }
#endif

  // Reads the quoted field whose opening quote is at `p`; false if it is never closed.
  bool read_quoted(const char* p, std::size_t& lines, const char*& closing) {
    const char* segment = p + 1;
    const char* q = segment;
    bool escaped = false;
    std::size_t offset = 0;
    for (;;) {
      const void* found = std::memchr(q, '"', static_cast<std::size_t>(end_ - q));
      if (found == nullptr) return false;
      const char* quote = static_cast<const char*>(found);
      lines += static_cast<std::size_t>(std::count(q, quote, '\n'));
      if (quote + 1 < end_ && quote[1] == '"') {
        if (!escaped) offset = scratch_.size();
        escaped = true;
        scratch_.append(segment, static_cast<std::size_t>(quote + 1 - segment));
        q = segment = quote + 2;
        continue;
      }
      if (escaped) {
        scratch_.append(segment, static_cast<std::size_t>(quote - segment));
        escaped_.push_back(Escaped{count_, offset, scratch_.size() - offset});
        add_field(std::string_view(), true, false);
      } else {
        add_field(std::string_view(segment, static_cast<std::size_t>(quote - segment)), true,
                  end_ - segment >= 16);
      }
      closing = quote;
      return true;
    }
  }

  const char* end_;
  char separator_;
  std::array<bool, 256> special_{};
  const char* window_;  // 64 bytes whose special bytes are in window_mask_
  std::uint64_t window_mask_ = 0;
  std::vector<Field> fields_;  // the first count_ are this row's
  std::size_t count_ = 0;
  std::size_t field_capacity_ = 0;  // fields_.size(), kept to spare a division per field
  std::string scratch_;
  std::vector<Escaped> escaped_;
  std::size_t bad_field_ = 0;
};

}  // namespace cairn::ml::csv
