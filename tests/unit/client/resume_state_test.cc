// The resume file (last ids seen, unanswered sends) and the book kept from it: round trips,
// a corrupt file reported and set aside, dedupe, coalesced reads, cursors from other devices.
#include "client/resume_state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "../support/temp_dir.h"
#include "client/resume_book.h"

namespace qc::client {
namespace {

using Sinces = std::vector<proto::v2::Since>;

ResumeState sample() {
  ResumeState s;
  s.epoch = 7;
  s.seen = {{"#team", 40}, {"all", 3}, {"d:1:2", 17}};
  s.unacked = {OutgoingSend{0, "ab12-4", {"bob", "cam"}, "", "line one\nline \"two\"\t\x01"},
               OutgoingSend{0, "ab12-5", {}, "#team", "to the room"},
               OutgoingSend{0, "ab12-6", {}, "all", "everyone"}};
  return s;
}

TEST(ResumeStateFile, EncodesAndDecodesTheSame) {
  const std::string text = encode_resume_state(sample());
  EXPECT_TRUE(text.starts_with("quicchat-resume 1\nepoch 7\nseen #team 40\n")) << text;
  EXPECT_TRUE(text.ends_with("\nend\n"));
  auto back = decode_resume_state(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, sample());
  EXPECT_EQ(*decode_resume_state(encode_resume_state({})), ResumeState{});
}

TEST(ResumeStateFile, BadContentNamesTheLine) {
  const std::string good = encode_resume_state(sample());
  const auto error = [](std::string_view text) {
    auto r = decode_resume_state(text);
    EXPECT_FALSE(r) << text;
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(error("garbage\n"), "line 1: not a quicchat resume file");
  EXPECT_EQ(error(good.substr(0, good.size() - 4)), "line 8: the file ends early");
  EXPECT_EQ(error(good.substr(0, good.size() - 1)), "line 9: no end of line");
  EXPECT_EQ(error("quicchat-resume 1\nseen #team x\nend\n"), "line 2: bad seen record");
  EXPECT_EQ(error("quicchat-resume 1\nsend {\"t\":\"ping\",\"rid\":1}\nend\n"),
            "line 2: not a send with a client id");
  EXPECT_EQ(error("quicchat-resume 1\nwhat\nend\n"), "line 2: unknown record");
  EXPECT_EQ(error("quicchat-resume 1\nend\nseen all 1\n"), "line 3: after the end");
  EXPECT_EQ(error(""), "line 0: the file ends early");
}

class ResumeStateOnDisk : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  qc::testing::TempDir dir_;
  std::string state_ = dir_.file("state");
};

TEST_F(ResumeStateOnDisk, SavedPrivatelyAndLoadedBack) {
  auto fresh = load_resume_state(state_, "h:1", "Alice");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(*fresh, ResumeState{}) << "no file yet: a fresh state";
  ASSERT_TRUE(save_resume_state(state_, "h:1", "Alice", sample()));
  const std::string file = resume_file(state_, "h:1", "Alice");
  EXPECT_EQ(file, state_ + "/h:1/alice/resume");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(::stat((file + ".tmp").c_str(), &st), 0) << "no temporary file left behind";
  auto loaded = load_resume_state(state_, "h:1", "alice");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, sample());
}

TEST_F(ResumeStateOnDisk, ACorruptFileIsReportedSetAsideAndStartsFresh) {
  ASSERT_TRUE(save_resume_state(state_, "h:1", "bob", sample()));
  const std::string file = resume_file(state_, "h:1", "bob");
  const std::string good = qc::testing::read_file(file);
  qc::testing::write_file(file, good.substr(0, good.size() / 2));  // a torn copy
  auto loaded = load_resume_state(state_, "h:1", "bob");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("is not valid"), std::string::npos)
      << loaded.error().message;
  EXPECT_NE(loaded.error().message.find("resume.corrupt"), std::string::npos);
  EXPECT_EQ(qc::testing::read_file(file + ".corrupt"), good.substr(0, good.size() / 2));
  auto again = load_resume_state(state_, "h:1", "bob");
  ASSERT_TRUE(again) << "the next start is fresh";
  EXPECT_EQ(*again, ResumeState{});
}

