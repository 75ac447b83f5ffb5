#include "chat/outbox.h"

#include <utility>

#include "proto/codec.h"

namespace qc::chat {

SharedBytes encode_pdu(proto::MsgType type, std::string body) {
  return make_shared_bytes(proto::encode(proto::make_pdu(type, std::move(body))));
}

namespace {

SharedBytes error_pdu(proto::MsgType type, std::string_view error) {
  return encode_pdu(type, proto::encode_error(proto::ErrorReply{std::string(error)}));
}

// The length of the longest prefix of `text` of at most `n` bytes that ends at a character.
std::size_t utf8_prefix(std::string_view text, std::size_t n) {
  if (n >= text.size()) return text.size();
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace

// Escaping only ever makes text longer, so cutting k bytes of text shortens the PDU by at least
// k: one cut by the excess (plus the marker) is enough, the loop is a guard.
SharedBytes error_pdu_within(proto::MsgType type, std::string_view error, std::size_t limit) {
  constexpr std::string_view kCut = "...";
  SharedBytes bytes = error_pdu(type, error);
  std::string_view text = error;
  while (bytes->size() > limit && !text.empty()) {
    const std::size_t excess = bytes->size() - limit + kCut.size();
    text = text.substr(0, utf8_prefix(text, text.size() > excess ? text.size() - excess : 0));
    bytes = error_pdu(type, std::string(text) + std::string(kCut));
  }
  return bytes;
}

namespace {

SharedBytes user_list_pdu(proto::MsgType type, const proto::UserList& users, std::size_t skip) {
  return encode_pdu(type,
                    proto::encode_user_list(proto::UserList(users.begin() + skip, users.end())));
}

}  // namespace

// Dropping entries only shortens the PDU, so the fewest to drop is found by bisection.
SharedBytes presence_pdu(proto::MsgType type, const proto::UserList& users, std::size_t limit) {
  SharedBytes whole = user_list_pdu(type, users, 0);
  if (whole->size() <= limit) return whole;
  std::size_t fits = users.size();  // skipping this many fits (an empty list always does)
  std::size_t too_few = 0;          // skipping this many does not
  while (fits - too_few > 1) {
    const std::size_t mid = too_few + (fits - too_few) / 2;
    if (user_list_pdu(type, users, mid)->size() <= limit)
      fits = mid;
    else
      too_few = mid;
  }
  return user_list_pdu(type, users, fits);
}

void Outbox::send(ConnHandle conn, proto::MsgType type, std::string body) {
  actions_.emplace_back(action::Send{conn, encode_pdu(type, std::move(body))});
}

void Outbox::send_error(ConnHandle conn, proto::MsgType type, std::string_view error) {
  send(conn, error_pdu(type, error));
}

void Outbox::close(ConnHandle conn, proto::CloseCode code, std::string_view reason) {
  actions_.emplace_back(action::Close{conn, proto::to_wire(code), std::string(reason)});
}

void Outbox::verify_password(ConnHandle conn, std::uint64_t ticket, std::string username,
                             std::string password) {
  actions_.emplace_back(
      action::VerifyPassword{conn, ticket, std::move(username), std::move(password)});
}

}  // namespace qc::chat
