#include "ml/category_encoding.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/suggest.hpp"

namespace cairn::ml {

namespace detail {

void FittedColumn::index() {
  codes.clear();
  codes.reserve(categories.size() + infrequent.size());
  auto add = [&](const std::string& value, std::int64_t code) {
    if (!codes.emplace(value, code).second) {
      throw EncodingError("the encoding of column '" + name + "' lists the value '" + value +
                          "' twice; the serialized encoder is corrupt, fit it again");
    }
  };
  for (std::size_t i = 0; i < categories.size(); ++i) {
    add(categories[i], static_cast<std::int64_t>(i));
  }
  for (const auto& value : infrequent) add(value, static_cast<std::int64_t>(categories.size()));
}

const Column& string_column(const Table& table, const std::string& name, std::string_view encoder) {
  const Column& c = table.column(name);
  if (c.type() != DataType::kString) {
    throw TableError(std::string(encoder) + ": column '" + name + "' is " +
                     std::string(to_string(c.type())) +
                     ", but the encoder encodes string columns; leave it out of the encoder's "
                     "columns or read it as a string");
  }
  return c;
}

std::vector<std::int64_t> encode_rows(const FittedColumn& fitted, const Column& column,
                                      UnknownCategory unknown, std::string_view encoder) {
  std::vector<std::int64_t> codes(column.size(), FittedColumn::kUnseen);
  for (std::size_t r = 0; r < codes.size(); ++r) {
    if (column.is_null(r)) continue;
    std::string_view value = column.string_at(r);
    std::int64_t code = fitted.code(value);
    if (code == FittedColumn::kUnseen && unknown == UnknownCategory::kError) {
      throw EncodingError(std::string(encoder) + ": column '" + fitted.name + "' has the value '" +
                          std::string(value) + "' (row " + std::to_string(r) +
                          "), which was not in the training data; refit on data that has it, or "
                          "construct the encoder with UnknownCategory::kIgnore");
    }
    codes[r] = code;
  }
  return codes;
}

Table replace_encoded_columns(
    const Table& table, const FittedCategories& fitted, std::string_view encoder,
    const std::function<void(const FittedColumn&, const Column&, Table&)>& emit) {
  for (const auto& c : fitted.columns) string_column(table, c.name, encoder);
  Table out;
  for (std::size_t i = 0; i < table.num_columns(); ++i) {
    const std::string& name = table.column_name(i);
    auto encoded = std::find_if(fitted.columns.begin(), fitted.columns.end(),
                                [&](const FittedColumn& c) { return c.name == name; });
    if (encoded == fitted.columns.end()) {
      out.add_column(name, table.column(i));
    } else {
      emit(*encoded, table.column(i), out);
    }
  }
  return out;
}

}  // namespace detail

namespace {

constexpr std::string_view kFormat = "cairn.categorical_encoder";
constexpr int kVersion = 1;

std::string_view order_name(CategoryOrder order) {
  return order == CategoryOrder::kSorted ? "sorted" : "frequency";
}

std::string_view unknown_name(UnknownCategory unknown) {
  return unknown == UnknownCategory::kError ? "error" : "ignore";
}

// Categories of one column from its value counts: the most frequent `max_categories` when set
// (the rest become infrequent), then ordered as asked.
detail::FittedColumn fit_column(const std::string& name, const Column& column,
                                const EncoderOptions& options) {
  // Keys view the table's own string buffer: one map entry per distinct value, no copies.
  std::unordered_map<std::string_view, std::size_t> counts;
  for (std::size_t r = 0; r < column.size(); ++r) {
    if (!column.is_null(r)) ++counts[column.string_at(r)];
  }
  if (counts.empty()) {
    throw EncodingError("cannot fit the encoding of column '" + name +
                        "': it has no non-null value in the training table");
  }
  std::vector<std::pair<std::string_view, std::size_t>> values(counts.begin(), counts.end());
  auto by_frequency = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  std::sort(values.begin(), values.end(), by_frequency);

  detail::FittedColumn fitted;
  fitted.name = name;
  std::size_t kept = values.size();
  if (options.max_categories > 0) kept = std::min(kept, options.max_categories);
  for (std::size_t i = kept; i < values.size(); ++i) {
    fitted.infrequent.emplace_back(values[i].first);
  }
  std::sort(fitted.infrequent.begin(), fitted.infrequent.end());
  values.resize(kept);
  if (options.order == CategoryOrder::kSorted) {
    std::sort(values.begin(), values.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  for (const auto& [value, count] : values) fitted.categories.emplace_back(value);
  fitted.index();
  return fitted;
}

void require_distinct(const std::vector<std::string>& columns) {
  std::set<std::string_view> seen;
  for (const auto& c : columns) {
    if (!seen.insert(c).second) {
      throw EncodingError("the encoder is given column '" + c + "' twice; list each column once");
    }
  }
}

const detail::FittedColumn& fitted_column(const detail::FittedCategories& fitted,
                                          std::string_view column,
                                          const std::vector<std::string>& columns) {
  for (const auto& c : fitted.columns) {
    if (c.name == column) return c;
  }
  throw EncodingError("the encoder does not encode column '" + std::string(column) + "'" +
                      did_you_mean(column, columns));
}

[[noreturn]] void corrupt(std::string_view encoder, const std::string& why) {
  throw EncodingError(std::string(encoder) + "::from_json: " + why);
}

}  // namespace

CategoricalEncoder::CategoricalEncoder(std::vector<std::string> columns, EncoderOptions options)
    : columns_(std::move(columns)), options_(options) {
  require_distinct(columns_);
}

void CategoricalEncoder::fit_categories(const Table& training) {
  auto fitted = std::make_shared<detail::FittedCategories>();
  for (const auto& name : columns_) {
    const Column& c = detail::string_column(training, name, "fit()");
    fitted->columns.push_back(fit_column(name, c, options_));
  }
  fitted_ = std::move(fitted);
}

const detail::FittedCategories& CategoricalEncoder::fitted_categories(
    std::string_view encoder) const {
  if (!fitted_) {
    throw EncodingError(std::string(encoder) +
                        " is not fitted; call fit() on training data or load a fitted encoder "
                        "with from_json()");
  }
  return *fitted_;
}

const std::vector<std::string>& CategoricalEncoder::categories(std::string_view column) const {
  return fitted_column(fitted_categories("the encoder"), column, columns_).categories;
}

const std::vector<std::string>& CategoricalEncoder::infrequent(std::string_view column) const {
  return fitted_column(fitted_categories("the encoder"), column, columns_).infrequent;
}

std::string CategoricalEncoder::serialize(std::string_view encoder, std::string_view kind) const {
  const auto& fitted = fitted_categories(encoder);
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : fitted.columns) {
    columns.push_back(
        {{"name", c.name}, {"categories", c.categories}, {"infrequent", c.infrequent}});
  }
  nlohmann::json doc = {{"format", kFormat},
                        {"version", kVersion},
                        {"encoder", kind},
                        {"order", order_name(options_.order)},
                        {"max_categories", options_.max_categories},
                        {"unknown", unknown_name(options_.unknown)},
                        {"columns", std::move(columns)}};
  return doc.dump();
}

void CategoricalEncoder::deserialize(std::string_view json, std::string_view encoder,
                                     std::string_view kind) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) corrupt(encoder, "the text is not a JSON object");
  try {
    if (!doc.contains("format") || doc["format"] != kFormat) {
      corrupt(encoder, "the JSON is not a serialized cairn encoder (no \"format\": \"" +
                           std::string(kFormat) + "\")");
    }
    int version = doc.at("version").get<int>();
    if (version > kVersion || version < 1) {
      corrupt(encoder, "format version " + std::to_string(version) +
                           " is not supported (this cairn reads version " +
                           std::to_string(kVersion) + "); upgrade cairn or refit the encoder");
    }
    std::string stored = doc.at("encoder").get<std::string>();
    if (stored != kind) {
      corrupt(encoder, "the JSON holds a " + stored + " encoder, not " + std::string(kind) +
                           "; load it with that encoder's from_json()");
    }
    std::string order = doc.at("order").get<std::string>();
    std::string unknown = doc.at("unknown").get<std::string>();
    if (order != "sorted" && order != "frequency") {
      corrupt(encoder, "unknown order '" + order + "'");
    }
    if (unknown != "error" && unknown != "ignore") {
      corrupt(encoder, "unknown category policy '" + unknown + "'");
    }
    EncoderOptions options;
    options.order = order == "sorted" ? CategoryOrder::kSorted : CategoryOrder::kFrequency;
    options.unknown = unknown == "error" ? UnknownCategory::kError : UnknownCategory::kIgnore;
    options.max_categories = doc.at("max_categories").get<std::size_t>();

    auto fitted = std::make_shared<detail::FittedCategories>();
    std::vector<std::string> names;
    for (const auto& c : doc.at("columns")) {
      detail::FittedColumn column;
      column.name = c.at("name").get<std::string>();
      column.categories = c.at("categories").get<std::vector<std::string>>();
      column.infrequent = c.at("infrequent").get<std::vector<std::string>>();
      column.index();
      names.push_back(column.name);
      fitted->columns.push_back(std::move(column));
    }
    require_distinct(names);
    columns_ = std::move(names);
    options_ = options;
    fitted_ = std::move(fitted);
  } catch (const nlohmann::json::exception& e) {
    corrupt(encoder, std::string("malformed encoder JSON: ") + e.what());
  }
}

}  // namespace cairn::ml
