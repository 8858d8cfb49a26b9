#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>

#include "cairn/ml/csv.hpp"
#include "scratch_dir.hpp"

namespace cairn::ml {
namespace {

Timestamp ts(const char* text) {
  return *parse_timestamp(text);
}

CsvError csv_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const CsvError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a CsvError";
  return CsvError("", "", 0, "");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CsvReader, InfersEachType) {
  Table t = read_csv_string(
      "id,price,when,ok,name\n"
      "1,2.5,2016-01-22,true,ann\n"
      "-7,+3,2016-01-23 10:30,FALSE,bob\n");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column("id").type(), DataType::kInt64);
  EXPECT_EQ(t.column("price").type(), DataType::kFloat64);
  EXPECT_EQ(t.column("when").type(), DataType::kTimestamp);
  EXPECT_EQ(t.column("ok").type(), DataType::kBool);
  EXPECT_EQ(t.column("name").type(), DataType::kString);
  EXPECT_EQ(t.column("id").int64_values()[1], -7);
  EXPECT_EQ(t.column("price").float64_values()[1], 3.0);
  EXPECT_EQ(t.column("when").int64_values()[1], ts("2016-01-23T10:30"));
  EXPECT_EQ(t.column("ok").bool_values()[1], 0);
  EXPECT_EQ(t.column("name").string_at(0), "ann");
}

TEST(CsvReader, WidensIntToFloatAndFallsBackToStringLate) {
  std::string text = "a,b,c\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + "," + std::to_string(i) + ",1\n";
  text += "0.5,x7,\n";
  Table t = read_csv_string(text);
  ASSERT_EQ(t.num_rows(), 3001u);
  ASSERT_EQ(t.column("a").type(), DataType::kFloat64);
  EXPECT_EQ(t.column("a").float64_values()[2999], 2999.0);
  EXPECT_EQ(t.column("a").float64_values()[3000], 0.5);
  ASSERT_EQ(t.column("b").type(), DataType::kString);
  EXPECT_EQ(t.column("b").string_at(17), "17");
  EXPECT_EQ(t.column("b").string_at(3000), "x7");
  EXPECT_EQ(t.column("c").type(), DataType::kInt64);
  EXPECT_TRUE(t.column("c").is_null(3000));
  EXPECT_EQ(t.column("c").null_count(), 1u);
}

TEST(CsvReader, NullsEmptyStringsAndNullTokens) {
  CsvOptions options;
  options.null_tokens = {"NA", "NULL"};
  Table t = read_csv_string(
      "n,s,all_null\n"
      ",\"\",\n"
      "NA,x,NA\n"
      "3,,\n"
      "\"\",NULL,\n",
      options);
  ASSERT_EQ(t.column("n").type(), DataType::kInt64);
  EXPECT_EQ(t.column("n").null_count(), 3u);
  EXPECT_EQ(t.column("n").int64_values()[2], 3);
  const Column& s = t.column("s");
  ASSERT_EQ(s.type(), DataType::kString);
  EXPECT_FALSE(s.is_null(0));
  EXPECT_EQ(s.string_at(0), "");
  EXPECT_EQ(s.string_at(1), "x");
  EXPECT_TRUE(s.is_null(2));
  EXPECT_TRUE(s.is_null(3));
  EXPECT_EQ(t.column("all_null").type(), DataType::kString);
  EXPECT_EQ(t.column("all_null").null_count(), 4u);
  // Without the tokens, NA is a string.
  EXPECT_EQ(read_csv_string("n\nNA\n1\n").column("n").type(), DataType::kString);
}

TEST(CsvReader, QuotedEmptyBeforeTextIsAnEmptyString) {
  Table t = read_csv_string("a,b\n\"\",1\n,2\nword,3\n");
  const Column& a = t.column("a");
  ASSERT_EQ(a.type(), DataType::kString);
  EXPECT_FALSE(a.is_null(0));
  EXPECT_EQ(a.string_at(0), "");
  EXPECT_TRUE(a.is_null(1));
  EXPECT_EQ(a.string_at(2), "word");
}

