// The terminal client's controller against an in-memory endpoint, a manual clock, a fixed wall
// clock (TZ=UTC) and a recording console: v2 negotiation as the user sees it (held login, HH:MM
// lines, pending then acknowledged messages, refusals), --json, and the re-send after reconnect.
#include "quicchat/client/client_app.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "../support/fake_client_transport.h"
#include "../support/temp_dir.h"
#include "proto/v2/codec.h"

namespace qc::app {
namespace {

namespace v2 = proto::v2;
using qc::testing::FakeEndpoint;
using qc::testing::FakeLoop;

constexpr std::int64_t kTs = 1764650000000;     // 04:33 UTC
constexpr std::int64_t kNow = kTs + 3'600'000;  // 05:33 UTC

class RecordingConsole final : public Console {
 public:
  void set_line_handler(LineFn on_line) override { on_line_ = std::move(on_line); }
  void request_line(std::string_view, bool) override { requested_ = true; }
  void print(std::string_view line) override { lines.emplace_back(line); }
  void print_fatal(std::string_view line) override { fatal.emplace_back(line); }
  bool interactive() const override { return false; }

  void type(const std::string& line) {
    ASSERT_TRUE(requested_) << "the client did not ask for a line";
    requested_ = false;
    on_line_(line);
  }
  std::vector<std::string> take() { return std::exchange(lines, {}); }

  std::vector<std::string> lines;
  std::vector<std::string> fatal;

 private:
  LineFn on_line_;
  bool requested_ = false;
};

std::string versions_reply(int selected) {
  return proto::encode(proto::make_pdu(
      proto::MsgType::Versions, R"({"selected_version": )" + std::to_string(selected) + "}"));
}

v2::Frame frame_of(const std::string& bytes) {
  auto frame = v2::decode_body(std::string_view(bytes).substr(v2::kLengthPrefixBytes));
  EXPECT_TRUE(frame.ok()) << bytes;
  return frame ? *frame : v2::Frame{v2::Unknown{}};
}

class ClientAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    ASSERT_TRUE(dir_.ok());
  }
  void TearDown() override {
    unsetenv("TZ");
    tzset();
  }

  ClientApp& make(bool json = false, bool reconnect = false) {
    client::ChatClientOptions chat;
    chat.keepalive = std::chrono::milliseconds(0);
    chat.max_version = 2;
    ClientAppOptions options;
    options.username = "alice";
    options.password = "p1";
    options.reconnect = reconnect;
    options.server_label = "h:1";
    options.state_key = "h:1";
    options.json = json;
    options.state_dir = dir_.file("state");
    options.now_ms = [] { return kNow; };
    app_ = std::make_unique<ClientApp>(loop_, endpoint_, mux_, chat, console_, options);
    EXPECT_TRUE(app_->start());
    return *app_;
  }

  // Opens connection `conn`, answers VERSIONS with 2 and the login with welcome + snapshot.
  void open_and_log_in(quic::ConnHandle conn) {
    mux_.on_open(conn, quic::PeerInfo{"127.0.0.1:4433", "quicchat", "ab", {}});
    ASSERT_EQ(endpoint_.sent[conn].size(), 1u) << "login held for the VERSIONS reply";
    mux_.on_data(conn, versions_reply(2));
    ASSERT_EQ(endpoint_.sent[conn].size(), 2u);
    login_ = std::get<v2::Login>(frame_of(endpoint_.sent[conn][1]));
    mux_.on_data(conn, v2::encode_frame(v2::Welcome{login_.rid, "alice", 7, login_.device, kTs}) +
                           v2::encode_frame(v2::Presence{true, {"alice", "bob"}, {}, {}}));
  }

  v2::Send last_send(quic::ConnHandle conn) {
    return std::get<v2::Send>(frame_of(endpoint_.sent[conn].back()));
  }

  qc::testing::TempDir dir_;
  FakeLoop loop_;
  FakeEndpoint endpoint_;
  client::ClientMux mux_;
  RecordingConsole console_;
  std::unique_ptr<ClientApp> app_;
  v2::Login login_;
};

