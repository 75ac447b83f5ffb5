// Protocol v2: choosing v2, login and devices, ping, logout, refused and unknown frames.
#include <gtest/gtest.h>

#include <cctype>

#include "conformance/v2_suite.h"
#include "proto/alpn.h"
#include "proto/close_codes.h"

namespace qc::conformance {
namespace {

using proto::MsgType;
namespace code = v2::code;

// Runs on every ALPN: the only v2 test that is not skipped on echo-protocol.
class V2Negotiation : public V2Test {
 protected:
  void SetUp() override {}
};

TEST_F(V2Negotiation, OfferOf1And2Selects2OnlyOnQuicchat) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  auto version = p->negotiate({1, 2});
  if (p->v1().info().alpn == proto::kAlpnQuicchat) {
    EXPECT_EQ(version, 2);
    return;
  }
  EXPECT_EQ(version, 1) << "ALPN " << p->v1().info().alpn << " is always v1";
  auto users = p->v1().login(user(0).name, user(0).password);  // VERSIONS again, then LOGIN
  EXPECT_FALSE(users.empty()) << "the session must go on in v1";
}

class V2Session : public V2Test {};

TEST_F(V2Session, OfferOf1StillGets1AndTheSessionStaysV1) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->negotiate({1}), 1);
  p->v1().send(MsgType::Login, proto::encode_login({user(0).name, user(0).password}));
  EXPECT_TRUE(p->v1().expect(MsgType::LoginAck));
}

TEST_F(V2Session, OfferOf1And2ThatIsNotTheFirstPduGets1) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  // A failed login as the first PDU (cam's: the v1 part spends most of alice's login budget).
  p->v1().send(MsgType::Login, proto::encode_login({user(2).name, "wrong"}));
  ASSERT_TRUE(p->v1().expect(MsgType::LoginUnsuccessfulRetry));
  EXPECT_EQ(p->negotiate({1, 2}), 1) << "a session never changes framing in its middle";
  p->v1().send(MsgType::Login, proto::encode_login({user(2).name, user(2).password}));
  EXPECT_TRUE(p->v1().expect(MsgType::LoginAck));
}

TEST_F(V2Session, LoginWrittenInThePacketOfTheOfferIsReadAsV2) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  p->expect_v2_reply();
  v2::RequestId rid = p->next_rid();
  p->send_raw(
      proto::encode(proto::make_pdu(MsgType::Versions, proto::encode_versions_request({{1, 2}}))) +
      v2::encode_frame(v2::Login{rid, user(0).name, user(0).password, ""}));
  auto reply = p->v1().expect(MsgType::Versions);
  ASSERT_TRUE(reply);
  EXPECT_EQ(proto::decode_versions_reply(reply->msg)->selected_version, 2);
  auto welcome = p->expect<v2::Welcome>();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->rid, rid);
}

TEST_F(V2Session, LoginInAnyCaseGetsWelcomeWithTheStoredNameThenASnapshot) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  ASSERT_EQ(p->negotiate(), 2);
  std::string shouted = user(0).name;
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v2::RequestId rid = p->send(v2::Login{0, shouted, user(0).password, "conf-laptop"});
  auto welcome = p->expect<v2::Welcome>();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->rid, rid);
  EXPECT_EQ(welcome->user, user(0).name);
  EXPECT_EQ(welcome->device, "conf-laptop");
  EXPECT_GT(welcome->ts, 0);
  // What comes right after the welcome, presence changes included.
  auto first = p->next();
  ASSERT_TRUE(first);
  auto* snapshot = frame_as<v2::Presence>(*first);
  ASSERT_TRUE(snapshot && snapshot->snapshot) << "not a snapshot: " << itest::describe(*first);
  // The snapshot is the state as of the server's last presence flush: the newcomer may come in
  // the next change.
  const std::string name = user(0).name;
  EXPECT_TRUE(p->await_online([&](const auto& online) { return online.count(name) > 0; }))
      << "the snapshot plus the changes must list the newcomer";
}

TEST_F(V2Session, WrongPasswordIsBadCredentialsNamingTheRidAndALoginMayFollow) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  ASSERT_EQ(p->negotiate(), 2);
  v2::RequestId rid = p->send(v2::Login{0, user(1).name, "wrong", ""});
  auto error = p->expect<v2::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, rid);
  EXPECT_EQ(error->code, code::kBadCredentials);
  EXPECT_FALSE(error->text.empty());
  p->send(v2::Login{0, user(1).name, user(1).password, ""});
  EXPECT_TRUE(p->expect<v2::Welcome>());
}

TEST_F(V2Session, SendBeforeLoginIsNotLoggedIn) {
  auto p = v2_connect();
  ASSERT_TRUE(p);
  ASSERT_EQ(p->negotiate(), 2);
  v2::RequestId rid = p->send_all("too early");
  auto error = p->expect<v2::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, rid);
  EXPECT_EQ(error->code, code::kNotLoggedIn);
}