TEST(CsvReader, Rfc4180QuotingAndLineEnds) {
  Table t = read_csv_string(
      "\xEF\xBB\xBFname,\"note, with comma\"\r\n"
      "\"Smith, J\",\"said \"\"hi\"\"\"\r\n"
      "plain,\"two\nlines\"\r\n"
      "\"\"\"quoted\"\"\",last");
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"name", "note, with comma"}));
  EXPECT_EQ(t.column("name").string_at(0), "Smith, J");
  EXPECT_EQ(t.column(1).string_at(0), "said \"hi\"");
  EXPECT_EQ(t.column(1).string_at(1), "two\nlines");
  EXPECT_EQ(t.column("name").string_at(2), "\"quoted\"");
  EXPECT_EQ(t.column(1).string_at(2), "last");
  // Quotes inside an unquoted field are kept as they are.
  EXPECT_EQ(read_csv_string("a\n12\"x\n").column("a").string_at(0), "12\"x");
}

TEST(CsvReader, SeparatorHeaderlessAndBlankLines) {
  CsvOptions options;
  options.separator = ';';
  options.header = false;
  Table t = read_csv_string("1;2,5\n\n3;x\n", options);
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"column_1", "column_2"}));
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column("column_2").string_at(0), "2,5");

  CsvOptions tabs;
  tabs.separator = '\t';
  EXPECT_EQ(read_csv_string("a\tb\n1\t2\n", tabs).column("b").int64_values()[0], 2);

  // In a one-column file a blank line is a null cell, so nulls survive a round trip.
  Table one = read_csv_string("v\n1\n\n3\n");
  ASSERT_EQ(one.num_rows(), 3u);
  EXPECT_TRUE(one.column("v").is_null(1));
}

TEST(CsvReader, SchemaGivesTypes) {
  CsvOptions options;
  options.schema = {
      {"zip", DataType::kString}, {"flag", DataType::kBool}, {"x", DataType::kFloat64}};
  Table t = read_csv_string("zip,flag,x\n02134,1,7\n10001,false,\n", options);
  EXPECT_EQ(t.column("zip").string_at(0), "02134");
  EXPECT_EQ(t.column("flag").bool_values()[0], 1);
  EXPECT_EQ(t.column("x").type(), DataType::kFloat64);
  EXPECT_EQ(t.column("x").float64_values()[0], 7.0);
  EXPECT_TRUE(t.column("x").is_null(1));
}

TEST(CsvReader, MalformedRowThrowsWithFileLineAndColumn) {
  CsvOptions options;
  options.schema = {{"n", DataType::kInt64}};
  // The row with "oops" starts on physical line 5: the quoted field above spans two lines.
  CsvError e =
      csv_error_of([&] { read_csv_string("s,n\nx,1\n\"multi\nline\",2\ny,oops\nz,4\n", options); });
  EXPECT_EQ(e.file(), "<string>");
  EXPECT_EQ(e.line(), 5u);
  EXPECT_EQ(e.column(), "n");
  EXPECT_TRUE(contains(e.what(), "<string>:5: column 'n': 'oops' is not a int64")) << e.what();

  CsvError count = csv_error_of([] { read_csv_string("a,b\n1,2\n3,4,5\n"); });
  EXPECT_EQ(count.line(), 3u);
  EXPECT_TRUE(contains(count.what(), "expected 2 fields as in the header, found 3"))
      << count.what();

  CsvError open = csv_error_of([] { read_csv_string("a,b\n1,\"never closed\n2,3\n"); });
  EXPECT_EQ(open.line(), 2u);
  EXPECT_EQ(open.column(), "b");
  EXPECT_TRUE(contains(open.what(), "never closed")) << open.what();

  CsvError after = csv_error_of([] { read_csv_string("a,b\n\"x\"y,1\n"); });
  EXPECT_EQ(after.line(), 2u);
  EXPECT_EQ(after.column(), "a");
  EXPECT_TRUE(contains(after.what(), "text follows the closing quote")) << after.what();
}

