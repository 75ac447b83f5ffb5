// v1 JSON codec. Encoding is byte-identical to the seed's Python (json.dumps defaults:
// keys in order, ", " and ": " separators, non-ASCII as \uXXXX); decoding accepts any
// whitespace and key order, ignores unknown keys, and rejects bad input with a typed error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/pdu.h"
#include "util/result.h"

namespace qc::proto {

enum class DecodeErrc {
  Syntax,        // not JSON at all, or trailing bytes after the object
  NotObject,     // valid JSON, but not an object where one is required
  MissingField,  // a required key is absent
  WrongType,     // a key holds the wrong JSON type (or an int out of range)
  MsgNotString,  // the envelope's "msg" is not a string
  UnknownType,   // "mtype" is not one of the protocol's message types
  InvalidUtf8,   // bytes that are not UTF-8 (or a lone surrogate escape)
  TooDeep,       // nesting deeper than DecodeLimits::max_depth
  TooLarge,      // input over DecodeLimits::max_bytes
};

struct DecodeError {
  DecodeErrc code = DecodeErrc::Syntax;
  std::string detail;  // human sentence naming the problem, e.g. "field 'mtype' must be an integer"
};

std::string_view decode_errc_name(DecodeErrc code);

struct DecodeLimits {
  std::size_t max_bytes = kDefaultMaxPduBytes;
  int max_depth = 16;
};

template <class T>
using Decoded = Result<T, DecodeError>;

// --- envelope ---------------------------------------------------------------------------
std::string encode(const Pdu& pdu);
void encode_to(const Pdu& pdu, std::string& out);  // appends
Decoded<Pdu> decode(std::string_view bytes, const DecodeLimits& limits = {});

// Number of characters (Unicode code points) in a UTF-8 string: Python's len(str).
std::size_t char_count(std::string_view utf8);

// Appends `text` as a JSON string literal exactly as Python's json.dumps does.
void append_json_string(std::string& out, std::string_view utf8);

// --- typed views of `msg` --------------------------------------------------------------
// Each encode_* returns the `msg` string (JSON text); each decode_* parses one.

struct VersionsRequest {  // C->S
  std::vector<std::int64_t> versions;
  friend bool operator==(const VersionsRequest&, const VersionsRequest&) = default;
};
struct VersionsReply {  // S->C: exactly one of the two is set
  std::optional<std::int64_t> selected_version;
  std::optional<std::string> error;
  friend bool operator==(const VersionsReply&, const VersionsReply&) = default;
};
struct LoginRequest {
  std::string username;
  std::string password;
  friend bool operator==(const LoginRequest&, const LoginRequest&) = default;
};
struct UserEntry {
  std::uint64_t user_id = 0;
  std::string username;
  friend bool operator==(const UserEntry&, const UserEntry&) = default;
};
using UserList = std::vector<UserEntry>;  // LOGIN_ACK, LOGIN_BROADCAST, LOGOUT_BROADCAST

struct OneToOneRequest {  // {"target_user_id": "2", "msg": "hi"} (id as a string of digits)
  std::string target_user_id;
  std::string msg;
  friend bool operator==(const OneToOneRequest&, const OneToOneRequest&) = default;
};
struct OneToManyRequest {  // {"target_user_ids": "1,3", "msg": "meet"}
  std::string target_user_ids;
  std::string msg;
  friend bool operator==(const OneToManyRequest&, const OneToManyRequest&) = default;
};
struct BroadcastRequest {  // {"msg": "hello"}
  std::string msg;
  friend bool operator==(const BroadcastRequest&, const BroadcastRequest&) = default;
};
struct Delivery {  // S->target for ONE_TO_ONE, ONE_TO_MANY, BROADCAST
  std::uint64_t sender_user_id = 0;
  std::string sender_username;
  std::string msg;
  friend bool operator==(const Delivery&, const Delivery&) = default;
};
struct ErrorReply {  // {"error": "..."}: RETRY, DISCONNECT, MSG_UNSUCCESSFUL
  std::string error;
  friend bool operator==(const ErrorReply&, const ErrorReply&) = default;
};
struct SysReply {  // {"sys": "Logout successful"}
  std::string sys;
  friend bool operator==(const SysReply&, const SysReply&) = default;
};

std::string encode_versions_request(const VersionsRequest&);
std::string encode_versions_reply(const VersionsReply&);
std::string encode_login(const LoginRequest&);
std::string encode_user_list(const UserList&);
std::string encode_one_to_one(const OneToOneRequest&);
std::string encode_one_to_many(const OneToManyRequest&);
std::string encode_broadcast(const BroadcastRequest&);
std::string encode_delivery(const Delivery&);
std::string encode_error(const ErrorReply&);
std::string encode_sys(const SysReply&);

Decoded<VersionsRequest> decode_versions_request(std::string_view msg, const DecodeLimits& = {});
Decoded<VersionsReply> decode_versions_reply(std::string_view msg, const DecodeLimits& = {});
Decoded<LoginRequest> decode_login(std::string_view msg, const DecodeLimits& = {});
Decoded<UserList> decode_user_list(std::string_view msg, const DecodeLimits& = {});
Decoded<OneToOneRequest> decode_one_to_one(std::string_view msg, const DecodeLimits& = {});
Decoded<OneToManyRequest> decode_one_to_many(std::string_view msg, const DecodeLimits& = {});
Decoded<BroadcastRequest> decode_broadcast(std::string_view msg, const DecodeLimits& = {});
Decoded<Delivery> decode_delivery(std::string_view msg, const DecodeLimits& = {});
Decoded<ErrorReply> decode_error(std::string_view msg, const DecodeLimits& = {});
Decoded<SysReply> decode_sys(std::string_view msg, const DecodeLimits& = {});

// Convenience: a whole PDU of a type with an encoded body.
inline Pdu make_pdu(MsgType type, std::string msg) {
  return Pdu{kProtocolVersion, type, std::move(msg)};
}

}  // namespace qc::proto
