// v2 codec: one frame <-> one JSON object (the frame body); framing adds the length prefix.
// Encoding is compact JSON (no spaces), members in the order docs/PROTOCOL.md gives, optional
// members left out when empty or false, non-ASCII text written as UTF-8 (not \u escapes).
// Decoding takes any member order and whitespace, ignores unknown members, and refuses bad input
// with a typed error (proto::DecodeError) whose detail names the member.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proto/codec.h"
#include "proto/v2/frames.h"

namespace qc::proto::v2 {

// The frame body (JSON object) alone.
std::string encode_body(const Frame& frame);
// Appends the length prefix and the body: what goes on the stream.
void append_frame(std::string& out, const Frame& frame);
std::string encode_frame(const Frame& frame);

// The largest request id: JSON numbers above 2^53 lose precision in many languages.
inline constexpr RequestId kMaxRequestId = (RequestId{1} << 53) - 1;

// Decodes one frame body. A "t" this side does not know decodes to Unknown (not an error); a
// known type with a missing or mistyped member is an error. The decoded frame's direction is not
// checked here: the caller refuses a server frame sent by a client.
Decoded<Frame> decode_body(std::string_view body, const DecodeLimits& limits = {});

// The request id of a body, when it is an object with a valid top-level "rid" (whatever else is
// wrong with it): lets a refusal of a frame that does not decode name the request.
std::optional<RequestId> request_id_of(std::string_view body, const DecodeLimits& limits = {});

// Hot-path encoders that append straight to `out` (length prefix included), byte-identical to
// append_frame of the same frame.
void append_msg(std::string& out, std::string_view conv, std::uint64_t id, std::uint64_t epoch,
                std::int64_t ts, std::string_view from, std::string_view to, std::string_view text,
                std::string_view cid);

}  // namespace qc::proto::v2