TEST(CsvReader, RejectsCollectsMalformedRowsAndKeepsTheRest) {
  CsvOptions options;
  options.schema = {{"n", DataType::kInt64}};
  std::vector<CsvReject> rejects;
  options.rejects = &rejects;
  Table t = read_csv_string(
      "s,n\r\n"
      "a,1\r\n"
      "b,2,extra\r\n"
      "c,three\r\n"
      "\"d\"x,4\r\n"
      "e,\"5\r\n"
      "f,6\r\n",
      options);
  ASSERT_EQ(rejects.size(), 4u);
  EXPECT_EQ(rejects[0].line, 3u);
  EXPECT_EQ(rejects[0].text, "b,2,extra");
  EXPECT_TRUE(contains(rejects[0].reason, "found 3"));
  EXPECT_EQ(rejects[1].line, 4u);
  EXPECT_EQ(rejects[1].text, "c,three");
  EXPECT_TRUE(contains(rejects[1].reason, "column 'n'"));
  EXPECT_EQ(rejects[2].line, 5u);
  EXPECT_EQ(rejects[3].line, 6u);
  EXPECT_EQ(rejects[3].text, "e,\"5");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column("s").string_at(1), "f");
  EXPECT_EQ(t.column("n").int64_values()[1], 6);
}

TEST(CsvReader, RejectedRowsDoNotSteerInference) {
  CsvOptions options;
  options.schema = {{"n", DataType::kInt64}};
  std::vector<CsvReject> rejects;
  options.rejects = &rejects;
  // The rejected row's 1.5 must not widen column x, nor its extra field count.
  Table t = read_csv_string("x,n\n1,1\n1.5,bad\n2,2\n", options);
  EXPECT_EQ(t.column("x").type(), DataType::kInt64);
  EXPECT_EQ(rejects.size(), 1u);
}

TEST(CsvReader, ResultDoesNotDependOnThreads) {
  // Multi-line quoted fields, literal quotes in unquoted fields, a late type change and
  // malformed rows scattered over the input, so that chunk starts guessed at line breaks fall
  // inside quoted fields and have to be corrected.
  std::string text = "id,note,v,when\n";
  for (int i = 0; i < 4000; ++i) {
    text += std::to_string(i) + ",";
    if (i % 7 == 0) {
      text += "\"line one\nline \"\"two\"\", " + std::to_string(i) + "\"";
    } else if (i % 13 == 3) {
      text += "n" + std::to_string(i) + "\"inch";  // a literal quote: upsets quote counting
    } else {
      text += "n" + std::to_string(i);
    }
    text += "," + (i == 3500 ? std::string("2.5") : std::to_string(i % 13));
    text += i % 11 == 0 ? "," : ",2020-02-" + std::to_string(10 + i % 19);
    text += i % 997 == 5 ? ",extra\n" : "\n";
  }
  CsvOptions one;
  one.threads = 1;
  std::vector<CsvReject> rejects_one;
  one.rejects = &rejects_one;
  Table expected = read_csv_string(text, one);
  ASSERT_EQ(expected.column("v").type(), DataType::kFloat64);
  ASSERT_EQ(expected.column("when").type(), DataType::kTimestamp);
  ASSERT_EQ(rejects_one.size(), 5u);  // ids 5, 1002, 1999, 2996, 3993
  EXPECT_EQ(expected.num_rows(), 3995u);
  for (const auto& reject : rejects_one) {
    // Row i starts on line 2 + i + (rows before it whose note spans two lines).
    std::size_t i = std::stoul(reject.text);
    EXPECT_EQ(i % 997, 5u);
    EXPECT_EQ(reject.line, 2 + i + (i + 6) / 7) << reject.text;
  }
  for (unsigned threads : {2u, 3u, 5u, 8u, 16u}) {
    CsvOptions many;
    many.threads = threads;
    std::vector<CsvReject> rejects;
    many.rejects = &rejects;
    EXPECT_EQ(read_csv_string(text, many), expected) << threads << " threads";
    ASSERT_EQ(rejects.size(), rejects_one.size());
    for (std::size_t i = 0; i < rejects.size(); ++i) {
      EXPECT_EQ(rejects[i].line, rejects_one[i].line) << threads << " threads";
      EXPECT_EQ(rejects[i].text, rejects_one[i].text);
    }
  }

  CsvOptions strict;
  strict.threads = 4;
  CsvError e = csv_error_of([&] { read_csv_string(text, strict); });
  EXPECT_EQ(e.line(), rejects_one[0].line);
}

