// ClientSession in protocol v2, fed canned frames: the offer, the login held until the VERSIONS
// reply, the switch to v2 framing (also in the middle of a chunk), requests and events.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/session.h"
#include "proto/alpn.h"
#include "proto/v2/codec.h"

namespace qc::client {
namespace {

namespace v2 = proto::v2;
using proto::MsgType;

constexpr std::int64_t kTs = 1764650000000;

std::string versions_reply(int selected) {
  return proto::encode(proto::make_pdu(
      MsgType::Versions, R"({"selected_version": )" + std::to_string(selected) + "}"));
}

std::vector<std::string> drain_bytes(ClientSession& s) {
  std::vector<std::string> out;
  for (const SharedBytes& b : s.take_outbox()) out.push_back(*b);
  return out;
}

// The frames of queued v2 bytes (each outbox entry is one frame).
std::vector<v2::Frame> drain_frames(ClientSession& s) {
  std::vector<v2::Frame> out;
  for (const std::string& bytes : drain_bytes(s)) {
    EXPECT_GT(bytes.size(), v2::kLengthPrefixBytes);
    auto frame = v2::decode_body(std::string_view(bytes).substr(v2::kLengthPrefixBytes));
    EXPECT_TRUE(frame.ok()) << bytes;
    if (frame) out.push_back(*frame);
  }
  return out;
}

template <class T>
T only(const std::vector<Event>& events) {
  EXPECT_EQ(events.size(), 1u);
  if (events.size() != 1 || !std::holds_alternative<T>(events[0])) {
    ADD_FAILURE() << "event index " << (events.empty() ? -1 : static_cast<int>(events[0].index()));
    return T{};
  }
  return std::get<T>(events[0]);
}

SessionConfig v2_config() { return SessionConfig{kMaxServerPduBytes, 2, "tag", 1}; }

ClientSession opened(std::string_view alpn = proto::kAlpnQuicchat) {
  ClientSession s(v2_config());
  s.on_open(std::string(alpn), "127.0.0.1:4433");
  s.take_events();
  EXPECT_TRUE(s.start());
  return s;
}

// Negotiated v2 and logged in as bob (device d-1) with alice online.
ClientSession v2_bob() {
  ClientSession s = opened();
  EXPECT_TRUE(s.login("bob", "p2", "d-1"));
  s.on_bytes(versions_reply(2) + v2::encode_frame(v2::Welcome{1, "bob", 2, "d-1", kTs}) +
             v2::encode_frame(v2::Presence{true, {"alice", "bob"}, {}, {}}));
  s.take_outbox();
  s.take_events();
  return s;
}

TEST(ClientSessionV2, QuicchatOffersOneAndTwoEchoProtocolOnlyOne) {
  ClientSession s = opened();
  EXPECT_EQ(drain_bytes(s),
            std::vector<std::string>{
                R"({"version": 1, "mtype": 0, "msg": "{\"versions\": [1, 2]}", "sz": 20})"});
  ClientSession seed = opened(proto::kAlpnSeed);
  EXPECT_EQ(drain_bytes(seed),
            std::vector<std::string>{
                R"({"version": 1, "mtype": 0, "msg": "{\"versions\": [1]}", "sz": 17})"});
  ClientSession v1_only;  // max_version 1 (the default): today's offer on quicchat too
  v1_only.on_open(std::string(proto::kAlpnQuicchat), "x");
  ASSERT_TRUE(v1_only.start());
  EXPECT_EQ(drain_bytes(v1_only).at(0),
            R"({"version": 1, "mtype": 0, "msg": "{\"versions\": [1]}", "sz": 17})");
}

TEST(ClientSessionV2, LoginIsHeldUntilTheReplyThenSentAsV2) {
  ClientSession s = opened();
  s.take_outbox();
  ASSERT_TRUE(s.login("alice", "p1", "dev-1"));
  EXPECT_TRUE(drain_bytes(s).empty()) << "nothing before the VERSIONS reply";
  s.on_bytes(versions_reply(2));
  EXPECT_EQ(only<VersionSelected>(s.take_events()).version, 2);
  EXPECT_EQ(s.version(), 2);
  auto frames = drain_frames(s);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<v2::Login>(frames[0]), (v2::Login{1, "alice", "p1", "dev-1"}));
}

TEST(ClientSessionV2, AReplySelectingOneSendsTheHeldLoginAsV1) {
  ClientSession s = opened();
  s.take_outbox();
  ASSERT_TRUE(s.login("alice", "p1", "dev-1"));
  s.on_bytes(versions_reply(1));
  EXPECT_EQ(s.version(), 1);
  EXPECT_EQ(
      drain_bytes(s),
      std::vector<std::string>{
          R"({"version": 1, "mtype": 16, "msg": "{\"username\": \"alice\", \"password\": \"p1\"}", "sz": 39})"});
  s.on_bytes(
      proto::encode(proto::make_pdu(MsgType::LoginAck, proto::encode_user_list({{1, "alice"}}))));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<LoginOk>(events[1]).my_id, 1u);
}

TEST(ClientSessionV2, ARejectedOfferDropsTheHeldLogin) {
  ClientSession s = opened();
  s.take_outbox();
  ASSERT_TRUE(s.login("alice", "p1"));
  s.on_bytes(
      proto::encode(proto::make_pdu(MsgType::Versions, R"({"error": "No compatible version"})")));
  EXPECT_EQ(only<VersionRejected>(s.take_events()).error, "No compatible version");
  EXPECT_TRUE(drain_bytes(s).empty());
}

TEST(ClientSessionV2, ReplyAndV2FramesInOneChunkSwitchMidChunk) {
  ClientSession s = opened();
  ASSERT_TRUE(s.login("bob", "p2", "d-1"));
  const std::string chunk = versions_reply(2) +
                            v2::encode_frame(v2::Welcome{1, "Bob", 2, "d-1", kTs}) +
                            v2::encode_frame(v2::Presence{true, {"alice", "Bob"}, {}, {}});
  // Every split of the chunk in two gives the same events.
  for (std::size_t cut = 0; cut <= chunk.size(); ++cut) {
    ClientSession c = opened();
    ASSERT_TRUE(c.login("bob", "p2", "d-1"));
    c.on_bytes(std::string_view(chunk).substr(0, cut));
    c.on_bytes(std::string_view(chunk).substr(cut));
    auto events = c.take_events();
    ASSERT_EQ(events.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(std::get<VersionSelected>(events[0]).version, 2);
    EXPECT_EQ(std::get<Welcome>(events[1]).user, "Bob");
    EXPECT_EQ(std::get<PresenceSnapshot>(events[2]).online,
              (std::vector<std::string>{"alice", "Bob"}));
    EXPECT_TRUE(c.logged_in());
    EXPECT_EQ(c.my_name(), "Bob");
    EXPECT_EQ(c.device(), "d-1");
  }
}

TEST(ClientSessionV2, RequestsCarryFreshRidsAndCids) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.send_to({"alice"}, "hi"));
  ASSERT_TRUE(s.send_to({"alice", "cam"}, "both"));
  ASSERT_TRUE(s.send_broadcast("all of you"));
  ASSERT_TRUE(s.alive());
  ASSERT_TRUE(s.logout());
  auto frames = drain_frames(s);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(std::get<v2::Send>(frames[0]), (v2::Send{2, {"alice"}, "", "hi", "tag-1"}));
  EXPECT_EQ(std::get<v2::Send>(frames[1]), (v2::Send{3, {"alice", "cam"}, "", "both", "tag-2"}));
  EXPECT_EQ(std::get<v2::Send>(frames[2]), (v2::Send{4, {}, "all", "all of you", "tag-3"}));
  EXPECT_EQ(std::get<v2::Ping>(frames[3]).rid, 5u);
  EXPECT_EQ(std::get<v2::Logout>(frames[4]).rid, 6u);
  EXPECT_EQ(s.unanswered_sends().size(), 3u);
}

TEST(ClientSessionV2, IdsAreRefusedInV2) {
  ClientSession s = v2_bob();
  EXPECT_FALSE(s.send_direct(1, "hi"));
  EXPECT_FALSE(s.send_many({1, 2}, "hi"));
  EXPECT_TRUE(drain_bytes(s).empty());
}

TEST(ClientSessionV2, AckNamesTheSendItAnswers) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.send_to({"alice", "zed"}, "hi"));
  s.take_outbox();
  v2::TargetError no_zed{"zed", "no_such_user", "no account named zed"};
  s.on_bytes(v2::encode_frame(
      v2::Ack{2, "tag-1", 1, kTs + 5, {{"alice", "@alice,bob", 7, true}}, {no_zed}, false}));
  const auto ack = only<Acked>(s.take_events());
  EXPECT_EQ(ack.send, (OutgoingSend{2, "tag-1", {"alice", "zed"}, "", "hi"}));
  EXPECT_EQ(ack.ts, kTs + 5);
  ASSERT_EQ(ack.sent.size(), 1u);
  EXPECT_TRUE(ack.sent[0].offline);
  EXPECT_EQ(ack.errors, std::vector<v2::TargetError>{no_zed});
  EXPECT_TRUE(s.unanswered_sends().empty());
}

