#include "chat/outbox.h"

#include <utility>

#include "proto/codec.h"

namespace qc::chat {

SharedBytes encode_pdu(proto::MsgType type, std::string body) {
  return make_shared_bytes(proto::encode(proto::make_pdu(type, std::move(body))));
}

void Outbox::send(ConnHandle conn, proto::MsgType type, std::string body) {
  actions_.emplace_back(action::Send{conn, encode_pdu(type, std::move(body))});
}

void Outbox::send_error(ConnHandle conn, proto::MsgType type, std::string_view error) {
  send(conn, type, proto::encode_error(proto::ErrorReply{std::string(error)}));
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
