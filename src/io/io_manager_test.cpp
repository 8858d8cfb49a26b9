#include "cairn/io_manager.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"

namespace cairn {
namespace {

namespace fs = std::filesystem;

class FilesystemIOManagerTest : public ::testing::Test {
 protected:
  testing::ScratchDir scratch_;
  fs::path root_ = scratch_.path() / "values";
  ValueCodec codec_ = value_codec_for<std::vector<double>>();
};

TEST_F(FilesystemIOManagerTest, StoresOneFilePerAssetAndLoadsItBack) {
  auto io = make_filesystem_io_manager(root_.string());
  ValueRef ref{"credit/features", "", "run-1", &codec_};
  std::string uri = io->store(ref, AnyValue::of(std::vector<double>{1, 2, 3}));
  EXPECT_EQ(uri, "fs:credit/features.value");
  EXPECT_TRUE(fs::exists(root_ / "credit" / "features.value"));
  EXPECT_EQ(io->load(ref, uri).as<std::vector<double>>(), (std::vector<double>{1, 2, 3}));
  // A second store replaces the value and leaves no temporary file behind.
  io->store(ref, AnyValue::of(std::vector<double>{4}));
  EXPECT_EQ(io->load(ref, uri).as<std::vector<double>>(), (std::vector<double>{4}));
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root_))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(FilesystemIOManagerTest, AnAssetAndItsChildKeysDoNotCollide) {
  auto io = make_filesystem_io_manager(root_.string());
  ValueCodec ints = value_codec_for<int>();
  std::string parent = io->store(ValueRef{"a", "", "r", &ints}, AnyValue::of(1));
  std::string child = io->store(ValueRef{"a/b", "", "r", &ints}, AnyValue::of(2));
  EXPECT_EQ(io->load(ValueRef{"a", "", "r", &ints}, parent).as<int>(), 1);
  EXPECT_EQ(io->load(ValueRef{"a/b", "", "r", &ints}, child).as<int>(), 2);
  std::string part = io->store(ValueRef{"a", "2025-01-01", "r", &ints}, AnyValue::of(3));
  EXPECT_EQ(part, "fs:a.partitions/2025-01-01.value");
}

TEST_F(FilesystemIOManagerTest, AMissingOrCorruptValueIsAClearError) {
  auto io = make_filesystem_io_manager(root_.string());
  ValueRef ref{"gone", "", "r", &codec_};
  EXPECT_THROW(io->load(ref, "fs:gone.value"), NotFoundError);
  std::string uri = io->store(ref, AnyValue::of(std::vector<double>{1}));
  std::ofstream(root_ / "gone.value") << "garbage";
  EXPECT_THROW(io->load(ref, uri), Error);
  EXPECT_THROW(io->load(ref, "memory:gone@r"), Error);
}

TEST_F(FilesystemIOManagerTest, ATypeWithoutCodecCannotBeStored) {
  auto io = make_filesystem_io_manager(root_.string());
  ValueCodec none;
  try {
    io->store(ValueRef{"opaque", "", "r", &none}, AnyValue::of(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(".io_manager(\"memory\")"), std::string::npos);
  }
}

TEST(MemoryIOManager, KeepsValuesPerRunInProcess) {
  auto io = make_memory_io_manager();
  ValueCodec none;
  std::string uri = io->store(ValueRef{"a", "", "r1", &none}, AnyValue::of(std::string("x")));
  EXPECT_EQ(io->load(ValueRef{"a", "", "r1", &none}, uri).as<std::string>(), "x");
  EXPECT_THROW(io->load(ValueRef{"a", "", "r2", &none}, "memory:a@r2"), NotFoundError);
  EXPECT_THROW(make_memory_io_manager()->load(ValueRef{"a", "", "r1", &none}, uri), NotFoundError);
}

}  // namespace
}  // namespace cairn