TEST(ClientSessionV2, ErrorForASendCarriesIt) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.send_to({"zed"}, "hi"));
  s.take_outbox();
  s.on_bytes(v2::encode_frame(v2::Error{2, "no_such_user", "no account named zed", {}}));
  const auto error = only<RequestError>(s.take_events());
  ASSERT_TRUE(error.send);
  EXPECT_EQ(error.send->text, "hi");
  EXPECT_EQ(error.code, "no_such_user");
}

TEST(ClientSessionV2, LoginErrorsAreRetryOrRejection) {
  ClientSession s = opened();
  ASSERT_TRUE(s.login("bob", "bad"));
  s.on_bytes(versions_reply(2) +
             v2::encode_frame(v2::Error{1, "bad_credentials", "Wrong password", {}}));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<LoginRetry>(events[1]).code, "bad_credentials");
  s.take_outbox();
  ASSERT_TRUE(s.login("bob", "bad"));  // a second attempt goes out as v2 at once
  ASSERT_EQ(drain_frames(s).size(), 1u);
  s.on_bytes(v2::encode_frame(v2::Error{2, "too_many_attempts", "Too many attempts", {}}));
  EXPECT_EQ(only<LoginRejected>(s.take_events()).code, "too_many_attempts");
}

TEST(ClientSessionV2, MessagesAndOwnCopies) {
  ClientSession s = v2_bob();
  s.on_bytes(v2::encode_frame(v2::Msg{"@alice,bob", 3, 1, kTs, "alice", {"bob"}, "hi", ""}) +
             v2::encode_frame(v2::Msg{"all", 9, 1, kTs, "alice", {}, "hey all", ""}) +
             // from bob's other device (another tag): shown as own
             v2::encode_frame(v2::Msg{"@bob,cam", 1, 1, kTs, "bob", {"cam"}, "yo", "other-4"}) +
             // a copy of this device's own send: the ack shows it, so it is not an event
             v2::encode_frame(v2::Msg{"@alice,bob", 4, 1, kTs, "bob", {"alice"}, "x", "tag-1"}));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 3u);
  const auto& direct = std::get<Message>(events[0]);
  EXPECT_EQ(direct.kind, MessageKind::OneToOne);
  EXPECT_EQ(direct.conv, "@alice,bob");
  EXPECT_EQ(direct.id, 3u);
  EXPECT_EQ(direct.ts, kTs);
  EXPECT_FALSE(direct.own);
  EXPECT_EQ(std::get<Message>(events[1]).kind, MessageKind::Broadcast);
  const auto& own = std::get<Message>(events[2]);
  EXPECT_TRUE(own.own);
  EXPECT_EQ(own.cid, "other-4");
}

