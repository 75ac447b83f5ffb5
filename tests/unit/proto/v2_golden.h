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
  const RoomInfo team{"#Team", "release on Friday", "alice", 3, true};
  const RoomInfo ops{"#ops", "", "cam", 1, true};
  const RoomInfo ops_listed{"#ops", "", "cam", 1, false};
  const Msg ship_it{"#team", 118, 1, kTs + 1000, "bob", {}, "ship it?", "c-9"};
  const Msg yes{"#team", 119, 1, kTs + 2000, "alice", {}, "yes", "a-31"};
  const Msg there{"d:1:2", 20, 1, kTs + 3000, "bob", {"alice"}, "there?", "b-4"};
  return {
      {"login", Login{1, "alice", "p1", "laptop-3f9a", {}}, "0000004b",
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
      {"msg_direct", Msg{"d:1:2", 12, 1, kTs + 123, "alice", {"bob"}, "hi", "c-17"}, "00000074",
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
      {"login_since", Login{1, "alice", "p1", "laptop-3f9a", {{"#team", 40}, {"d:1:2", 17}}},
       "0000006b",
       R"({"t":"login","rid":1,"user":"alice","password":"p1","device":"laptop-3f9a","since":{"#team":40,"d:1:2":17}})"},
      {"join", Join{6, "#team"}, "00000023", R"({"t":"join","rid":6,"room":"#team"})"},
      {"leave", Leave{7, "#team"}, "00000024", R"({"t":"leave","rid":7,"room":"#team"})"},
      {"rooms", ListRooms{8}, "00000015", R"({"t":"rooms","rid":8})"},
      {"topic", SetTopic{9, "#team", "release on Friday"}, "00000040",
       R"({"t":"topic","rid":9,"room":"#team","topic":"release on Friday"})"},
      {"members", ListMembers{10, "#team"}, "00000027",
       R"({"t":"members","rid":10,"room":"#team"})"},
      {"remove", RemoveMember{11, "#team", "bob"}, "00000033",
       R"({"t":"remove","rid":11,"room":"#team","user":"bob"})"},
      {"history_room", History{12, "#team", "", 120, std::nullopt, 2}, "0000003e",
       R"({"t":"history","rid":12,"conv":"#team","before":120,"limit":2})"},
      {"history_with", History{14, "", "bob", std::nullopt, 17, 0}, "00000030",
       R"({"t":"history","rid":14,"with":"bob","after":17})"},
      {"read", Read{13, "d:1:2", 20}, "0000002c",
       R"({"t":"read","rid":13,"conv":"d:1:2","id":20})"},
      {"room", Room{6, team, "#team", false}, "00000075",
       R"({"t":"room","rid":6,"room":"#Team","conv":"#team","topic":"release on Friday","op":"alice","members":3,"member":true})"},
      {"room_created", Room{15, ops, "#ops", true}, "00000065",
       R"({"t":"room","rid":15,"room":"#ops","conv":"#ops","op":"cam","members":1,"member":true,"created":true})"},
      {"room_list", RoomList{8, {team, ops_listed}}, "0000009e",
       R"({"t":"room_list","rid":8,"rooms":[{"room":"#Team","topic":"release on Friday","op":"alice","members":3,"member":true},{"room":"#ops","op":"cam","members":1}]})"},
      {"member_list", MemberList{10, "#Team", "alice", {"alice", "bob", "cam"}, {"alice", "cam"}},
       "00000071",
       R"({"t":"member_list","rid":10,"room":"#Team","op":"alice","members":["alice","bob","cam"],"online":["alice","cam"]})"},
      {"room_event_join", RoomEvent{"#Team", "join", "cam", "", ""}, "0000003d",
       R"({"t":"room_event","room":"#Team","event":"join","user":"cam"})"},
      {"room_event_remove", RoomEvent{"#Team", "remove", "bob", "alice", ""}, "0000004c",
       R"({"t":"room_event","room":"#Team","event":"remove","user":"bob","by":"alice"})"},
      {"room_event_topic", RoomEvent{"#Team", "topic", "alice", "", "release on Friday"},
       "0000005c",
       R"({"t":"room_event","room":"#Team","event":"topic","user":"alice","topic":"release on Friday"})"},
      {"page_history", Page{12, "#team", {ship_it, yes}, true, 0, 0, 0}, "000000fb",
       R"({"t":"page","rid":12,"conv":"#team","msgs":[{"conv":"#team","id":118,"epoch":1,"ts":1764650001000,"from":"bob","text":"ship it?","cid":"c-9"},{"conv":"#team","id":119,"epoch":1,"ts":1764650002000,"from":"alice","text":"yes","cid":"a-31"}],"more":true})"},
      {"page_catch_up", Page{std::nullopt, "d:1:2", {there}, false, 2, 1, 17}, "000000b3",
       R"({"t":"page","conv":"d:1:2","msgs":[{"conv":"d:1:2","id":20,"epoch":1,"ts":1764650003000,"from":"bob","to":["alice"],"text":"there?","cid":"b-4"}],"expired":2,"unread":1,"read":17})"},
      {"synced", Synced{1, {{"#team", 3}, {"d:1:2", 1}}}, "00000035",
       R"({"t":"synced","rid":1,"unread":{"#team":3,"d:1:2":1}})"},
      {"cursor", Cursor{"d:1:2", 20}, "00000025", R"({"t":"cursor","conv":"d:1:2","id":20})"},
      {"ok", Ok{7}, "00000012", R"({"t":"ok","rid":7})"},
      {"error_not_member",
       Error{16, std::string(code::kNotMember), "you are not a member of #ops", {}}, "00000050",
       R"({"t":"error","rid":16,"code":"not_member","text":"you are not a member of #ops"})"},
      {"passwd", Passwd{17, "p1", "correct horse"}, "00000038",
       R"({"t":"passwd","rid":17,"old":"p1","new":"correct horse"})"},
      {"register", Register{1, "dan", "p4"}, "00000035",
       R"({"t":"register","rid":1,"user":"dan","password":"p4"})"},
      {"error_wrong_password",
       Error{17, std::string(code::kWrongPassword), "the old password is wrong", {}}, "00000051",
       R"({"t":"error","rid":17,"code":"wrong_password","text":"the old password is wrong"})"},
      {"error_name_taken", Error{1, std::string(code::kNameTaken), "the name dan is taken", {}},
       "00000048", R"({"t":"error","rid":1,"code":"name_taken","text":"the name dan is taken"})"},
      {"error_registration_closed",
       Error{1,
             std::string(code::kRegistrationClosed),
             "this server does not allow registration",
             {}},
       "00000063",
       R"({"t":"error","rid":1,"code":"registration_closed","text":"this server does not allow registration"})"},
  };
}

}  // namespace qc::proto::v2::golden
