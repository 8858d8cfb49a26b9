#pragma once
// The fitted state the one-hot and ordinal encoders share: each column's categories, its
// infrequent values and a hash index from value to code.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cairn/ml/encoding.hpp"
#include "ml/table_keys.hpp"

namespace cairn::ml::detail {

struct FittedColumn {
  static constexpr std::int64_t kUnseen = -1;

  std::string name;
  std::vector<std::string> categories;  // in code order
  std::vector<std::string> infrequent;  // sorted; all share code categories.size()

  /// Builds `codes`; throws EncodingError when a value is listed twice.
  void index();
  /// 0 .. n-1 for a category, n for an infrequent value, kUnseen otherwise.
  std::int64_t code(std::string_view value) const {
    auto it = codes.find(value);
    return it == codes.end() ? kUnseen : it->second;
  }

  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> codes;
};

class FittedCategories {
 public:
  std::vector<FittedColumn> columns;  // in the encoder's column order
};

/// The string column `name` of `table`; throws TableError when it is missing or not a string.
const Column& string_column(const Table& table, const std::string& name, std::string_view encoder);

/// The code of every row of `column` (FittedColumn::code). A value the encoder was not fitted
/// on throws EncodingError naming the column, the value and the row under
/// UnknownCategory::kError, and is FittedColumn::kUnseen under kIgnore; null rows are kUnseen.
std::vector<std::int64_t> encode_rows(const FittedColumn& fitted, const Column& column,
                                      UnknownCategory unknown, std::string_view encoder);

/// `table` with each column of `fitted` replaced, at its place, by the columns `emit` adds to
/// the output for it; the other columns pass through. Throws TableError first if an encoded
/// column is missing or not a string.
Table replace_encoded_columns(
    const Table& table, const FittedCategories& fitted, std::string_view encoder,
    const std::function<void(const FittedColumn&, const Column&, Table&)>& emit);

}  // namespace cairn::ml::detail