TEST(ClientSessionV2, PresenceChangesKeepTheOnlineSet) {
  ClientSession s = v2_bob();
  s.on_bytes(v2::encode_frame(v2::Presence{false, {}, {"cam", "dan"}, {"alice"}}));
  const auto changed = only<PresenceChanged>(s.take_events());
  EXPECT_EQ(changed.joined, (std::vector<std::string>{"cam", "dan"}));
  EXPECT_EQ(s.online(), (std::set<std::string>{"bob", "cam", "dan"}));
}

TEST(ClientSessionV2, ByeEndsTheSessionAndUnknownFramesAreIgnored) {
  ClientSession s = v2_bob();
  s.on_bytes(v2::encode_frame(v2::Unknown{"typing", std::nullopt}));
  s.on_bytes(std::string("\0\0\0\x14", 4) + R"({"t":"typing","x":1})");
  EXPECT_TRUE(s.take_events().empty());
  ASSERT_TRUE(s.logout());
  s.on_bytes(v2::encode_frame(v2::Bye{2}));
  EXPECT_EQ(only<LoggedOut>(s.take_events()).sys, "Logout successful");
  EXPECT_EQ(s.state(), proto::ConnState::Disconnecting);
}

TEST(ClientSessionV2, ResendKeepsTheCidWithAFreshRid) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.send_to({"alice"}, "hi"));
  const OutgoingSend first = *s.last_send();
  s.take_outbox();
  ClientSession again = v2_bob();  // the next connection
  ASSERT_TRUE(again.resend(first));
  auto frames = drain_frames(again);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<v2::Send>(frames[0]), (v2::Send{2, {"alice"}, "", "hi", "tag-1"}));
}

