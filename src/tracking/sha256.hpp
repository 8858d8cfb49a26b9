#pragma once
// SHA-256 (FIPS 180-4), for the checksums recorded with artifacts. Written here rather than
// taken from a crypto library: it is the only hash cairn needs, and a dependency on OpenSSL for
// one function would weigh on every build and install.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::tracking {

/// Incremental SHA-256: update() with the data in any pieces, then hex_digest() once.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// The digest as 64 lowercase hex digits. Ends the computation: call it once.
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> block_{};
  std::size_t block_size_ = 0;  // bytes waiting in block_
  std::uint64_t length_ = 0;    // bytes hashed so far
};

/// The SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace cairn::tracking