TEST(CsvReader, FileErrorsAreClear) {
  cairn::testing::ScratchDir dir;
  CsvError missing = csv_error_of([&] { read_csv(dir.path() / "nope.csv"); });
  EXPECT_TRUE(contains(missing.what(), "nope.csv")) << missing.what();
  EXPECT_TRUE(contains(missing.what(), "No such file")) << missing.what();

  std::ofstream(dir.path() / "empty.csv").close();
  CsvError empty = csv_error_of([&] { read_csv(dir.path() / "empty.csv"); });
  EXPECT_TRUE(contains(empty.what(), "is empty")) << empty.what();

  CsvError directory = csv_error_of([&] { read_csv(dir.path()); });
  EXPECT_TRUE(contains(directory.what(), "Is a directory")) << directory.what();

  CsvError duplicate = csv_error_of([] { read_csv_string("a,b,a\n1,2,3\n"); });
  EXPECT_TRUE(contains(duplicate.what(), "names column 'a' twice")) << duplicate.what();

  CsvOptions options;
  options.schema = {{"prise", DataType::kFloat64}};
  CsvError schema = csv_error_of([&] { read_csv_string("price\n1\n", options); });
  EXPECT_TRUE(contains(schema.what(), "did you mean 'price'")) << schema.what();

  CsvOptions quote;
  quote.separator = '"';
  EXPECT_THROW(read_csv_string("a\n1\n", quote), CsvError);
  EXPECT_EQ(read_csv_string(",b\n1,2\n").column_names(),
            (std::vector<std::string>{"column_1", "b"}));

  Table header_only = read_csv_string("a,b\n");
  EXPECT_EQ(header_only.num_rows(), 0u);
  EXPECT_EQ(header_only.num_columns(), 2u);
}

TEST(CsvReader, ReadsFilesWithoutASizeByReadingThem) {
  // /proc files report a size of 0; their bytes come from read(), not mmap().
  CsvOptions options;
  options.separator = ' ';
  options.header = false;
  Table t = read_csv("/proc/self/stat", options);
  ASSERT_EQ(t.num_rows(), 1u);
  EXPECT_GT(t.num_columns(), 20u);
  EXPECT_EQ(t.column(0).type(), DataType::kInt64);
}

TEST(CsvReader, ReadsTheLendingClubExtractAsPandasDoes) {
  // Reference values from Debian's pandas 1.5.3 read_csv on the same file.
  Table t = read_csv(std::filesystem::path(CAIRN_SOURCE_DIR) / "data/lending_club.csv");
  ASSERT_EQ(t.num_rows(), 9857u);
  ASSERT_EQ(t.num_columns(), 23u);
  std::size_t ints = 0;
  std::size_t floats = 0;
  std::size_t strings = 0;
  for (std::size_t c = 0; c < t.num_columns(); ++c) {
    DataType type = t.column(c).type();
    ints += type == DataType::kInt64;
    floats += type == DataType::kFloat64;
    strings += type == DataType::kString;
  }
  EXPECT_EQ(ints, 14u);
  EXPECT_EQ(floats, 3u);
  EXPECT_EQ(strings, 6u);
  std::int64_t funded = 0;
  for (auto v : t.column("funded_amnt").int64_values()) funded += v;
  EXPECT_EQ(funded, 154592825);
  double rate = 0;
  for (double v : t.column("int_rate").float64_values()) rate += v;
  EXPECT_NEAR(rate, 123474.07, 1e-6);
  std::size_t bad = 0;
  for (std::size_t r = 0; r < t.num_rows(); ++r) bad += t.column("Class").string_at(r) == "bad";
  EXPECT_EQ(bad, 517u);
}

TEST(CsvReader, ReadsTheChicagoExtractWithDates) {
  Table t = read_csv(std::filesystem::path(CAIRN_SOURCE_DIR) / "data/chicago.csv");
  ASSERT_EQ(t.num_rows(), 5698u);
  ASSERT_EQ(t.num_columns(), 50u);
  const Column& date = t.column("date");
  ASSERT_EQ(date.type(), DataType::kTimestamp);
  EXPECT_EQ(date.int64_values()[0], ts("2001-01-22"));
  EXPECT_EQ(date.int64_values()[5697], ts("2016-08-28"));
  double ridership = 0;
  for (double v : t.column("ridership").float64_values()) ridership += v;
  EXPECT_NEAR(ridership, 77602.9635, 1e-6);
}

}  // namespace
}  // namespace cairn::ml