TEST(ClientSessionV2, ServerFramesOnlyAndBadFramesAreViolations) {
  ClientSession s = v2_bob();
  s.on_bytes(v2::encode_frame(v2::Ping{9}));
  s.on_bytes(std::string("\0\0\0\x03", 4) + "{x}");
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ProtocolViolation>(events[0]));
  EXPECT_TRUE(std::holds_alternative<ProtocolViolation>(events[1]));
}

TEST(ClientSessionV2, LoginCarriesSince) {
  ClientSession s = opened();
  s.take_outbox();
  ASSERT_TRUE(s.login("alice", "p1", "dev-1", {{"#team", 40}, {"d:1:2", 17}}));
  s.on_bytes(versions_reply(2));
  s.take_events();
  auto frames = drain_frames(s);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(std::get<v2::Login>(frames[0]).since,
            (std::vector<v2::Since>{{"#team", 40}, {"d:1:2", 17}}));
}

TEST(ClientSessionV2, RoomRequestsAndTheirAnswers) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.join("#Team"));
  ASSERT_TRUE(s.send_to_room("#Team", "hi room"));
  ASSERT_TRUE(s.list_rooms());
  ASSERT_TRUE(s.list_rooms("#team"));
  ASSERT_TRUE(s.set_topic("#team", "release"));
  ASSERT_TRUE(s.list_members("#team"));
  ASSERT_TRUE(s.remove_member("#team", "cam"));
  ASSERT_TRUE(s.leave("#team"));
  ASSERT_TRUE(s.history("#Team", "", 20));
  ASSERT_TRUE(s.history("", "alice", 0));
  ASSERT_TRUE(s.mark_read("#team", 41));
  auto frames = drain_frames(s);
  ASSERT_EQ(frames.size(), 11u);
  EXPECT_EQ(std::get<v2::Join>(frames[0]), (v2::Join{2, "#Team"}));
  EXPECT_EQ(std::get<v2::Send>(frames[1]), (v2::Send{3, {}, "#team", "hi room", "tag-1"}));
  EXPECT_EQ(std::get<v2::SetTopic>(frames[4]), (v2::SetTopic{6, "#team", "release"}));
  EXPECT_EQ(std::get<v2::RemoveMember>(frames[6]), (v2::RemoveMember{8, "#team", "cam"}));
  EXPECT_EQ(std::get<v2::History>(frames[8]),
            (v2::History{10, "#team", "", std::nullopt, std::nullopt, 20}));
  EXPECT_EQ(std::get<v2::History>(frames[9]).with, "alice");
  EXPECT_EQ(std::get<v2::Read>(frames[10]), (v2::Read{12, "#team", 41}));

  const v2::RoomInfo info{"#Team", "", "bob", 1, true};
  const v2::Msg old{"#team", 1, 1, kTs, "alice", {}, "earlier", "c-1"};
  s.on_bytes(v2::encode_frame(v2::Room{2, info, "#team", true}) +
             v2::encode_frame(v2::Page{2, "#team", {old}, false, 0, 0, 0}) +
             v2::encode_frame(v2::RoomList{4, {info}}) + v2::encode_frame(v2::RoomList{5, {info}}) +
             v2::encode_frame(v2::Ok{6}) +
             v2::encode_frame(v2::MemberList{7, "#team", "bob", {"bob", "cam"}, {"bob"}}) +
             v2::encode_frame(v2::Ok{8}) + v2::encode_frame(v2::Ok{9}) +
             v2::encode_frame(v2::Page{11, "d:1:2", {}, true, 0, 0, 0}) +
             v2::encode_frame(v2::Ok{12}));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 10u);
  EXPECT_TRUE(std::get<RoomJoined>(events[0]).created);
  const auto& join_page = std::get<HistoryPage>(events[1]);
  EXPECT_EQ(join_page.origin, PageOrigin::Join);
  ASSERT_EQ(join_page.msgs.size(), 1u);
  EXPECT_EQ(join_page.msgs[0].kind, MessageKind::Room);
  EXPECT_EQ(std::get<RoomsListed>(events[2]).topic_of, "");
  EXPECT_EQ(std::get<RoomsListed>(events[3]).topic_of, "#team");
  EXPECT_EQ(std::get<RequestDone>(events[4]).what, Done::TopicSet);
  EXPECT_EQ(std::get<RequestDone>(events[4]).topic, "release");
  EXPECT_EQ(std::get<MembersListed>(events[5]).online, std::vector<std::string>{"bob"});
  const auto& removed = std::get<RequestDone>(events[6]);
  EXPECT_EQ(removed.what, Done::Removed);
  EXPECT_EQ(removed.user, "cam");
  EXPECT_EQ(std::get<RequestDone>(events[7]).what, Done::Left);
  const auto& direct = std::get<HistoryPage>(events[8]);
  EXPECT_EQ(direct.origin, PageOrigin::History);
  EXPECT_EQ(direct.label, "@alice") << "named after the history request";
  EXPECT_TRUE(direct.more);
  const auto& read = std::get<RequestDone>(events[9]);
  EXPECT_EQ(read.what, Done::Read);
  EXPECT_EQ(read.id, 41u);
}

