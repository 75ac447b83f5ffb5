// Clients that read one PDU per packet (the original's, ALPN echo-protocol): no PDU longer than
// their limit is sent to them (issue 15 item 8).
#include <gtest/gtest.h>

#include <cstdio>

#include "chat/outbox.h"
#include "chat/router.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

constexpr std::size_t kLimit = 1040;
const std::string kLong(2000, 'x');

std::string too_long(std::string_view names, std::size_t limit = kLimit) {
  return "1 MSG_UNSUCCESSFUL Message too long for " + std::string(names) +
         " (their client takes at most " + std::to_string(limit) + " bytes per message)";
}

// The encoded size of `sender`'s ONE_TO_ONE delivery of `text`.
std::size_t delivery_bytes(std::uint64_t sender_id, const std::string& sender,
                           const std::string& text) {
  return encode_pdu(MsgType::OneToOne, proto::encode_delivery({sender_id, sender, text}))->size();
}

// Opens `conn`, logs `user` in and returns the actions of the successful password check.
std::vector<Action> login_actions(Harness& h, ConnHandle conn, const std::string& user,
                                  std::optional<std::size_t> limit) {
  h.open(conn, limit);
  h.feed(conn, login_pdu(user, "pw"));
  const std::uint64_t ticket = h.last_ticket();
  h.take();
  h.core.password_checked(conn, ticket, PasswordCheck::Ok, h.now);
  return h.take();
}

std::size_t pdu_bytes(const Action& a) {
  if (const auto* send = std::get_if<action::Send>(&a)) return send->bytes->size();
  return std::get<action::Deliver>(a).bytes->size();
}

TEST(PacketLimit, DirectMessageTooLongForTheTargetIsRefusedWithAnErrorNamingIt) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob", kLimit);
  h.drain();
  h.feed(1, one_to_one_pdu("2", kLong));
  EXPECT_EQ(h.drain(), (Lines{too_long("bob")}));
  EXPECT_EQ(h.core.stats().deliveries, 0u);
  h.feed(1, one_to_one_pdu("2", "short"));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): short"}));
}

TEST(PacketLimit, LimitCountsWholePduBytes) {
  Harness h;
  h.join(1, "alice");
  const std::string fits(900, 'y');
  const std::size_t bytes = delivery_bytes(1, "alice", fits);
  h.join(2, "bob", bytes);
  h.drain();
  h.feed(1, one_to_one_pdu("2", fits));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): " + fits}));
  h.feed(1, one_to_one_pdu("2", fits + "y"));
  EXPECT_EQ(h.drain(), (Lines{too_long("bob", bytes)}));
}

// The others get the message; the error comes after the other target errors and gives the
// smallest limit among the clients it names.
TEST(PacketLimit, OneToManyReachesTheOthersAndTheErrorComesLast) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob", kLimit);
  h.join(3, "cam");
  h.join(4, "dan", 900);
  h.drain();
  h.feed(1, one_to_many_pdu("2,3,4,9", kLong));
  EXPECT_EQ(h.drain(),
            (Lines{"3 ONE_TO_MANY alice(1): " + kLong,
                   "1 MSG_UNSUCCESSFUL Target user not available", too_long("bob, dan", 900)}));
  EXPECT_EQ(h.core.stats().deliveries, 1u);
}

TEST(PacketLimit, BroadcastFromAnEchoProtocolSenderNamesTheSenderToo) {
  Harness h;
  h.join(1, "alice", kLimit);
  h.join(2, "bob");
  h.drain();
  h.feed(1, broadcast_pdu(kLong));
  EXPECT_EQ(h.drain(), (Lines{"2 BROADCAST alice(1): " + kLong, too_long("alice")}));
}

TEST(PacketLimit, AfterFiveNamesTheErrorCountsTheRest) {
  Harness h;
  h.join(1, "alice");
  const std::vector<std::string> names = {"bob", "cam", "dan", "eve", "fay", "gus", "hal", "ivy"};
  for (std::size_t i = 0; i < names.size(); ++i) h.join(i + 2, names[i], kLimit);
  h.drain();
  h.feed(1, broadcast_pdu(kLong));
  EXPECT_EQ(h.drain(), (Lines{"1 BROADCAST alice(1): " + kLong,
                              too_long("bob, cam, dan, eve, fay and 3 more")}));
  EXPECT_EQ(too_long_for_error({"bob"}, 7),
            "Message too long for bob (their client takes at most 7 bytes per message)");
}