TEST_F(ClientAppTest, V2SessionAsTheUserSeesIt) {
  make();
  EXPECT_EQ(console_.take(), std::vector<std::string>{"[Sys] Connecting to h:1..."});
  open_and_log_in(1);
  EXPECT_EQ(login_.user, "alice");
  EXPECT_EQ(login_.device.size(), 16u) << "the device id from the state folder";
  EXPECT_EQ(console_.take(),
            (std::vector<std::string>{"04:33 [Sys] Login successful. You are alice.",
                                      "05:33 [Sys] Online: alice, bob"}));
  console_.type("@bob: hi");
  const v2::Send send = last_send(1);
  EXPECT_EQ(send.to, std::vector<std::string>{"bob"});
  EXPECT_EQ(console_.take(), std::vector<std::string>{"05:33 … [1-1 Msg] you -> bob: hi"});
  mux_.on_data(1, v2::encode_frame(v2::Ack{
                      send.rid, send.cid, 1, kTs, {{"bob", "@alice,bob", 3, false}}, {}, false}));
  EXPECT_EQ(console_.take(), std::vector<std::string>{"04:33 [1-1 Msg] you -> bob: hi"});
  console_.type("@zed: hi");
  const v2::Send refused = last_send(1);
  console_.take();
  mux_.on_data(
      1, v2::encode_frame(v2::Error{refused.rid, "no_such_user", "no account named zed", {}}));
  EXPECT_EQ(console_.take(),
            std::vector<std::string>{
                "05:33 [Err] Not sent (no account named zed): [1-1 Msg] you -> zed: hi"});
  console_.type("2: by id");
  EXPECT_EQ(console_.take(), std::vector<std::string>{std::string("05:33 ") +
                                                      std::string(client::errors::kV2NoIds)});
  mux_.on_data(1, v2::encode_frame(v2::Presence{false, {}, {"cam"}, {}}));
  EXPECT_EQ(console_.take(), std::vector<std::string>{"05:33 [Sys] cam is online"});
}

TEST_F(ClientAppTest, JsonLinesForTheSameSession) {
  make(/*json=*/true);
  open_and_log_in(1);
  console_.type("0: hello");
  const v2::Send send = last_send(1);
  mux_.on_data(
      1, v2::encode_frame(v2::Ack{send.rid, send.cid, 1, kTs, {{"", "all", 9, false}}, {}, false}));
  const auto lines = console_.take();
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(
      lines[0],
      R"({"type": "system", "ts": 1764653600000, "code": "connecting", "text": "Connecting to h:1..."})");
  EXPECT_EQ(lines[2],
            R"({"type": "system", "ts": 1764653600000, "code": "version", "text": "protocol 2"})");
  EXPECT_EQ(
      lines[3],
      R"({"type": "system", "ts": 1764650000000, "code": "login", "user": "alice", "account": 7, "device": ")" +
          login_.device + R"("})");
  EXPECT_EQ(lines[5], R"({"type": "system", "ts": 1764653600000, "code": "sending", "rid": )" +
                          std::to_string(send.rid) + R"(, "client_id": ")" + send.cid +
                          R"(", "conv": "all", "text": "hello"})");
  EXPECT_TRUE(lines[6].starts_with(R"({"type": "ack", "ts": 1764650000000, "rid": )")) << lines[6];
}

TEST_F(ClientAppTest, UnansweredSendGoesAgainWithItsCidAfterReconnecting) {
  make(/*json=*/false, /*reconnect=*/true);
  open_and_log_in(1);
  const std::string device = login_.device;
  console_.type("@bob: are you there");
  const v2::Send first = last_send(1);
  console_.take();
  mux_.on_closed(1,
                 quic::CloseInfo{quic::CloseKind::PeerUnresponsive, 0, "server not responding", 0});
  const auto lines = console_.take();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.back(),
            "05:33 [Sys] Not acknowledged; sent again once reconnected: [1-1 Msg] you -> bob: are "
            "you there");
  loop_.advance(std::chrono::milliseconds(500));
  open_and_log_in(2);
  EXPECT_EQ(login_.device, device) << "a reconnecting device sends the same id";
  const v2::Send again = last_send(2);
  EXPECT_EQ(again.cid, first.cid);
  EXPECT_EQ(again.text, first.text);
  EXPECT_EQ(console_.take(),
            (std::vector<std::string>{"04:33 [Sys] Reconnected as alice.",
                                      "05:33 … [1-1 Msg] you -> bob: are you there",
                                      "05:33 [Sys] Online: alice, bob"}));
}

