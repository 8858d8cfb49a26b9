#pragma once
/// @file encoding.hpp
/// Categorical encoding of string columns: fitted once on training data, then applied unchanged
/// at inference — the feature code a model's training and serving share. An encoder serializes
/// to JSON text so it can be stored next to the model it feeds.
///
/// @code
///   using namespace cairn::ml;
///   OneHotEncoder encoder({"term", "addr_state"}, {.max_categories = 20});
///   Table features = encoder.fit_transform(train);
///   std::string saved = encoder.to_json();  // store it with the model
///   // ... at inference, in another process:
///   OneHotEncoder same = OneHotEncoder::from_json(saved);
///   Matrix x = same.transform(requests).to_matrix(feature_columns);
/// @endcode
///
/// Missing or non-string columns throw TableError; an unseen category (with
/// UnknownCategory::kError), an unfitted encoder and malformed JSON throw EncodingError. The
/// JSON format is documented in docs/ml-validation.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/error.hpp"
#include "cairn/ml/table.hpp"

namespace cairn::ml {

/// An encoder met a category it was not fitted on, was used before fit(), or was given JSON that
/// is not a serialized encoder of its kind.
class EncodingError : public Error {
 public:
  using Error::Error;
};

/// The order of a column's categories (its one-hot columns, its ordinal codes).
enum class CategoryOrder {
  kSorted,     ///< bytewise ascending
  kFrequency,  ///< most frequent in the training data first; ties bytewise ascending
};

/// What transform() does with a value that was not in the training data.
enum class UnknownCategory {
  kError,   ///< throw EncodingError naming the column, the value and the row
  kIgnore,  ///< one-hot: all indicator columns 0; ordinal: the code kUnknownCode
};

struct EncoderOptions {
  CategoryOrder order = CategoryOrder::kSorted;
  /// When > 0, only the `max_categories` most frequent values of a column (ties bytewise) get
  /// their own category; the other training values are "infrequent" and share one extra
  /// category, "(other)". Default 0: every value is a category.
  std::size_t max_categories = 0;
  UnknownCategory unknown = UnknownCategory::kError;
};

namespace detail {
class FittedCategories;
}

/// What the two encoders share: the columns, the options and the fitted categories. Copies
/// share the (immutable) fitted state; an encoder is safe to use from several threads once
/// fitted.
class CategoricalEncoder {
 public:
  const std::vector<std::string>& columns() const { return columns_; }
  const EncoderOptions& options() const { return options_; }
  bool fitted() const { return fitted_ != nullptr; }
  /// The categories of `column` in encoding order (without "(other)"); throws EncodingError
  /// before fit() or for a column the encoder does not encode.
  const std::vector<std::string>& categories(std::string_view column) const;
  /// The training values of `column` folded into "(other)" by max_categories, sorted.
  const std::vector<std::string>& infrequent(std::string_view column) const;

 protected:
  /// Throws EncodingError if a column is named twice.
  CategoricalEncoder(std::vector<std::string> columns, EncoderOptions options);
  void fit_categories(const Table& training);
  const detail::FittedCategories& fitted_categories(std::string_view encoder) const;
  /// `encoder` names the class in messages; `kind` is the JSON "encoder" field.
  std::string serialize(std::string_view encoder, std::string_view kind) const;
  void deserialize(std::string_view json, std::string_view encoder, std::string_view kind);

  std::vector<std::string> columns_;
  EncoderOptions options_;
  std::shared_ptr<const detail::FittedCategories> fitted_;
};

/// Replaces each encoded string column by indicator columns "<column>=<category>" (bool), one
/// per category in order, plus "<column>=(other)" when max_categories folded some values. A null
/// cell gives 0 in every indicator column. Other columns pass through unchanged.
///
/// @code
///   OneHotEncoder encoder({"term"});
///   Table t = encoder.fit_transform(loans);  // "term" -> "term=term_36", "term=term_60"
/// @endcode
class OneHotEncoder : public CategoricalEncoder {
 public:
  explicit OneHotEncoder(std::vector<std::string> columns, EncoderOptions options = {});

  /// Learns each column's categories from `training` (replacing any previous fit). Throws
  /// TableError for a missing or non-string column and EncodingError for a column without any
  /// non-null value.
  OneHotEncoder& fit(const Table& training);
  Table transform(const Table& table) const;
  Table fit_transform(const Table& training) { return fit(training).transform(training); }

  /// The indicator columns transform() adds, in order — the model's categorical features.
  std::vector<std::string> feature_names() const;

  std::string to_json() const;
  /// Throws EncodingError unless `json` is a serialized one-hot encoder.
  static OneHotEncoder from_json(std::string_view json);
};

/// Replaces each encoded string column by an int64 column of the same name holding the
/// category's position in categories(): 0 .. n-1, n for "(other)" when max_categories folded
/// some values, kUnknownCode for unseen values under UnknownCategory::kIgnore. A null cell stays
/// null.
///
/// @code
///   OrdinalEncoder encoder({"sub_grade"});
///   Table t = encoder.fit_transform(loans);  // "A1" -> 0, "A2" -> 1, ...
/// @endcode
class OrdinalEncoder : public CategoricalEncoder {
 public:
  static constexpr std::int64_t kUnknownCode = -1;

  explicit OrdinalEncoder(std::vector<std::string> columns, EncoderOptions options = {});

  /// As OneHotEncoder::fit.
  OrdinalEncoder& fit(const Table& training);
  Table transform(const Table& table) const;
  Table fit_transform(const Table& training) { return fit(training).transform(training); }

  std::string to_json() const;
  /// Throws EncodingError unless `json` is a serialized ordinal encoder.
  static OrdinalEncoder from_json(std::string_view json);
};

}  // namespace cairn::ml
