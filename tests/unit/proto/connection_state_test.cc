#include "proto/connection_state.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace qc::proto {
namespace {

using S = ConnState;
using E = ConnEvent;

constexpr S kStates[] = {S::Disconnected,   S::Connecting,    S::Connected, S::Authenticated,
                         S::SendingMessage, S::Disconnecting, S::Error};
constexpr E kEvents[] = {E::Connect, E::Established, E::LoginSucceeded, E::MessageSent, E::Fail,
                         E::Recover, E::GiveUp,      E::Disconnect,     E::Closed};

// The expected table, written independently of the implementation (Recover handled apart).
const std::map<std::pair<S, E>, S>& expected_table() {
  static const std::map<std::pair<S, E>, S> table{
      {{S::Disconnected, E::Connect}, S::Connecting},
      {{S::Connecting, E::Established}, S::Connected},
      {{S::Connecting, E::Fail}, S::Error},
      {{S::Connecting, E::Disconnect}, S::Disconnecting},
      {{S::Connecting, E::Closed}, S::Disconnected},
      {{S::Connected, E::LoginSucceeded}, S::Authenticated},
      {{S::Connected, E::Fail}, S::Error},
      {{S::Connected, E::Disconnect}, S::Disconnecting},
      {{S::Authenticated, E::MessageSent}, S::SendingMessage},
      {{S::Authenticated, E::Fail}, S::Error},
      {{S::Authenticated, E::Disconnect}, S::Disconnecting},
      {{S::SendingMessage, E::MessageSent}, S::SendingMessage},
      {{S::SendingMessage, E::Fail}, S::Error},
      {{S::SendingMessage, E::Disconnect}, S::Disconnecting},
      {{S::Disconnecting, E::Fail}, S::Error},
      {{S::Disconnecting, E::Closed}, S::Disconnected},
      {{S::Error, E::GiveUp}, S::Disconnecting},
      {{S::Error, E::Disconnect}, S::Disconnecting},
  };
  return table;
}

// Drives a fresh DFA into `target` through allowed transitions.
ConnectionDfa dfa_in(S target) {
  const std::map<S, std::vector<E>> paths{
      {S::Disconnected, {}},
      {S::Connecting, {E::Connect}},
      {S::Connected, {E::Connect, E::Established}},
      {S::Authenticated, {E::Connect, E::Established, E::LoginSucceeded}},
      {S::SendingMessage, {E::Connect, E::Established, E::LoginSucceeded, E::MessageSent}},
      {S::Disconnecting, {E::Connect, E::Established, E::Disconnect}},
      {S::Error, {E::Connect, E::Established, E::Fail}},
  };
  ConnectionDfa dfa;
  for (E e : paths.at(target)) EXPECT_TRUE(dfa.apply(e).ok());
  EXPECT_EQ(dfa.state(), target);
  return dfa;
}

TEST(ConnectionDfa, StartsDisconnected) {
  ConnectionDfa dfa;
  EXPECT_EQ(dfa.state(), S::Disconnected);
  EXPECT_FALSE(dfa.previous().has_value());
}

TEST(ConnectionDfa, EveryStateEventPair) {
  const auto& table = expected_table();
  for (S from : kStates) {
    for (E event : kEvents) {
      if (event == E::Recover) continue;  // covered by the Recover tests
      SCOPED_TRACE(std::string(conn_state_name(from)) + " on " +
                   std::string(conn_event_name(event)));
      ConnectionDfa dfa = dfa_in(from);
      auto result = dfa.apply(event);
      auto it = table.find({from, event});
      if (it != table.end()) {
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(*result, it->second);
        EXPECT_EQ(dfa.state(), it->second);
        EXPECT_EQ(next_state(from, event), it->second);
      } else {
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(dfa.state(), from);
        EXPECT_EQ(next_state(from, event), std::nullopt);
        EXPECT_NE(result.error().message.find(conn_state_name(from)), std::string::npos);
        EXPECT_NE(result.error().message.find(conn_event_name(event)), std::string::npos);
      }
    }
  }
}

TEST(ConnectionDfa, ErrorMessageNamesBothStatesAndTheEvent) {
  ConnectionDfa dfa = dfa_in(S::Connected);
  auto r = dfa.apply(E::MessageSent);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid transition CONNECTED -> SENDING_MESSAGE on MessageSent");
  EXPECT_EQ(r.error().code, "invalid_transition");
}

TEST(ConnectionDfa, RecoverReturnsToTheRememberedState) {
  for (S from :
       {S::Connecting, S::Connected, S::Authenticated, S::SendingMessage, S::Disconnecting}) {
    ConnectionDfa dfa = dfa_in(from);
    ASSERT_TRUE(dfa.apply(E::Fail).ok());
    EXPECT_EQ(dfa.state(), S::Error);
    EXPECT_EQ(dfa.previous(), from);
    auto r = dfa.apply(E::Recover);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, from);
    EXPECT_FALSE(dfa.previous().has_value());
  }
}

