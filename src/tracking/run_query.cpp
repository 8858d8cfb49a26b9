#include "tracking/run_query.hpp"

#include <cctype>
#include <charconv>
#include <optional>
#include <string>

#include "cairn/tracking.hpp"

namespace cairn::tracking {

namespace {

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == ':';
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A field of the search language: what it names and how it may be compared.
struct FieldSpec {
  RunField field;
  bool has_key;
  bool numeric;
};

std::optional<FieldSpec> field_named(std::string_view name) {
  const std::string n = lower(name);
  if (n == "metrics" || n == "metric") return FieldSpec{RunField::kMetric, true, true};
  if (n == "params" || n == "param") return FieldSpec{RunField::kParam, true, false};
  if (n == "tags" || n == "tag") return FieldSpec{RunField::kTag, true, false};
  if (n == "status") return FieldSpec{RunField::kStatus, false, false};
  if (n == "name") return FieldSpec{RunField::kName, false, false};
  if (n == "asset_key") return FieldSpec{RunField::kAssetKey, false, false};
  if (n == "partition_key") return FieldSpec{RunField::kPartitionKey, false, false};
  if (n == "run_id") return FieldSpec{RunField::kRunId, false, false};
  if (n == "start_time") return FieldSpec{RunField::kStartTime, false, true};
  if (n == "end_time") return FieldSpec{RunField::kEndTime, false, true};
  return std::nullopt;
}

/// A cursor over the text being parsed, with errors that quote it and point at the position.
class Parser {
 public:
  Parser(std::string_view text, std::string_view what) : text_(text), what_(what) {}

  bool at_end() {
    skip_spaces();
    return pos_ >= text_.size();
  }

  [[noreturn]] void fail(std::string_view expected) const {
    throw TrackingError(
        std::string(what_) + " '" + std::string(text_) + "': expected " + std::string(expected) +
        " at column " + std::to_string(pos_ + 1) +
        (pos_ < text_.size() ? " ('" + std::string(text_.substr(pos_)) + "')" : " (the end)") +
        "; e.g. \"metrics.auc > 0.8 and params.max_depth = '6'\"");
  }

  /// A word of letters, digits and '_' (empty if there is none here).
  std::string_view word() {
    skip_spaces();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool take(char c) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  /// A field with its key: `metrics.auc`, params.`my key`, `status`, `attributes.status`.
  std::pair<FieldSpec, std::string> field() {
    skip_spaces();
    const std::size_t start = pos_;
    std::string_view name = word();
    if (lower(name) == "attributes" || lower(name) == "attribute") {
      if (!take('.')) fail("'.' after 'attributes'");
      name = word();
    }
    const std::optional<FieldSpec> spec = field_named(name);
    if (!spec) {
      pos_ = start;
      fail(
          "a field: metrics.KEY, params.KEY, tags.KEY, status, name, asset_key, partition_key, "
          "run_id, start_time or end_time");
    }
    if (!spec->has_key) return {*spec, ""};
    if (pos_ >= text_.size() || text_[pos_] != '.')
      fail("'.' and a key after '" + std::string(name) + "'");
    ++pos_;
    return {*spec, key()};
  }

  Comparison comparison() {
    skip_spaces();
    static constexpr std::pair<std::string_view, Comparison> kOperators[] = {
        {"==", Comparison::kEqual},        {"!=", Comparison::kNotEqual},
        {"<>", Comparison::kNotEqual},     {"<=", Comparison::kLessEqual},
        {">=", Comparison::kGreaterEqual}, {"=", Comparison::kEqual},
        {"<", Comparison::kLess},          {">", Comparison::kGreater},
    };
    for (const auto& [text, op] : kOperators) {
      if (text_.substr(pos_).starts_with(text)) {
        pos_ += text.size();
        return op;
      }
    }
    fail("an operator (=, !=, <, <=, >, >=)");
  }

  /// A 'quoted' or "quoted" string (the quote doubled inside it), or a bare value made of key
  /// characters and '+'. Returns the text and whether it was quoted.
  std::pair<std::string, bool> value() {
    skip_spaces();
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      return {quoted(text_[pos_]), true};
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (is_key_char(text_[pos_]) || text_[pos_] == '+')) ++pos_;
    if (pos_ == start) fail("a value (a number or a 'quoted' text)");
    return {std::string(text_.substr(start, pos_ - start)), false};
  }

 private:
  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  std::string key() {
    if (pos_ < text_.size() && text_[pos_] == '`') return quoted('`');
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_key_char(text_[pos_])) ++pos_;
    if (pos_ == start) fail("a key (write keys with other characters in `backquotes`)");
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string quoted(char quote) {
    ++pos_;
    std::string out;
    while (pos_ < text_.size()) {
      if (text_[pos_] == quote) {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == quote) {
          out.push_back(quote);
          pos_ += 2;
          continue;
        }
        ++pos_;
        return out;
      }
      out.push_back(text_[pos_++]);
    }
    fail(std::string("a closing ") + quote);
  }

  std::string_view text_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  const auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<RunCondition> parse_run_filter(std::string_view filter) {
  Parser parser(filter, "search filter");
  std::vector<RunCondition> conditions;
  while (!parser.at_end()) {
    if (!conditions.empty() && lower(parser.word()) != "and") {
      parser.fail("'and' between conditions ('or' is not supported: run two searches)");
    }
    RunCondition condition;
    auto [spec, key] = parser.field();
    condition.field = spec.field;
    condition.key = std::move(key);
    condition.op = parser.comparison();
    auto [text, was_quoted] = parser.value();
    if (spec.numeric) {
      const std::optional<double> number = was_quoted ? std::nullopt : parse_number(text);
      if (!number) parser.fail("a number");
      condition.number = *number;
    } else if (condition.op != Comparison::kEqual && condition.op != Comparison::kNotEqual) {
      throw TrackingError("search filter '" + std::string(filter) +
                          "': params, tags and run attributes are text and compare only with = "
                          "or !=; use metrics for numeric comparisons");
    }
    if (spec.field == RunField::kStatus) {
      std::string upper = text;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!tracking_run_status_from_string(upper)) {
        throw TrackingError("search filter '" + std::string(filter) + "': unknown status '" + text +
                            "'; use RUNNING, FINISHED, FAILED or KILLED");
      }
      text = std::move(upper);
    }
    condition.text = std::move(text);
    conditions.push_back(std::move(condition));
  }
  return conditions;
}

RunOrder parse_run_order(std::string_view order_by) {
  Parser parser(order_by, "order");
  RunOrder order;
  if (parser.at_end()) return order;
  auto [spec, key] = parser.field();
  if (spec.field == RunField::kRunId || spec.field == RunField::kAssetKey ||
      spec.field == RunField::kPartitionKey) {
    throw TrackingError("order '" + std::string(order_by) +
                        "': order by a metric, param, tag, start_time, end_time, name or status");
  }
  order.field = spec.field;
  order.key = std::move(key);
  if (!parser.at_end()) {
    const std::string direction = lower(parser.word());
    if (direction == "asc") {
      order.descending = false;
    } else if (direction != "desc") {
      parser.fail("'asc' or 'desc'");
    }
  }
  if (!parser.at_end()) parser.fail("the end of the order");
  return order;
}

}  // namespace cairn::tracking
