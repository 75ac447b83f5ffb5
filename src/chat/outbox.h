// Builds the core's actions: encodes PDUs once and appends Send / Deliver / Close /
// VerifyPassword, and the store's Store / ReadStore.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/types.h"
#include "proto/close_codes.h"
#include "proto/codec.h"
#include "proto/pdu.h"

namespace qc::chat {

// The encoded bytes of one whole PDU, ready to share between many recipients.
SharedBytes encode_pdu(proto::MsgType type, std::string body);
// An error reply ({"error": ...}) of at most `limit` bytes: a text too long is cut and ends "...".
SharedBytes error_pdu_within(proto::MsgType type, std::string_view error, std::size_t limit);
// A user-list PDU (LOGIN_ACK, LOGIN_BROADCAST, LOGOUT_BROADCAST) of at most `limit` bytes: the
// longest tail of `users` (the latest logins) whose PDU fits; all of them when it fits whole.
SharedBytes presence_pdu(proto::MsgType type, const proto::UserList& users, std::size_t limit);

class Outbox {
 public:
  std::vector<Action>& actions() { return actions_; }

  void send(ConnHandle conn, proto::MsgType type, std::string body);
  void send(ConnHandle conn, SharedBytes bytes) {
    actions_.emplace_back(action::Send{conn, std::move(bytes)});
  }
  void deliver(SharedBytes bytes, std::vector<ConnHandle> recipients, bool replaceable) {
    actions_.emplace_back(action::Deliver{std::move(bytes), std::move(recipients), replaceable});
  }
  void send_error(ConnHandle conn, proto::MsgType type, std::string_view error);  // {"error": ...}
  void close(ConnHandle conn, proto::CloseCode code, std::string_view reason);
  void verify_password(ConnHandle conn, std::uint64_t ticket, std::string username,
                       std::string password);
  void change_password(action::ChangePassword request) {
    actions_.emplace_back(std::move(request));
  }
  void create_account(action::CreateAccount request) { actions_.emplace_back(std::move(request)); }
  void probe(ConnHandle conn) { actions_.emplace_back(action::Probe{conn}); }
  void store(std::uint64_t ticket, std::vector<history::Op> ops) {
    actions_.emplace_back(action::Store{ticket, std::move(ops)});
  }
  // Built in place: GCC warns of a moved variant's member "maybe uninitialized" otherwise.
  template <class Event>
  void publish(Event event) {
    auto& a = std::get<action::Publish>(actions_.emplace_back(std::in_place_type<action::Publish>));
    a.event.template emplace<Event>(std::move(event));
  }
  void take_v1_ids(std::uint64_t count, std::uint64_t above) {
    actions_.emplace_back(action::TakeV1Ids{count, above});
  }
  // Built in place, as publish() does: moving a whole ReadStore into the vector makes GCC 12 at
  // -O2 warn (-Wmaybe-uninitialized) about the variant's other alternative.
  void read_store(std::uint64_t ticket, history::Query query) {
    auto& a =
        std::get<action::ReadStore>(actions_.emplace_back(std::in_place_type<action::ReadStore>));
    a.ticket = ticket;
    a.query = std::move(query);
  }

 private:
  std::vector<Action> actions_;
};

}  // namespace qc::chat