TEST(ClientSessionV2, CatchUpPagesSyncedAndCursors) {
  ClientSession s = v2_bob();
  s.on_bytes(v2::encode_frame(v2::Page{std::nullopt,
                                       "d:1:2",
                                       {{"d:1:2", 5, 1, kTs, "alice", {"bob"}, "missed you", ""}},
                                       false,
                                       2,
                                       1,
                                       4}) +
             v2::encode_frame(v2::Synced{1, {{"d:1:2", 1}, {"#team", 3}}}) +
             v2::encode_frame(v2::RoomEvent{"#team", "join", "cam", "", ""}) +
             v2::encode_frame(v2::Cursor{"#team", 44}));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 4u);
  const auto& page = std::get<HistoryPage>(events[0]);
  EXPECT_EQ(page.origin, PageOrigin::CatchUp);
  EXPECT_EQ(page.expired, 2u);
  EXPECT_EQ(page.label, "@alice");
  EXPECT_EQ(std::get<CatchUpDone>(events[1]).unread,
            (std::vector<UnreadCount>{{"d:1:2", "@alice", 1}, {"#team", "#team", 3}}));
  EXPECT_EQ(std::get<RoomChanged>(events[2]).user, "cam");
  EXPECT_EQ(std::get<CursorMoved>(events[3]).id, 44u);

  // A catch-up page with `more`: the rest comes as a history answer, and is catch-up too.
  ASSERT_TRUE(s.catch_up_after("d:1:2", 5));
  auto frames = drain_frames(s);
  ASSERT_EQ(frames.size(), 1u);
  const auto rest = std::get<v2::History>(frames[0]);
  EXPECT_EQ(rest, (v2::History{rest.rid, "d:1:2", "", std::nullopt, 5, 0}));
  s.on_bytes(v2::encode_frame(v2::Page{rest.rid, "d:1:2", {}, false, 0, 0, 0}));
  EXPECT_EQ(only<HistoryPage>(s.take_events()).origin, PageOrigin::CatchUp);
}

