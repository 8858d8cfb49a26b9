// The binary table format (docs/ml-tables.md): a header, then each column's name, type, row
// count, validity bytes and raw little-endian buffers, then a checksum of everything before it.
// Loading is a bounds-checked copy of each buffer into the column's vectors. Rejected
// alternatives: Arrow IPC (a dependency this toolkit does not otherwise need) and storing
// buffers aligned for zero-copy mmap (Column owns std::vectors, so a copy happens anyway).

#include "cairn/ml/table_codec.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "cairn/error.hpp"

namespace cairn {

namespace {

using ml::Column;
using ml::DataType;
using ml::Table;

static_assert(std::endian::native == std::endian::little, "the table format is little-endian");

constexpr std::string_view kMagic = "CAIRNTBL";
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kChecksumBytes = 8;

// Type tags are part of the format: never renumber them.
std::uint8_t type_tag(DataType t) {
  switch (t) {
    case DataType::kInt64:
      return 1;
    case DataType::kFloat64:
      return 2;
    case DataType::kString:
      return 3;
    case DataType::kBool:
      return 4;
    case DataType::kTimestamp:
      return 5;
  }
  return 0;
}

std::optional<DataType> type_of_tag(std::uint8_t tag) {
  switch (tag) {
    case 1:
      return DataType::kInt64;
    case 2:
      return DataType::kFloat64;
    case 3:
      return DataType::kString;
    case 4:
      return DataType::kBool;
    case 5:
      return DataType::kTimestamp;
    default:
      return std::nullopt;
  }
}

// A word-at-a-time multiplicative hash: it catches truncation and flipped bits at memory speed;
// it is not a defence against deliberate tampering.
std::uint64_t checksum(std::string_view bytes) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (std::rotl(h, 29) ^ w) * 0xBF58476D1CE4E5B9ull;
  }
  for (; i < bytes.size(); ++i) {
    h = (std::rotl(h, 29) ^ static_cast<unsigned char>(bytes[i])) * 0x94D049BB133111EBull;
  }
  return h ^ (h >> 31);
}

template <class T>
void put(std::string& out, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  out.append(raw, sizeof(T));
}

template <class T>
void put_buffer(std::string& out, const T* data, std::size_t count) {
  if (count > 0) out.append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  template <class T>
  T get(const char* what) {
    T value;
    std::memcpy(&value, take(sizeof(T), what).data(), sizeof(T));
    return value;
  }

  template <class T>
  std::vector<T> get_buffer(std::uint64_t count, const char* what) {
    if (count > bytes_.size() / sizeof(T)) fail(std::string(what) + " runs past the end");
    std::string_view raw = take(count * sizeof(T), what);
    std::vector<T> v(count);
    if (count > 0) std::memcpy(v.data(), raw.data(), raw.size());
    return v;
  }

  std::string_view take(std::uint64_t n, const std::string& what) {
    if (n > bytes_.size()) fail(what + " runs past the end");
    std::string_view out = bytes_.substr(0, n);
    bytes_.remove_prefix(n);
    return out;
  }

  bool done() const { return bytes_.empty(); }

  [[noreturn]] static void fail(const std::string& why) {
    detail::throw_decode_error(Codec<Table>::name, "the table is truncated or corrupt: " + why);
  }

 private:
  std::string_view bytes_;
};

}  // namespace

