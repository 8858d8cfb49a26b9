#include "cairn/ml/encoding.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cairn::ml {
namespace {

Column strings(std::initializer_list<const char*> values) {
  Column c(DataType::kString);
  for (const char* v : values) {
    if (v == nullptr) {
      c.append_null();
    } else {
      c.append_string(v);
    }
  }
  return c;
}

Table training() {
  Table t;
  t.add_column("amount", Column::from_int64({1, 2, 3, 4, 5, 6, 7}));
  t.add_column("state", strings({"OH", "CT", "OH", "MN", nullptr, "OH", "CT"}));
  t.add_column("term", strings({"t60", "t36", "t36", "t36", "t60", "t36", "t36"}));
  return t;
}

std::vector<int> bools(const Table& t, const std::string& column) {
  auto v = t.column(column).bool_values();
  return {v.begin(), v.end()};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OneHotEncoder, SortedCategoriesReplaceTheColumnInPlace) {
  OneHotEncoder encoder({"state"});
  Table out = encoder.fit_transform(training());
  EXPECT_EQ(encoder.categories("state"), (std::vector<std::string>{"CT", "MN", "OH"}));
  EXPECT_EQ(out.column_names(),
            (std::vector<std::string>{"amount", "state=CT", "state=MN", "state=OH", "term"}));
  EXPECT_EQ(encoder.feature_names(),
            (std::vector<std::string>{"state=CT", "state=MN", "state=OH"}));
  EXPECT_EQ(out.column("state=CT").type(), DataType::kBool);
  EXPECT_EQ(bools(out, "state=CT"), (std::vector<int>{0, 1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(bools(out, "state=MN"), (std::vector<int>{0, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(bools(out, "state=OH"), (std::vector<int>{1, 0, 1, 0, 0, 1, 0}));  // null: all 0
  EXPECT_EQ(out.column("term"), training().column("term"));
}

TEST(OneHotEncoder, InferenceUsesTheTrainingEncoding) {
  OneHotEncoder encoder({"state", "term"});
  encoder.fit(training());
  // Inference data in another order, with fewer states: the same columns come out.
  Table request;
  request.add_column("term", strings({"t36"}));
  request.add_column("state", strings({"MN"}));
  Table out = encoder.transform(request);
  EXPECT_EQ(out.column_names(),
            (std::vector<std::string>{"term=t36", "term=t60", "state=CT", "state=MN", "state=OH"}));
  Matrix x = out.to_matrix(encoder.feature_names());
  EXPECT_EQ(x.column_names,
            (std::vector<std::string>{"state=CT", "state=MN", "state=OH", "term=t36", "term=t60"}));
  EXPECT_EQ(x.values, (std::vector<float>{0, 1, 0, 1, 0}));
}

TEST(OneHotEncoder, UnknownCategoryIsAnErrorOrAllZeros) {
  Table request;
  request.add_column("state", strings({"OH", "ZZ"}));
  OneHotEncoder strict({"state"});
  strict.fit(training());
  std::string message = error_of([&] { strict.transform(request); });
  EXPECT_NE(message.find("column 'state' has the value 'ZZ' (row 1), which was not in the "
                         "training data"),
            std::string::npos)
      << message;

  OneHotEncoder lenient({"state"}, {.unknown = UnknownCategory::kIgnore});
  lenient.fit(training());
  Table out = lenient.transform(request);
  EXPECT_EQ(bools(out, "state=OH"), (std::vector<int>{1, 0}));
  EXPECT_EQ(bools(out, "state=CT"), (std::vector<int>{0, 0}));
  EXPECT_EQ(bools(out, "state=MN"), (std::vector<int>{0, 0}));
}

TEST(OneHotEncoder, FrequencyOrderAndMaxCategoriesFoldRareValues) {
  // Frequencies: OH 3, CT 2, MN 1. Keep 2: MN becomes infrequent and shares "(other)".
  OneHotEncoder encoder({"state"}, {.order = CategoryOrder::kFrequency, .max_categories = 2});
  encoder.fit(training());
  EXPECT_EQ(encoder.categories("state"), (std::vector<std::string>{"OH", "CT"}));
  EXPECT_EQ(encoder.infrequent("state"), (std::vector<std::string>{"MN"}));
  EXPECT_EQ(encoder.feature_names(),
            (std::vector<std::string>{"state=OH", "state=CT", "state=(other)"}));
  Table request;
  request.add_column("state", strings({"MN", "CT", nullptr}));
  Table out = encoder.transform(request);
  EXPECT_EQ(bools(out, "state=(other)"), (std::vector<int>{1, 0, 0}));
  EXPECT_EQ(bools(out, "state=CT"), (std::vector<int>{0, 1, 0}));
  // A value never seen in training is still unknown, not "other".
  Table unseen;
  unseen.add_column("state", strings({"ZZ"}));
  EXPECT_THROW(encoder.transform(unseen), EncodingError);
}

TEST(OneHotEncoder, FrequencyTiesAreBrokenBytewise) {
  Table t;
  t.add_column("c", strings({"b", "a", "c", "c", "b", "a"}));
  OneHotEncoder encoder({"c"}, {.order = CategoryOrder::kFrequency, .max_categories = 2});
  encoder.fit(t);
  EXPECT_EQ(encoder.categories("c"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(encoder.infrequent("c"), (std::vector<std::string>{"c"}));
}

TEST(OrdinalEncoder, CodesFollowTheCategories) {
  OrdinalEncoder encoder({"state"});
  Table out = encoder.fit_transform(training());
  EXPECT_EQ(out.column_names(), training().column_names());
  const Column& codes = out.column("state");
  EXPECT_EQ(codes.type(), DataType::kInt64);
  EXPECT_EQ(codes.text_at(0), "2");  // OH
  EXPECT_EQ(codes.text_at(1), "0");  // CT
  EXPECT_EQ(codes.text_at(3), "1");  // MN
  EXPECT_TRUE(codes.is_null(4));
  EXPECT_EQ(codes.null_count(), 1u);
}

TEST(OrdinalEncoder, OtherAndUnknownCodes) {
  OrdinalEncoder encoder({"state"}, {.order = CategoryOrder::kFrequency,
                                     .max_categories = 1,
                                     .unknown = UnknownCategory::kIgnore});
  encoder.fit(training());
  Table request;
  request.add_column("state", strings({"OH", "CT", "MN", "ZZ"}));
  Table out = encoder.transform(request);
  auto codes = out.column("state").int64_values();
  EXPECT_EQ(std::vector<std::int64_t>(codes.begin(), codes.end()),
            (std::vector<std::int64_t>{0, 1, 1, OrdinalEncoder::kUnknownCode}));
}

TEST(EncoderJson, RoundTripGivesTheSameEncoding) {
  OneHotEncoder encoder({"state", "term"}, {.order = CategoryOrder::kFrequency,
                                            .max_categories = 2,
                                            .unknown = UnknownCategory::kIgnore});
  encoder.fit(training());
  std::string json = encoder.to_json();
  EXPECT_NE(json.find("\"format\":\"cairn.categorical_encoder\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"encoder\":\"one_hot\""), std::string::npos) << json;
  OneHotEncoder loaded = OneHotEncoder::from_json(json);
  EXPECT_EQ(loaded.columns(), encoder.columns());
  EXPECT_EQ(loaded.options().order, CategoryOrder::kFrequency);
  EXPECT_EQ(loaded.options().max_categories, 2u);
  EXPECT_EQ(loaded.options().unknown, UnknownCategory::kIgnore);
  EXPECT_EQ(loaded.infrequent("state"), (std::vector<std::string>{"MN"}));
  Table request;
  request.add_column("state", strings({"MN", "ZZ", "OH", nullptr}));
  request.add_column("term", strings({"t60", "t36", "t36", "t36"}));
  EXPECT_EQ(loaded.transform(request), encoder.transform(request));
  EXPECT_EQ(loaded.to_json(), json);

  OrdinalEncoder ordinal({"term"});
  ordinal.fit(training());
  OrdinalEncoder ordinal_loaded = OrdinalEncoder::from_json(ordinal.to_json());
  EXPECT_EQ(ordinal_loaded.transform(training()), ordinal.transform(training()));
}

TEST(EncoderJson, RejectsWhatIsNotAnEncoderOfItsKind) {
  OneHotEncoder encoder({"state"});
  encoder.fit(training());
  std::string json = encoder.to_json();
  EXPECT_NE(error_of([&] {
              OrdinalEncoder::from_json(json);
            }).find("OrdinalEncoder::from_json: the JSON holds a one_hot encoder, not ordinal"),
            std::string::npos);
  EXPECT_NE(error_of([&] { OneHotEncoder::from_json("{not json"); }).find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              OneHotEncoder::from_json(R"({"a": 1})");
            }).find("not a serialized cairn encoder"),
            std::string::npos);
  std::string future = json;
  future.replace(future.find("\"version\":1"), 11, "\"version\":2");
  EXPECT_NE(error_of([&] { OneHotEncoder::from_json(future); }).find("version 2 is not supported"),
            std::string::npos);
  std::string broken = json;
  broken.replace(broken.find("\"categories\""), 12, "\"categorie\"");
  EXPECT_NE(error_of([&] { OneHotEncoder::from_json(broken); }).find("malformed encoder JSON"),
            std::string::npos);
  std::string duplicate = json;
  duplicate.replace(duplicate.find("\"MN\""), 4, "\"CT\"");
  EXPECT_NE(
      error_of([&] { OneHotEncoder::from_json(duplicate); }).find("lists the value 'CT' twice"),
      std::string::npos);
}

TEST(Encoders, ErrorsNameTheColumn) {
  OneHotEncoder unfitted({"state"});
  EXPECT_NE(error_of([&] { unfitted.transform(training()); }).find("OneHotEncoder is not fitted"),
            std::string::npos);
  EXPECT_NE(error_of([&] { unfitted.to_json(); }).find("OneHotEncoder is not fitted"),
            std::string::npos);
  EXPECT_THROW(OneHotEncoder({"state", "state"}), EncodingError);

  std::string not_string = error_of([] { OneHotEncoder({"amount"}).fit(training()); });
  EXPECT_NE(not_string.find("column 'amount' is int64"), std::string::npos) << not_string;
  EXPECT_THROW(OneHotEncoder({"amount"}).fit(training()), TableError);

  std::string missing = error_of([] { OrdinalEncoder({"stat"}).fit(training()); });
  EXPECT_NE(missing.find("did you mean 'state'"), std::string::npos) << missing;

  OrdinalEncoder fitted({"state"});
  fitted.fit(training());
  EXPECT_THROW(fitted.transform(training().drop({"state"})), TableError);
  EXPECT_THROW(fitted.categories("term"), EncodingError);

  Table all_null;
  all_null.add_column("state", strings({nullptr, nullptr}));
  EXPECT_NE(error_of([&] { OrdinalEncoder({"state"}).fit(all_null); }).find("no non-null value"),
            std::string::npos);
}

TEST(Encoders, EmptyTableAtInference) {
  OneHotEncoder encoder({"state"});
  encoder.fit(training());
  Table out = encoder.transform(training().head(0));
  EXPECT_EQ(out.num_rows(), 0u);
  EXPECT_EQ(out.num_columns(), 5u);
}

// The fitted state is shared by copies and read concurrently (TSan checks this in CI).
TEST(Encoders, FittedEncoderIsUsableFromSeveralThreads) {
  OneHotEncoder encoder({"state", "term"});
  encoder.fit(training());
  Table expected = encoder.transform(training());
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back(
        [&, i, copy = encoder] { same[i] = copy.transform(training()) == expected; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(same, (std::vector<int>{1, 1, 1, 1}));
}

}  // namespace
}  // namespace cairn::ml