TEST_F(ClientAppTest, AServerSelectingOneGetsTheV1Client) {
  make();
  console_.take();
  mux_.on_open(1, quic::PeerInfo{"127.0.0.1:4433", "quicchat", "ab", {}});
  mux_.on_data(1, versions_reply(1));
  ASSERT_EQ(endpoint_.sent[1].size(), 2u);
  EXPECT_EQ(
      endpoint_.sent[1][1],
      R"({"version": 1, "mtype": 16, "msg": "{\"username\": \"alice\", \"password\": \"p1\"}", "sz": 39})");
  mux_.on_data(1, proto::encode(proto::make_pdu(proto::MsgType::LoginAck,
                                                proto::encode_user_list({{1, "alice"}}))));
  EXPECT_EQ(
      console_.take(),
      std::vector<std::string>{"[Sys] Login successful. You are 1 (alice). Active users: 1 alice"});
}

v2::Msg room_msg(std::uint64_t id, std::string text) {
  return v2::Msg{"#team", id, 1, kTs, "bob", {}, std::move(text), ""};
}

std::vector<v2::Frame> frames_since(FakeEndpoint& endpoint, quic::ConnHandle conn,
                                    std::size_t from) {
  std::vector<v2::Frame> out;
  for (std::size_t i = from; i < endpoint.sent[conn].size(); ++i) {
    out.push_back(frame_of(endpoint.sent[conn][i]));
  }
  return out;
}

TEST_F(ClientAppTest, RoomsAndTheCurrentConversation) {
  make();
  open_and_log_in(1);
  console_.take();
  console_.type("hello");
  EXPECT_EQ(console_.take(),
            std::vector<std::string>{"05:33 " + std::string(client::errors::kV2BadFormat)})
      << "no current conversation: as before";
  console_.type("/join #team");
  const auto join = std::get<v2::Join>(frame_of(endpoint_.sent[1].back()));
  EXPECT_EQ(join.room, "#team");
  mux_.on_data(1, v2::encode_frame(v2::Room{join.rid, {"#team", "", "bob", 2, true}, "#team"}) +
                      v2::encode_frame(v2::Page{join.rid, "#team", {room_msg(1, "welcome")}}));
  EXPECT_EQ(console_.take(),
            (std::vector<std::string>{"05:33 [Sys] Joined #team (2 members, operator bob)",
                                      "04:33 [History] #team <bob> welcome",
                                      "05:33 [Sys] End of history of #team (1 message)"}));
  console_.type("/more");
  EXPECT_EQ(console_.take(), std::vector<std::string>{"05:33 [Err] No older messages in #team"});
  console_.type("/history #team 1");
  const auto asked = std::get<v2::History>(frame_of(endpoint_.sent[1].back()));
  mux_.on_data(1, v2::encode_frame(v2::Page{asked.rid, "#team", {room_msg(5, "five")}, true}));
  console_.take();
  console_.type("/more");
  EXPECT_EQ(std::get<v2::History>(frame_of(endpoint_.sent[1].back())),
            (v2::History{asked.rid + 1, "#team", "", 5, std::nullopt, 1}))
      << "the page before the last one shown";
  const std::size_t before = endpoint_.sent[1].size();
  loop_.advance(std::chrono::milliseconds(500));
  ASSERT_EQ(endpoint_.sent[1].size(), before + 1);
  EXPECT_EQ(std::get<v2::Read>(frame_of(endpoint_.sent[1].back())), (v2::Read{5, "#team", 5}))
      << "the room's latest messages were shown: read";
  console_.type("/open #team");
  EXPECT_EQ(console_.take(),
            std::vector<std::string>{
                "05:33 [Sys] Now in #team: a line without an address goes there (/close to stop)"});
  console_.type("hello room");
  const v2::Send send = last_send(1);
  EXPECT_EQ(send.conv, "#team");
  EXPECT_EQ(send.text, "hello room");
  mux_.on_data(1, v2::encode_frame(
                      v2::Ack{send.rid, send.cid, 1, kTs, {{"", "#team", 2, false}}, {}, false}));
  EXPECT_EQ(console_.take(), (std::vector<std::string>{"05:33 … #team <you> hello room",
                                                       "04:33 #team <you> hello room"}));
  console_.type("@bob: aside");
  EXPECT_EQ(last_send(1).to, std::vector<std::string>{"bob"}) << "an address wins";
}

