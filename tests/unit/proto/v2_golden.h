// The v2 golden vectors (docs/PROTOCOL.md, part II, shows the same bytes): one frame of every
// type, its length prefix in hex and its body exactly as encoded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/v2/frames.h"

namespace qc::proto::v2::golden {

inline constexpr std::int64_t kTs = 1764650000000;  // 2025-12-02 04:33:20 UTC

struct Vector {
  std::string_view name;
  Frame frame;
  std::string_view prefix_hex;
  std::string body;
};

inline const std::string kTrickyText =
    "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" back\\slash \n\t\x01\x7f";

inline std::vector<Vector> vectors() {
  const TargetError no_dan{"dan", std::string(code::kNoSuchUser), "no account named dan"};
  return {
      {"login", Login{1, "alice", "p1", "laptop-3f9a"}, "0000004b",
       R"({"t":"login","rid":1,"user":"alice","password":"p1","device":"laptop-3f9a"})"},
      {"send_direct", Send{2, {"bob", "cam"}, "", "hi", "c-17"}, "00000040",
       R"({"t":"send","rid":2,"to":["bob","cam"],"text":"hi","cid":"c-17"})"},
      {"send_broadcast", Send{3, {}, "all", "hello", ""}, "00000030",
       R"({"t":"send","rid":3,"conv":"all","text":"hello"})"},
      {"ping", Ping{4}, "00000014", R"({"t":"ping","rid":4})"},
      {"logout", Logout{5}, "00000016", R"({"t":"logout","rid":5})"},
      {"welcome", Welcome{1, "alice", 7, "laptop-3f9a", kTs}, "0000005c",
       R"({"t":"welcome","rid":1,"user":"alice","account":7,"device":"laptop-3f9a","ts":1764650000000})"},
      {"presence_snapshot", Presence{true, {"alice", "bob"}, {}, {}}, "00000039",
       R"({"t":"presence","snapshot":true,"online":["alice","bob"]})"},
      {"presence_changes", Presence{false, {}, {"cam"}, {"bob"}}, "00000030",
       R"({"t":"presence","joined":["cam"],"left":["bob"]})"},
      {"msg_direct", Msg{"d:1:2", 12, 1, kTs + 123, "alice", {"bob"}, "hi", "c-17"},
       "00000074",
       R"({"t":"msg","conv":"d:1:2","id":12,"epoch":1,"ts":1764650000123,"from":"alice","to":["bob"],"text":"hi","cid":"c-17"})"},
      {"msg_broadcast", Msg{"all", 3, 1, kTs + 456, "alice", {}, "hello", ""}, "0000005a",
       R"({"t":"msg","conv":"all","id":3,"epoch":1,"ts":1764650000456,"from":"alice","text":"hello"})"},
      {"ack",
       Ack{2,
           "c-17",
           1,
           kTs + 123,
           {{"bob", "d:1:2", 12, false}, {"cam", "d:1:3", 4, true}},
           {no_dan},
           false},
       "000000e8",
       R"({"t":"ack","rid":2,"cid":"c-17","epoch":1,"ts":1764650000123,"sent":[{"to":"bob","conv":"d:1:2","id":12},{"to":"cam","conv":"d:1:3","id":4,"offline":true}],"errors":[{"to":"dan","code":"no_such_user","text":"no account named dan"}]})"},
      {"ack_duplicate", Ack{6, "c-17", 1, kTs + 789, {{"bob", "d:1:2", 12, false}}, {}, true},
       "0000007b",
       R"({"t":"ack","rid":6,"cid":"c-17","epoch":1,"ts":1764650000789,"sent":[{"to":"bob","conv":"d:1:2","id":12}],"duplicate":true})"},
      {"pong", Pong{4}, "00000014", R"({"t":"pong","rid":4})"},
      {"bye", Bye{5}, "00000013", R"({"t":"bye","rid":5})"},
      {"error", Error{2, std::string(code::kNoSuchUser), "no message was sent", {no_dan}},
       "00000094",
       R"({"t":"error","rid":2,"code":"no_such_user","text":"no message was sent","errors":[{"to":"dan","code":"no_such_user","text":"no account named dan"}]})"},
      {"error_no_rid",
       Error{std::nullopt, std::string(code::kBadFrame), "frame must be a JSON object", {}},
       "00000045", R"({"t":"error","code":"bad_frame","text":"frame must be a JSON object"})"},
      {"msg_escapes", Msg{"all", 5, 1, kTs, "\xC3\xA9l\xC3\xA8ve", {}, kTrickyText, ""}, "0000007f",
       "{\"t\":\"msg\",\"conv\":\"all\",\"id\":5,\"epoch\":1,\"ts\":1764650000000,\"from\":"
       "\"\xC3\xA9l\xC3\xA8ve\",\"text\":\"caf\xC3\xA9 \xF0\x9F\x98\x80 \\\"q\\\" back\\\\slash "
       "\\n\\t\\u0001\x7f\"}"},
  };
}

}  // namespace qc::proto::v2::golden