TEST(ConnectionDfa, RecoverOutsideErrorIsRejected) {
  for (S from : kStates) {
    if (from == S::Error) continue;
    ConnectionDfa dfa = dfa_in(from);
    auto r = dfa.apply(E::Recover);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(dfa.state(), from);
    EXPECT_NE(r.error().message.find("on Recover"), std::string::npos);
  }
  EXPECT_EQ(next_state(S::Error, E::Recover), std::nullopt);  // depends on the remembered state
}

TEST(ConnectionDfa, GiveUpLeadsToDisconnectingAndForgetsThePast) {
  ConnectionDfa dfa = dfa_in(S::Authenticated);
  ASSERT_TRUE(dfa.apply(E::Fail).ok());
  ASSERT_TRUE(dfa.apply(E::GiveUp).ok());
  EXPECT_EQ(dfa.state(), S::Disconnecting);
  EXPECT_FALSE(dfa.previous().has_value());
  ASSERT_TRUE(dfa.apply(E::Closed).ok());
  EXPECT_EQ(dfa.state(), S::Disconnected);
}

TEST(Accepts, NothingTravelsOutsideAnOpenConnection) {
  for (S s : {S::Disconnected, S::Connecting, S::Error}) {
    for (MsgType t : kAllMsgTypes) {
      EXPECT_FALSE(accepts(s, Direction::ClientToServer, t));
      EXPECT_FALSE(accepts(s, Direction::ServerToClient, t));
    }
  }
}

TEST(Accepts, ServerReceivingInConnected) {
  EXPECT_TRUE(accepts(S::Connected, Direction::ClientToServer, MsgType::Versions));
  EXPECT_TRUE(accepts(S::Connected, Direction::ClientToServer, MsgType::Login));
  EXPECT_FALSE(accepts(S::Connected, Direction::ClientToServer, MsgType::Alive));
  EXPECT_FALSE(accepts(S::Connected, Direction::ClientToServer, MsgType::OneToOne));
  EXPECT_FALSE(accepts(S::Connected, Direction::ClientToServer, MsgType::Logout));
  EXPECT_FALSE(accepts(S::Connected, Direction::ClientToServer, MsgType::LoginAck));
}

TEST(Accepts, ServerReceivingWhenAuthenticated) {
  for (S s : {S::Authenticated, S::SendingMessage}) {
    for (MsgType t : {MsgType::Alive, MsgType::OneToOne, MsgType::OneToMany, MsgType::Broadcast,
                      MsgType::Logout}) {
      EXPECT_TRUE(accepts(s, Direction::ClientToServer, t));
    }
    EXPECT_FALSE(accepts(s, Direction::ClientToServer, MsgType::Login));  // no second login
    EXPECT_FALSE(accepts(s, Direction::ClientToServer, MsgType::Versions));
    EXPECT_FALSE(accepts(s, Direction::ClientToServer, MsgType::LogoutAck));
  }
}

TEST(Accepts, ClientReceivingInConnected) {
  for (MsgType t : {MsgType::Versions, MsgType::LoginAck, MsgType::LoginUnsuccessfulRetry,
                    MsgType::LoginUnsuccessfulDisconnect, MsgType::MsgUnsuccessful}) {
    EXPECT_TRUE(accepts(S::Connected, Direction::ServerToClient, t));
  }
  EXPECT_FALSE(accepts(S::Connected, Direction::ServerToClient, MsgType::Broadcast));
  EXPECT_FALSE(accepts(S::Connected, Direction::ServerToClient, MsgType::LoginBroadcast));
}

TEST(Accepts, ClientReceivingWhenAuthenticated) {
  for (S s : {S::Authenticated, S::SendingMessage}) {
    for (MsgType t :
         {MsgType::LoginBroadcast, MsgType::LogoutBroadcast, MsgType::OneToOne, MsgType::OneToMany,
          MsgType::Broadcast, MsgType::MsgUnsuccessful, MsgType::LogoutAck}) {
      EXPECT_TRUE(accepts(s, Direction::ServerToClient, t));
    }
    EXPECT_FALSE(accepts(s, Direction::ServerToClient, MsgType::LoginAck));
    EXPECT_FALSE(accepts(s, Direction::ServerToClient, MsgType::Login));
  }
}

TEST(Accepts, Disconnecting) {
  EXPECT_TRUE(accepts(S::Disconnecting, Direction::ServerToClient, MsgType::LogoutAck));
  EXPECT_TRUE(
      accepts(S::Disconnecting, Direction::ServerToClient, MsgType::LoginUnsuccessfulDisconnect));
  EXPECT_FALSE(accepts(S::Disconnecting, Direction::ServerToClient, MsgType::Broadcast));
  for (MsgType t : kAllMsgTypes)
    EXPECT_FALSE(accepts(S::Disconnecting, Direction::ClientToServer, t));
}

TEST(ConnectionDfa, Names) {
  EXPECT_EQ(conn_state_name(S::SendingMessage), "SENDING_MESSAGE");
  EXPECT_EQ(conn_event_name(E::LoginSucceeded), "LoginSucceeded");
}

}  // namespace
}  // namespace qc::proto