TEST_F(ClientAppTest, ReadsAreCoalescedAndAReconnectShowsNothingTwice) {
  make(/*json=*/false, /*reconnect=*/true);
  open_and_log_in(1);
  console_.take();
  mux_.on_data(1, v2::encode_frame(room_msg(1, "one")) + v2::encode_frame(room_msg(2, "two")) +
                      v2::encode_frame(room_msg(3, "three")));
  EXPECT_EQ(console_.take().size(), 3u);
  const std::size_t before = endpoint_.sent[1].size();
  loop_.advance(std::chrono::milliseconds(500));
  auto reads = frames_since(endpoint_, 1, before);
  ASSERT_EQ(reads.size(), 1u) << "one read for three messages";
  EXPECT_EQ(std::get<v2::Read>(reads[0]).conv, "#team");
  EXPECT_EQ(std::get<v2::Read>(reads[0]).id, 3u);
  mux_.on_data(1, v2::encode_frame(v2::Cursor{"#team", 3}));  // the phone read them too

  mux_.on_closed(1, quic::CloseInfo{quic::CloseKind::PeerUnresponsive, 0, "gone", 0});
  console_.take();
  loop_.advance(std::chrono::milliseconds(500));
  open_and_log_in(2);
  EXPECT_EQ(login_.since, (std::vector<v2::Since>{{"#team", 3}}));
  console_.take();
  mux_.on_data(
      2,
      v2::encode_frame(v2::Page{
          std::nullopt, "#team", {room_msg(2, "two"), room_msg(3, "three"), room_msg(4, "four")}}) +
          v2::encode_frame(v2::Synced{login_.rid, {{"#team", 1}}}));
  EXPECT_EQ(console_.take(),
            (std::vector<std::string>{"04:33 #team <bob> four", "05:33 [Sys] Unread: #team 1"}));
  // A catch-up page with more after it: the client asks for the rest and shows it as new.
  mux_.on_data(2, v2::encode_frame(v2::Page{
                      std::nullopt, "all", {{"all", 7, 1, kTs, "cam", {}, "seven", ""}}, true}));
  const auto rest = std::get<v2::History>(frame_of(endpoint_.sent[2].back()));
  EXPECT_EQ(rest.conv, "all");
  EXPECT_EQ(rest.after, 7u);
  mux_.on_data(
      2, v2::encode_frame(v2::Page{rest.rid, "all", {{"all", 8, 1, kTs, "cam", {}, "eight", ""}}}));
  EXPECT_EQ(console_.take(), (std::vector<std::string>{"04:33 [Broad Msg] cam: seven",
                                                       "04:33 [Broad Msg] cam: eight"}));
}

TEST_F(ClientAppTest, AnUnansweredSendSurvivesARestartOfTheClient) {
  make();
  open_and_log_in(1);
  console_.type("@bob: before the crash");
  const v2::Send first = last_send(1);
  app_.reset();  // the client dies: no ack, no logout
  console_.take();
  make();
  open_and_log_in(2);
  const v2::Send again = last_send(2);
  EXPECT_EQ(again.cid, first.cid);
  EXPECT_EQ(again.to, first.to);
  EXPECT_EQ(again.text, "before the crash");
  const auto lines = console_.take();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[1],
            "[Sys] 1 message(s) not acknowledged when the client last stopped: sent again after "
            "the login");
  mux_.on_data(2, v2::encode_frame(v2::Ack{
                      again.rid, again.cid, 1, kTs, {{"bob", "d:1:2", 5, false}}, {}, true}));
  loop_.advance(std::chrono::milliseconds(500));  // the state is saved with the reads
  app_.reset();
  make();
  open_and_log_in(3);
  EXPECT_EQ(endpoint_.sent[3].size(), 2u) << "acknowledged: not sent a third time";
}

TEST_F(ClientAppTest, ACorruptResumeFileIsReportedAndTheClientGoesOn) {
  const std::string dir = dir_.file("state") + "/h:1/alice";
  std::filesystem::create_directories(dir);
  qc::testing::write_file(dir + "/resume", "quicchat-resume 1\nseen #team");
  make();
  open_and_log_in(1);
  EXPECT_TRUE(login_.since.empty());
  const auto lines = console_.take();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(lines[1].starts_with("[Err] " + dir +
                                   "/resume is not valid (line 2: no end of "
                                   "line); kept as " +
                                   dir + "/resume.corrupt"))
      << lines[1];
  EXPECT_EQ(lines[2], "04:33 [Sys] Login successful. You are alice.");
}

}  // namespace
}  // namespace qc::app
