#pragma once
/// @file table_codec.hpp
/// Makes cairn::ml::Table an asset value: a versioned binary columnar format whose buffers are
/// copied, not parsed, on load (docs/ml-tables.md describes it byte by byte).
///
/// @code
///   #include "cairn/ml/table_codec.hpp"
///   auto features = cairn::asset<cairn::ml::Table>("credit/features")
///                       .compute([](cairn::Context&) { return cairn::ml::read_csv("loans.csv");
///                       });
/// @endcode

#include <string>
#include <string_view>

#include "cairn/codec.hpp"
#include "cairn/ml/table.hpp"

namespace cairn {

template <>
struct Codec<ml::Table> {
  static constexpr const char* name = "table/v1";
  static std::string encode(const ml::Table& table);
  /// Throws cairn::Error on bytes that are not a table of a known version, or are truncated or
  /// corrupt (every byte is covered by a checksum).
  static ml::Table decode(std::string_view bytes);
};

}  // namespace cairn