TEST_F(V2Session, LoginOnALoggedInSessionIsAlreadyLoggedIn) {
  auto p = v2_login(0);
  ASSERT_TRUE(p);
  v2::RequestId rid = p->send(v2::Login{0, user(1).name, user(1).password, ""});
  auto error = p->expect<v2::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, rid);
  EXPECT_EQ(error->code, code::kAlreadyLoggedIn);
}

// Accounts users manage (docs/PROTOCOL.md II.7): passwd only after login, register only before;
// a wrong old password changes nothing and the session goes on.
TEST_F(V2Session, PasswdNeedsALoginAndRegisterNone) {
  auto early = v2_connect();
  ASSERT_TRUE(early);
  ASSERT_EQ(early->negotiate(), 2);
  v2::RequestId rid = early->send(v2::Passwd{0, "a", "b"});
  auto error = early->expect<v2::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, rid);
  EXPECT_EQ(error->code, code::kNotLoggedIn);

  // A wrong old password is not tried here: it spends one of the account's login attempts
  // (the server's per-account rate limit), which the suite's other cases need; the chat core's
  // unit tests and it_client_account_test cover it.
  auto p = v2_login(0);
  ASSERT_TRUE(p);
  rid = p->send(v2::Register{0, "conf-new", "pw"});
  error = p->expect<v2::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, rid);
  EXPECT_EQ(error->code, code::kAlreadyLoggedIn);
}

TEST_F(V2Session, TwoDevicesOfOneAccountAreOnlineAtOnce) {
  v2::Welcome first_welcome, second_welcome;
  auto first = v2_login(0, "conf-phone", &first_welcome);
  auto second = v2_login(0, "conf-laptop", &second_welcome);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first_welcome.account, second_welcome.account);
  EXPECT_EQ(second_welcome.device, "conf-laptop");
  EXPECT_TRUE(first->sync().empty());
  EXPECT_TRUE(second->sync().empty());
  EXPECT_FALSE(first->closed());
}

TEST_F(V2Session, SameDeviceLoggingInAgainReplacesItsOldSession) {
  auto old_session = v2_login(0, "conf-phone");
  ASSERT_TRUE(old_session);
  auto new_session = v2_login(0, "conf-phone");
  ASSERT_TRUE(new_session);
  auto closed = old_session->wait_closed();
  ASSERT_TRUE(closed) << "the old session of the device was not closed";
  EXPECT_EQ(closed->kind, quic::CloseKind::Peer);
  EXPECT_EQ(closed->app_error_code, static_cast<std::uint64_t>(proto::CloseCode::Replaced))
      << closed->reason;
  EXPECT_TRUE(new_session->sync().empty());
}

TEST_F(V2Session, PingIsAnsweredByPongWithItsRid) {
  auto p = v2_login(0);
  ASSERT_TRUE(p);
  p->send(v2::Ping{4242});
  auto pong = p->expect<v2::Pong>();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->rid, 4242u);
}

TEST_F(V2Session, LogoutIsAnsweredByByeThenTheClose) {
  auto p = v2_login(0);
  ASSERT_TRUE(p);
  v2::RequestId rid = p->send(v2::Logout{});
  auto bye = p->expect<v2::Bye>();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->rid, rid);
  auto closed = p->wait_closed();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->app_error_code, static_cast<std::uint64_t>(proto::CloseCode::NoError));
}

class V2Robustness : public V2Test {
 protected:
  // Logs in, sends `body` as one frame and returns the error that answers it; the session must
  // go on (a ping after it is answered, with nothing else before the pong).
  std::optional<v2::Error> refusal_of(std::string_view body) {
    auto p = v2_login(0);
    if (!p) return std::nullopt;
    p->send_body(body);
    auto error = p->expect<v2::Error>();
    EXPECT_TRUE(p->sync().empty()) << "the session must go on";
    return error;
  }
};

TEST_F(V2Robustness, UnknownFrameTypeIsUnknownTypeNamingTheRidAndTheSessionGoesOn) {
  auto error = refusal_of(R"({"t":"typing","rid":9,"to":["bob"]})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, 9u);
  EXPECT_EQ(error->code, code::kUnknownType);
}

TEST_F(V2Robustness, ServerFrameFromTheClientIsBadFrameAndTheSessionGoesOn) {
  // A pong's rid echoes a ping of the other side: it names no request of this client, so the
  // error need not name it.
  auto error = refusal_of(R"({"t":"pong","rid":33})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, code::kBadFrame) << error->text;
}

TEST_F(V2Robustness, UndecodableFrameIsBadFrameNamingItsRid) {
  auto error = refusal_of(R"({"t":"send","rid":34,"to":"not an array","text":"x"})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rid, 34u);
  EXPECT_EQ(error->code, code::kBadFrame) << error->text;
}

TEST_F(V2Robustness, UnknownMembersAreIgnored) {
  auto alice = v2_login(0);
  auto bob = v2_login(1);
  ASSERT_TRUE(alice && bob);
  alice->send_body(R"({"t":"send","rid":31,"conv":"all","text":"x","colour":{"deep":[1,2]}})");
  auto ack = alice->expect<v2::Ack>();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->rid, 31u);
  auto msg = bob->expect<v2::Msg>();
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->text, "x");
}

}  // namespace
}  // namespace qc::conformance