TEST(ClientSessionV2, RoomErrorsNameTheirRequest) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.send_to_room("#team", "hi"));
  ASSERT_TRUE(s.join("#x"));
  ASSERT_TRUE(s.mark_read("#team", 3));
  s.take_outbox();
  s.on_bytes(v2::encode_frame(v2::Error{2, "not_member", "not a member of #team", {}}) +
             v2::encode_frame(v2::Error{3, "too_many_rooms", "at most 100 rooms", {}}) +
             v2::encode_frame(v2::Error{4, "unknown_type", "no read here", {}}));
  auto events = s.take_events();
  ASSERT_EQ(events.size(), 2u);
  const auto& refused = std::get<RequestError>(events[0]);
  ASSERT_TRUE(refused.send);
  EXPECT_EQ(refused.send->conv, "#team");
  EXPECT_EQ(std::get<RequestError>(events[1]).rid, 3u);
  EXPECT_TRUE(s.unanswered_sends().empty());
  // events.size() == 2 above: a refused read is not reported.
}

TEST(ClientSessionV2, PasswdIsARequestAnsweredByOk) {
  ClientSession s = v2_bob();
  ASSERT_TRUE(s.change_password("p2", "p3"));
  EXPECT_EQ(drain_frames(s), (std::vector<v2::Frame>{v2::Passwd{2, "p2", "p3"}}));
  s.on_bytes(v2::encode_frame(v2::Ok{2}));
  const auto done = only<RequestDone>(s.take_events());
  EXPECT_EQ(done.what, Done::PasswordChanged);
  EXPECT_EQ(done.user, "bob");
  ASSERT_TRUE(s.change_password("p3", "p4"));
  s.take_outbox();
  s.on_bytes(v2::encode_frame(v2::Error{3, "wrong_password", "the old password is wrong", {}}));
  EXPECT_EQ(only<RequestError>(s.take_events()).code, "wrong_password");
  ClientSession v1 = opened();
  EXPECT_FALSE(v1.change_password("a", "b"));  // no version yet: not v2
}

// The login waits for the registration's answer: checked before the account is stored, it
// would fail.
TEST(ClientSessionV2, RegisterThenLogIn) {
  ClientSession s = opened();
  s.take_outbox();
  ASSERT_TRUE(s.register_and_login("dan", "p4", "d-9"));
  EXPECT_TRUE(s.take_outbox().empty());  // held for the VERSIONS reply
  s.on_bytes(versions_reply(2));
  s.take_events();
  EXPECT_EQ(drain_frames(s), (std::vector<v2::Frame>{v2::Register{1, "dan", "p4"}}));
  s.on_bytes(v2::encode_frame(v2::Ok{1}));
  const auto done = only<RequestDone>(s.take_events());
  EXPECT_EQ(done.what, Done::Registered);
  EXPECT_EQ(done.user, "dan");
  EXPECT_EQ(drain_frames(s), (std::vector<v2::Frame>{v2::Login{2, "dan", "p4", "d-9", {}}}));
}

TEST(ClientSessionV2, ARefusedRegistrationEndsTheDialogue) {
  ClientSession s = opened();
  ASSERT_TRUE(s.register_and_login("dan", "p4"));
  s.on_bytes(versions_reply(2));
  s.take_events();
  s.take_outbox();
  s.on_bytes(v2::encode_frame(v2::Error{1, "name_taken", "the name dan is taken", {}}));
  const auto rejected = only<LoginRejected>(s.take_events());
  EXPECT_EQ(rejected.code, "name_taken");
  EXPECT_EQ(rejected.error, "the name dan is taken");
  EXPECT_TRUE(s.take_outbox().empty());  // no login follows
  ClientSession v1 = opened();
  ASSERT_TRUE(v1.register_and_login("dan", "p4"));
  v1.take_outbox();
  v1.on_bytes(versions_reply(1));
  auto events = v1.take_events();
  ASSERT_EQ(events.size(), 2u);  // VersionSelected, then the refusal
  EXPECT_EQ(std::get<LoginRejected>(events[1]).code, "v1");
  EXPECT_TRUE(v1.take_outbox().empty());
}

}  // namespace
}  // namespace qc::client