TEST(ResumeBook, DropsWhatItAlreadyHas) {
  ResumeState saved;
  saved.epoch = 1;
  saved.seen = {{"#team", 40}};
  ResumeBook book(saved);
  EXPECT_FALSE(book.accept("#team", 40, 1)) << "shown before the restart";
  EXPECT_FALSE(book.accept("#team", 12, 1));
  EXPECT_TRUE(book.accept("#team", 41, 1));
  EXPECT_FALSE(book.accept("#team", 41, 1)) << "live, then again in the catch-up";
  EXPECT_TRUE(book.accept("d:1:2", 1, 1));
  EXPECT_TRUE(book.accept("#team", 43, 1));
  EXPECT_TRUE(book.accept("#team", 42, 0)) << "a gap filled later is new";
  EXPECT_EQ(book.since(), (Sinces{{"#team", 43}, {"d:1:2", 1}}));
  EXPECT_TRUE(book.dirty());
}

TEST(ResumeBook, AnotherEpochStartsAfresh) {
  ResumeState saved;
  saved.epoch = 1;
  saved.seen = {{"all", 90}};
  ResumeBook book(saved);
  EXPECT_TRUE(book.accept("all", 5, 2)) << "a new database: its ids start again";
  EXPECT_EQ(book.state().epoch, 2u);
  EXPECT_EQ(book.since(), (Sinces{{"all", 5}}));
}

TEST(ResumeBook, UnansweredSendsByClientId) {
  ResumeBook book;
  book.sending({9, "t-1", {"bob"}, "", "hi"});
  book.sending({10, "t-2", {}, "#team", "yo"});
  book.sending({11, "t-1", {"bob"}, "", "hi"});  // the re-send after a reconnect
  ASSERT_EQ(book.unacked().size(), 2u);
  EXPECT_EQ(book.unacked()[1].cid, "t-1");
  EXPECT_EQ(book.unacked()[1].rid, 0u);
  book.answered("t-1");
  ASSERT_EQ(book.unacked().size(), 1u);
  EXPECT_EQ(book.unacked()[0].cid, "t-2");
}

TEST(ResumeBook, ReadsAreCoalescedPerConversation) {
  ResumeBook book;
  for (std::uint64_t id = 1; id <= 5; ++id) book.accept("#team", id, 1);
  book.accept("all", 9, 1);
  EXPECT_EQ(book.unread("#team"), 5u);
  EXPECT_EQ(book.take_reads(), (Sinces{{"#team", 5}, {"all", 9}}));
  EXPECT_EQ(book.unread("#team"), 0u);
  EXPECT_TRUE(book.take_reads().empty()) << "nothing new shown";
  book.accept("#team", 6, 1);
  EXPECT_EQ(book.take_reads(), (Sinces{{"#team", 6}}));
}

TEST(ResumeBook, ACursorFromAnotherDeviceMovesTheUnreadState) {
  ResumeBook book;
  book.set_unread({{"#team", "#team", 3}});
  EXPECT_EQ(book.unread("#team"), 3u);
  for (std::uint64_t id = 1; id <= 4; ++id) book.accept("#team", id, 1);
  book.cursor("#team", 3);  // read up to 3 on the phone
  EXPECT_EQ(book.unread("#team"), 1u);
  EXPECT_EQ(book.take_reads(), (Sinces{{"#team", 4}}));
  book.accept("d:1:2", 8, 1);
  book.cursor("d:1:2", 8);
  EXPECT_EQ(book.unread("d:1:2"), 0u);
  EXPECT_TRUE(book.take_reads().empty()) << "the phone read it already: no read to send";
}

}  // namespace
}  // namespace qc::client
