#include <string>
#include <vector>

#include "cairn/ml/encoding.hpp"
#include "ml/category_encoding.hpp"

namespace cairn::ml {

namespace {

constexpr std::string_view kName = "OrdinalEncoder";
constexpr std::string_view kKind = "ordinal";

}  // namespace

OrdinalEncoder::OrdinalEncoder(std::vector<std::string> columns, EncoderOptions options)
    : CategoricalEncoder(std::move(columns), options) {}

OrdinalEncoder& OrdinalEncoder::fit(const Table& training) {
  fit_categories(training);
  return *this;
}

Table OrdinalEncoder::transform(const Table& table) const {
  auto emit = [&](const detail::FittedColumn& fitted, const Column& column, Table& out) {
    std::vector<std::int64_t> codes = detail::encode_rows(fitted, column, options_.unknown, kName);
    for (std::size_t r = 0; r < codes.size(); ++r) {
      if (codes[r] == detail::FittedColumn::kUnseen)
        codes[r] = column.is_null(r) ? 0 : kUnknownCode;
    }
    // Nulls stay null: the validity bytes are the input's.
    std::size_t rows = codes.size();
    out.add_column(fitted.name, Column::from_buffers(DataType::kInt64, rows, std::move(codes), {},
                                                     {}, {}, {}, column.validity()));
  };
  return detail::replace_encoded_columns(table, fitted_categories(kName), kName, emit);
}

std::string OrdinalEncoder::to_json() const {
  return serialize(kName, kKind);
}

OrdinalEncoder OrdinalEncoder::from_json(std::string_view json) {
  OrdinalEncoder encoder({});
  encoder.deserialize(json, kName, kKind);
  return encoder;
}

}  // namespace cairn::ml