std::string Codec<Table>::encode(const Table& table) {
  std::size_t size = kMagic.size() + 4 + 8 + 4 + kChecksumBytes;
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    const Column& col = table.column(c);
    size += 4 + table.column_name(c).size() + 2 + 8 + col.validity().size() + col.size() * 8 +
            col.string_offsets().size() * 8 + 8 + col.string_data().size();
  }
  std::string out;
  out.reserve(size);
  out.append(kMagic);
  put<std::uint32_t>(out, kVersion);
  put<std::uint64_t>(out, table.num_rows());
  put<std::uint32_t>(out, static_cast<std::uint32_t>(table.num_columns()));
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    const Column& col = table.column(c);
    const std::string& name = table.column_name(c);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(name.size()));
    out.append(name);
    put<std::uint8_t>(out, type_tag(col.type()));
    put<std::uint8_t>(out, col.validity().empty() ? 0 : 1);
    put<std::uint64_t>(out, col.size());
    put_buffer(out, col.validity().data(), col.validity().size());
    switch (col.type()) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        put_buffer(out, col.int64_values().data(), col.size());
        break;
      case DataType::kFloat64:
        put_buffer(out, col.float64_values().data(), col.size());
        break;
      case DataType::kBool:
        put_buffer(out, col.bool_values().data(), col.size());
        break;
      case DataType::kString:
        put_buffer(out, col.string_offsets().data(), col.string_offsets().size());
        put<std::uint64_t>(out, col.string_data().size());
        out.append(col.string_data());
        break;
    }
  }
  put<std::uint64_t>(out, checksum(out));
  return out;
}

Table Codec<Table>::decode(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    detail::throw_decode_error(
        name, "the bytes do not start with the table header '" + std::string(kMagic) + "'");
  }
  if (bytes.size() < kMagic.size() + 4 + kChecksumBytes) Reader::fail("no room for the header");
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + body.size(), kChecksumBytes);
  Reader in(body);
  in.take(kMagic.size(), "the header");
  auto version = in.get<std::uint32_t>("the version");
  if (version != kVersion) {
    detail::throw_decode_error(name, "the table was written in format version " +
                                         std::to_string(version) + "; this build reads version " +
                                         std::to_string(kVersion));
  }
  if (checksum(body) != stored) Reader::fail("the checksum does not match");
  auto rows = in.get<std::uint64_t>("the row count");
  auto columns = in.get<std::uint32_t>("the column count");
  Table table;
  for (std::uint32_t c = 0; c < columns; ++c) {
    std::string label = "column " + std::to_string(c + 1);
    auto name_size = in.get<std::uint32_t>("a column name");
    std::string column_name(in.take(name_size, label + "'s name"));
    label = "column '" + column_name + "'";
    auto type = type_of_tag(in.get<std::uint8_t>("a column type"));
    if (!type) Reader::fail(label + " has an unknown type tag");
    auto has_validity = in.get<std::uint8_t>("a validity flag");
    auto column_rows = in.get<std::uint64_t>("a row count");
    if (column_rows != rows || has_validity > 1) {
      Reader::fail(label + " has " + std::to_string(column_rows) + " rows, the table " +
                   std::to_string(rows));
    }
    std::vector<std::uint8_t> validity;
    if (has_validity == 1) validity = in.get_buffer<std::uint8_t>(rows, "validity bytes");
    std::vector<std::int64_t> ints;
    std::vector<double> doubles;
    std::vector<std::uint8_t> bools;
    std::vector<std::uint64_t> offsets;
    std::string chars;
    switch (*type) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        ints = in.get_buffer<std::int64_t>(rows, "integer values");
        break;
      case DataType::kFloat64:
        doubles = in.get_buffer<double>(rows, "float values");
        break;
      case DataType::kBool:
        bools = in.get_buffer<std::uint8_t>(rows, "bool values");
        break;
      case DataType::kString: {
        if (rows == std::numeric_limits<std::uint64_t>::max()) Reader::fail("bad row count");
        offsets = in.get_buffer<std::uint64_t>(rows + 1, "string offsets");
        auto size = in.get<std::uint64_t>("a string byte count");
        chars = std::string(in.take(size, label + "'s string bytes"));
        break;
      }
    }
    try {
      table.add_column(
          column_name,
          Column::from_buffers(*type, rows, std::move(ints), std::move(doubles), std::move(bools),
                               std::move(offsets), std::move(chars), std::move(validity)));
    } catch (const ml::TableError& e) {
      Reader::fail(label + ": " + e.what());
    }
  }
  if (!in.done()) Reader::fail("bytes follow the last column");
  return table;
}

}  // namespace cairn