// A user list longer than the limit: the client gets the longest tail that fits (the latest
// logins, itself included); clients without a limit get the whole list.
TEST(PacketLimit, PresenceListsAreCutToTheLongestTailThatFits) {
  Harness h;
  for (ConnHandle c = 1; c <= 40; ++c) h.join(c, "user" + std::to_string(c));
  h.drain();
  std::vector<Action> actions = login_actions(h, 41, "echo", kLimit);
  ASSERT_EQ(actions.size(), 2u);  // LOGIN_BROADCAST to the 40, LOGIN_ACK to echo
  const auto& ack = std::get<action::Send>(actions[1]);
  auto pdu = proto::decode(*ack.bytes);
  ASSERT_TRUE(pdu);
  auto users = proto::decode_user_list(pdu->msg);
  ASSERT_TRUE(users);
  EXPECT_LE(ack.bytes->size(), kLimit);
  std::printf("LOGIN_ACK for a 1040-byte client: the last %zu of 41 users, %zu bytes\n",
              users->size(), ack.bytes->size());
  ASSERT_LT(users->size(), 41u);
  EXPECT_EQ(users->back().username, "echo");
  EXPECT_EQ(users->front().user_id, 41 - users->size() + 1);
  const proto::UserList all = h.core.active_users();
  const proto::UserList one_more(all.end() - static_cast<std::ptrdiff_t>(users->size()) - 1,
                                 all.end());
  EXPECT_GT(encode_pdu(MsgType::LoginAck, proto::encode_user_list(one_more))->size(), kLimit);

  actions = login_actions(h, 42, "late", std::nullopt);
  ASSERT_EQ(actions.size(), 3u);  // the whole list to 1..40, the tail to 41, LOGIN_ACK to 42
  const auto& whole = std::get<action::Deliver>(actions[0]);
  const auto& tail = std::get<action::Deliver>(actions[1]);
  EXPECT_EQ(whole.recipients.size(), 40u);
  EXPECT_EQ(tail.recipients, (std::vector<ConnHandle>{41}));
  EXPECT_TRUE(tail.replaceable);
  EXPECT_LE(tail.bytes->size(), kLimit);
  EXPECT_GT(whole.bytes->size(), kLimit);
}

// The server's own error replies quote what the client sent (a target id): cut to fit.
TEST(PacketLimit, ErrorRepliesAreCutToFit) {
  Harness h;
  h.join(1, "alice", kLimit);
  h.drain();
  h.feed(1, one_to_one_pdu(std::string(3000, 'z'), "hi"));
  std::vector<Action> actions = h.take();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_LE(pdu_bytes(actions[0]), kLimit);
  const std::string line = Rendered{}(std::get<action::Send>(actions[0]))[0];
  EXPECT_EQ(line.rfind("1 MSG_UNSUCCESSFUL Invalid target user id 'zzz", 0), 0u) << line;
  EXPECT_EQ(line.substr(line.size() - 3), "...");
  EXPECT_GT(line.size(), kLimit / 2);  // cut to the limit, not to nothing
}

TEST(PacketLimit, ClientsWithoutALimitTakeAnySize) {
  Harness h;
  h.join(1, "alice");
  h.join(2, "bob");
  h.drain();
  const std::string huge(30000, 'w');
  h.feed(1, one_to_one_pdu("2", huge));
  EXPECT_EQ(h.drain(), (Lines{"2 ONE_TO_ONE alice(1): " + huge}));
  h.feed(1, one_to_one_pdu(std::string(3000, 'z'), "hi"));
  EXPECT_EQ(h.drain(),
            (Lines{"1 MSG_UNSUCCESSFUL Invalid target user id '" + std::string(3000, 'z') + "'"}));
}

}  // namespace
}  // namespace qc::chat::testing
