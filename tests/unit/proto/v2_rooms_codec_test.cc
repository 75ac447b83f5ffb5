// The v2 frames of rooms, history, read cursors and the login catch-up: requests without a rid,
// and the refusal of every missing or mistyped member (round trips and golden vectors are in
// v2_codec_test.cc).
#include <cstdint>
#include <string>

#include "proto/v2/codec.h"
#include "v2_decode_checks.h"

namespace qc::proto::v2 {
namespace {

TEST(V2RoomsCodec, NewRequestsMayOmitTheRid) {
  EXPECT_EQ(decode_ok(R"({"t":"join","room":"#a"})"), Frame(Join{0, "#a"}));
  EXPECT_EQ(decode_ok(R"({"t":"leave","room":"#a"})"), Frame(Leave{0, "#a"}));
  EXPECT_EQ(decode_ok(R"({"t":"rooms"})"), Frame(ListRooms{0}));
  EXPECT_EQ(decode_ok(R"({"t":"topic","room":"#a","topic":""})"), Frame(SetTopic{0, "#a", ""}));
  EXPECT_EQ(decode_ok(R"({"t":"members","room":"#a"})"), Frame(ListMembers{0, "#a"}));
  EXPECT_EQ(decode_ok(R"({"t":"remove","room":"#a","user":"b"})"),
            Frame(RemoveMember{0, "#a", "b"}));
  EXPECT_EQ(decode_ok(R"({"t":"history"})"), Frame(History{}));
  EXPECT_EQ(decode_ok(R"({"t":"read","conv":"all","id":3})"), Frame(Read{0, "all", 3}));
}

TEST(V2RoomsCodec, RoomRequestsNeedTheirMembers) {
  for (std::string_view type : {"join", "leave", "members", "topic", "remove"}) {
    expect_error(R"({"t":")" + std::string(type) + R"(","rid":1})", DecodeErrc::MissingField,
                 "missing member 'room'");
    expect_error(R"({"t":")" + std::string(type) + R"(","room":["#a"]})", DecodeErrc::WrongType,
                 "member 'room' must be a string, got an array");
  }
  // A topic request without "topic" is refused rather than read as "clear the topic".
  expect_error(R"({"t":"topic","room":"#a"})", DecodeErrc::MissingField, "missing member 'topic'");
  expect_error(R"({"t":"topic","room":"#a","topic":null})", DecodeErrc::WrongType,
               "member 'topic' must be a string, got null");
  expect_error(R"({"t":"remove","room":"#a"})", DecodeErrc::MissingField, "missing member 'user'");
}

TEST(V2RoomsCodec, HistoryAndReadMembers) {
  EXPECT_EQ(decode_ok(R"({"t":"history","with":"bob","before":0,"after":9,"limit":4294967295})"),
            Frame(History{0, "", "bob", 0, 9, UINT32_MAX}));
  expect_error(R"({"t":"history","conv":"all","limit":4294967296})", DecodeErrc::WrongType,
               "member 'limit' must be an integer from 0 to 2^32-1, got 4294967296");
  expect_error(R"({"t":"history","conv":"all","limit":-1})", DecodeErrc::WrongType,
               "member 'limit' must be an integer from 0 to 2^64-1");
  expect_error(R"({"t":"history","conv":"all","before":"9"})", DecodeErrc::WrongType,
               "member 'before' must be an integer, got a string");
  expect_error(R"({"t":"history","conv":"all","after":1.5})", DecodeErrc::WrongType,
               "member 'after' must be an integer, got a number with a fraction or exponent");
  expect_error(R"({"t":"history","conv":7})", DecodeErrc::WrongType, "member 'conv'");
  expect_error(R"({"t":"history","with":false})", DecodeErrc::WrongType, "member 'with'");
  expect_error(R"({"t":"read","id":3})", DecodeErrc::MissingField, "missing member 'conv'");
  expect_error(R"({"t":"read","conv":"all"})", DecodeErrc::MissingField, "missing member 'id'");
  expect_error(R"({"t":"read","conv":"all","id":-3})", DecodeErrc::WrongType, "member 'id'");
  expect_error(R"({"t":"cursor","conv":"all"})", DecodeErrc::MissingField, "missing member 'id'");
  expect_error(R"({"t":"cursor","id":1})", DecodeErrc::MissingField, "missing member 'conv'");
}

TEST(V2RoomsCodec, ConversationIdObjects) {
  EXPECT_EQ(decode_ok(R"({"t":"login","user":"a","password":"b","since":{}})"),
            Frame(Login{0, "a", "b", "", {}}));
  // A name given twice keeps its first place and its last value.
  EXPECT_EQ(decode_ok(R"({"t":"login","user":"a","password":"b","since":{"x":1,"y":2,"x":3}})"),
            Frame(Login{0, "a", "b", "", {{"x", 3}, {"y", 2}}}));
  EXPECT_EQ(encode_body(Synced{1, {{"b", 1}, {"a", 2}}}),
            R"({"t":"synced","rid":1,"unread":{"b":1,"a":2}})");  // the order given
  EXPECT_EQ(encode_body(Login{1, "u", "p", "", {{"\"\\\n", 1}}}),
            R"({"t":"login","rid":1,"user":"u","password":"p","since":{"\"\\\n":1}})");
  expect_error(R"({"t":"login","user":"a","password":"b","since":[]})", DecodeErrc::WrongType,
               "member 'since' must be an object of integers, got an array");
  expect_error(R"({"t":"login","user":"a","password":"b","since":{"#a":"1"}})",
               DecodeErrc::WrongType, "member 'since.#a' must be an integer, got a string");
  expect_error(R"({"t":"login","user":"a","password":"b","since":{"#a":1,"d:1:2":-1}})",
               DecodeErrc::WrongType, "member 'since.d:1:2' must be an integer from 0 to 2^64-1");
  expect_error(R"({"t":"synced","rid":1,"unread":{"#a":null}})", DecodeErrc::WrongType,
               "member 'unread.#a' must be an integer, got null");
  expect_error(R"({"t":"synced","rid":1,"unread":5})", DecodeErrc::WrongType, "member 'unread'");
}

TEST(V2RoomsCodec, RoomAnswersNeedTheirMembers) {
  expect_error(R"({"t":"room","rid":1,"conv":"#a","members":1})", DecodeErrc::MissingField,
               "missing member 'room'");
  expect_error(R"({"t":"room","rid":1,"room":"#a","members":1})", DecodeErrc::MissingField,
               "missing member 'conv'");
  expect_error(R"({"t":"room","rid":1,"room":"#a","conv":"#a"})", DecodeErrc::MissingField,
               "missing member 'members'");
  expect_error(R"({"t":"room","rid":1,"room":"#a","conv":"#a","members":4294967296})",
               DecodeErrc::WrongType, "member 'members' must be an integer from 0 to 2^32-1");
  expect_error(R"({"t":"room","rid":1,"room":"#a","conv":"#a","members":1,"created":1})",
               DecodeErrc::WrongType, "member 'created' must be true or false");
  expect_error(R"({"t":"room_list","rid":1})", DecodeErrc::MissingField, "missing member 'rooms'");
  expect_error(R"({"t":"room_list","rid":1,"rooms":[{"room":"#a","members":1},{"members":2}]})",
               DecodeErrc::MissingField, "missing member 'rooms[1].room'");
  expect_error(R"({"t":"room_list","rid":1,"rooms":[{"room":"#a","members":1,"member":"y"}]})",
               DecodeErrc::WrongType, "member 'rooms[0].member' must be true or false");
  expect_error(R"({"t":"member_list","rid":1,"room":"#a"})", DecodeErrc::MissingField,
               "missing member 'members'");
  expect_error(R"({"t":"member_list","rid":1,"room":"#a","members":["a"],"online":[1]})",
               DecodeErrc::WrongType, "member 'online' must be an array of strings, element 0");
  expect_error(R"({"t":"room_event","room":"#a","user":"u"})", DecodeErrc::MissingField,
               "missing member 'event'");
  expect_error(R"({"t":"room_event","room":"#a","event":"join"})", DecodeErrc::MissingField,
               "missing member 'user'");
  expect_error(R"({"t":"room_event","room":"#a","event":"remove","user":"u","by":2})",
               DecodeErrc::WrongType, "member 'by'");
}

TEST(V2RoomsCodec, PageMembers) {
  EXPECT_EQ(decode_ok(R"({"t":"page","conv":"all","msgs":[]})"),
            Frame(Page{std::nullopt, "all", {}, false, 0, 0, 0}));
  // A "t" inside a message is ignored like any unknown member.
  EXPECT_EQ(decode_ok(R"({"t":"page","rid":3,"conv":"all","msgs":[{"t":"msg","conv":"all",)"
                      R"("id":1,"epoch":1,"ts":5,"from":"a","text":"x"}]})"),
            Frame(Page{3, "all", {Msg{"all", 1, 1, 5, "a", {}, "x", ""}}, false, 0, 0, 0}));
  expect_error(R"({"t":"page","msgs":[]})", DecodeErrc::MissingField, "missing member 'conv'");
  expect_error(R"({"t":"page","conv":"all"})", DecodeErrc::MissingField, "missing member 'msgs'");
  expect_error(R"({"t":"page","conv":"all","msgs":[{"conv":"all","id":1,"epoch":1,"ts":5,)"
               R"("from":"a","text":"x"},{"conv":"all","id":2,"epoch":1,"ts":5,"from":"a"}]})",
               DecodeErrc::MissingField, "missing member 'msgs[1].text'");
  expect_error(R"({"t":"page","conv":"all","msgs":["x"]})", DecodeErrc::WrongType,
               "member 'msgs' must be an array of objects");
  expect_error(R"({"t":"page","rid":-1,"conv":"all","msgs":[]})", DecodeErrc::WrongType,
               "member 'rid'");
  expect_error(R"({"t":"page","conv":"all","msgs":[],"more":0})", DecodeErrc::WrongType,
               "member 'more' must be true or false");
  expect_error(R"({"t":"page","conv":"all","msgs":[],"expired":-2})", DecodeErrc::WrongType,
               "member 'expired'");
  expect_error(R"({"t":"page","conv":"all","msgs":[],"unread":"1"})", DecodeErrc::WrongType,
               "member 'unread'");
  expect_error(R"({"t":"page","conv":"all","msgs":[],"read":[]})", DecodeErrc::WrongType,
               "member 'read'");
}

}  // namespace
}  // namespace qc::proto::v2
