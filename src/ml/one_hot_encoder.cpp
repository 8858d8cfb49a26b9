#include <string>
#include <vector>

#include "cairn/ml/encoding.hpp"
#include "ml/category_encoding.hpp"

namespace cairn::ml {

namespace {

constexpr std::string_view kName = "OneHotEncoder";
constexpr std::string_view kKind = "one_hot";
constexpr std::string_view kOther = "(other)";

}  // namespace

OneHotEncoder::OneHotEncoder(std::vector<std::string> columns, EncoderOptions options)
    : CategoricalEncoder(std::move(columns), options) {}

OneHotEncoder& OneHotEncoder::fit(const Table& training) {
  fit_categories(training);
  return *this;
}

std::vector<std::string> OneHotEncoder::feature_names() const {
  std::vector<std::string> names;
  for (const auto& c : fitted_categories(kName).columns) {
    for (const auto& category : c.categories) names.push_back(c.name + "=" + category);
    if (!c.infrequent.empty()) names.push_back(c.name + "=" + std::string(kOther));
  }
  return names;
}

Table OneHotEncoder::transform(const Table& table) const {
  auto emit = [&](const detail::FittedColumn& fitted, const Column& column, Table& out) {
    std::vector<std::int64_t> codes = detail::encode_rows(fitted, column, options_.unknown, kName);
    // One byte buffer per indicator column, filled in one pass over the codes.
    std::size_t width = fitted.categories.size() + (fitted.infrequent.empty() ? 0 : 1);
    std::size_t rows = codes.size();
    std::vector<std::vector<std::uint8_t>> indicators(width, std::vector<std::uint8_t>(rows, 0));
    for (std::size_t r = 0; r < rows; ++r) {
      if (codes[r] != detail::FittedColumn::kUnseen) {
        indicators[static_cast<std::size_t>(codes[r])][r] = 1;
      }
    }
    for (std::size_t k = 0; k < width; ++k) {
      const std::string& label =
          k < fitted.categories.size() ? fitted.categories[k] : std::string(kOther);
      out.add_column(fitted.name + "=" + label,
                     Column::from_buffers(DataType::kBool, rows, {}, {}, std::move(indicators[k]),
                                          {}, {}, {}));
    }
  };
  return detail::replace_encoded_columns(table, fitted_categories(kName), kName, emit);
}

std::string OneHotEncoder::to_json() const {
  return serialize(kName, kKind);
}

OneHotEncoder OneHotEncoder::from_json(std::string_view json) {
  OneHotEncoder encoder({});
  encoder.deserialize(json, kName, kKind);
  return encoder;
}

}  // namespace cairn::ml
