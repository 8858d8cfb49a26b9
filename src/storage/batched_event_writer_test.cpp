#include "storage/batched_event_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"
#include "storage/sqlite_storage.hpp"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class BatchedEventWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_.path();
    storage_ = SqliteStorage::open(dir_ / "cairn.db");
    RunRecord run;
    run.run_id = "r1";
    storage_->add_run(run);
  }

  static Event log_event(std::string message, std::string step_key = "",
                         std::string run_id = "r1") {
    Event event;
    event.run_id = std::move(run_id);
    event.type = EventType::kLog;
    event.step_key = std::move(step_key);
    event.message = std::move(message);
    return event;
  }

  std::vector<std::string> stored_messages() {
    std::vector<std::string> messages;
    for (const Event& event : storage_->run_events("r1", {})) messages.push_back(event.message);
    return messages;
  }

  testing::ScratchDir scratch_;  // declared first: outlives the storage opened in it
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStorage> storage_;
};

TEST_F(BatchedEventWriterTest, FlushCommitsEverythingEmittedInOrder) {
  BatchedEventWriter writer(*storage_);
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    expected.push_back(std::to_string(i));
    writer.emit(log_event(expected.back()));
  }
  writer.flush();
  EXPECT_EQ(stored_messages(), expected);
  const auto events = storage_->run_events("r1", {});
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i].id, events[i - 1].id);
}

TEST_F(BatchedEventWriterTest, FlushWithNothingEmittedReturns) {
  BatchedEventWriter writer(*storage_);
  writer.flush();
  EXPECT_TRUE(stored_messages().empty());
}

TEST_F(BatchedEventWriterTest, BacklogLargerThanTheCapIsCommittedInCappedBatchesInOrder) {
  // The observer holds the writer on the first batch while the backlog builds up behind it.
  std::promise<void> first_batch_seen;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::size_t> batch_sizes;
  BatchedEventWriter writer(*storage_, {[&](std::span<const Event> batch) {
    batch_sizes.push_back(batch.size());
    if (batch_sizes.size() == 1) {
      first_batch_seen.set_value();
      released.wait();
    }
  }});
  writer.emit(log_event("0"));
  first_batch_seen.get_future().wait();
  const std::size_t total = BatchedEventWriter::kMaxBatch * 2 + 18;
  for (std::size_t i = 1; i < total; ++i) writer.emit(log_event(std::to_string(i)));
  release.set_value();
  writer.flush();
  EXPECT_THAT(batch_sizes,
              ElementsAre(1u, BatchedEventWriter::kMaxBatch, BatchedEventWriter::kMaxBatch, 17u));
  const auto messages = stored_messages();
  ASSERT_EQ(messages.size(), total);
  for (std::size_t i = 0; i < total; ++i) ASSERT_EQ(messages[i], std::to_string(i));
}

TEST_F(BatchedEventWriterTest, ObserversSeeCommittedEventsWithIdsInOrder) {
  std::vector<Event> first_seen;
  std::vector<std::int64_t> second_seen;
  bool all_committed_when_observed = true;
  auto first = [&](std::span<const Event> batch) {
    // The batch is already in the database when observers hear of it.
    EventFilter filter;
    filter.after_id = batch.front().id - 1;
    const auto stored = storage_->run_events("r1", filter);
    if (stored.size() < batch.size() || stored.front().id != batch.front().id) {
      all_committed_when_observed = false;
    }
    first_seen.insert(first_seen.end(), batch.begin(), batch.end());
  };
  auto second = [&](std::span<const Event> batch) {
    for (const Event& event : batch) second_seen.push_back(event.id);
  };
  BatchedEventWriter writer(*storage_, {first, second});
  for (int i = 0; i < 300; ++i) {
    writer.emit(log_event(std::to_string(i)));
    if (i % 100 == 99) writer.flush();
  }
  writer.flush();
  EXPECT_TRUE(all_committed_when_observed);
  ASSERT_EQ(first_seen.size(), 300u);
  ASSERT_EQ(second_seen.size(), 300u);
  const auto stored = storage_->run_events("r1", {});
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(first_seen[i].id, stored[i].id);
    EXPECT_EQ(first_seen[i].message, std::to_string(i));
    EXPECT_EQ(second_seen[i], stored[i].id);
  }
}

TEST_F(BatchedEventWriterTest, ManyThreadsEmittingConcurrentlyKeepEachThreadsOrder) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  {
    BatchedEventWriter writer(*storage_);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < kPerThread; ++i) {
          writer.emit(log_event(std::to_string(i), "thread" + std::to_string(t)));
        }
        writer.flush();
      });
    }
    for (auto& thread : threads) thread.join();
  }
  EXPECT_EQ(storage_->run_events("r1", {}).size(), std::size_t{kThreads * kPerThread});
  for (int t = 0; t < kThreads; ++t) {
    EventFilter filter;
    filter.step_key = "thread" + std::to_string(t);
    const auto events = storage_->run_events("r1", filter);
    ASSERT_EQ(events.size(), std::size_t{kPerThread});
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(events[i].message, std::to_string(i));
  }
}

TEST_F(BatchedEventWriterTest, FlushOnOneThreadWaitsOnlyForEventsEmittedBeforeIt) {
  BatchedEventWriter writer(*storage_);
  std::atomic<bool> stop = false;
  std::thread noisy([&] {
    while (!stop) writer.emit(log_event("noise", "noise"));
  });
  writer.emit(log_event("mine"));
  writer.flush();  // must return although the other thread never stops emitting
  const auto messages = stored_messages();
  EXPECT_EQ(std::count(messages.begin(), messages.end(), "mine"), 1);
  stop = true;
  noisy.join();
}

TEST_F(BatchedEventWriterTest, DestructorCommitsWhatWasEmitted) {
  {
    BatchedEventWriter writer(*storage_);
    for (int i = 0; i < 50; ++i) writer.emit(log_event(std::to_string(i)));
  }
  EXPECT_EQ(stored_messages().size(), 50u);
}

TEST_F(BatchedEventWriterTest, CommitErrorSurfacesFromFlushAndLaterEmits) {
  BatchedEventWriter writer(*storage_);
  writer.emit(log_event("fine"));
  writer.flush();
  writer.emit(log_event("orphan", "", "no-such-run"));
  try {
    writer.flush();
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the event writer stopped"));
    EXPECT_THAT(e.what(), HasSubstr("no-such-run"));
  }
  EXPECT_THROW(writer.emit(log_event("after")), StorageError);
  EXPECT_THROW(writer.flush(), StorageError);
  EXPECT_EQ(stored_messages(), std::vector<std::string>{"fine"});
}

TEST_F(BatchedEventWriterTest, ObserverErrorSurfaces) {
  BatchedEventWriter writer(
      *storage_, {[](std::span<const Event>) { throw std::runtime_error("display is gone"); }});
  writer.emit(log_event("x"));
  try {
    writer.flush();
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("display is gone"));
  }
}

}  // namespace
}  // namespace cairn
