#include "proto/v2/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "v2_decode_checks.h"
#include "v2_golden.h"

namespace qc::proto::v2 {
namespace {

std::string hex(std::string_view bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

TEST(V2Codec, GoldenVectorsEncodeExactly) {
  for (const auto& v : golden::vectors()) {
    SCOPED_TRACE(std::string(v.name));
    EXPECT_EQ(encode_body(v.frame), v.body);
    const std::string frame = encode_frame(v.frame);
    ASSERT_EQ(frame.size(), kLengthPrefixBytes + v.body.size());
    EXPECT_EQ(hex(frame.substr(0, kLengthPrefixBytes)), v.prefix_hex);
    EXPECT_EQ(frame.substr(kLengthPrefixBytes), v.body);
  }
}

TEST(V2Codec, GoldenVectorsDecodeToTheirFrames) {
  for (const auto& v : golden::vectors()) {
    SCOPED_TRACE(std::string(v.name));
    EXPECT_EQ(decode_ok(v.body), v.frame);
  }
}

TEST(V2Codec, EveryFrameTypeHasAGoldenVector) {
  std::vector<bool> seen(std::variant_size_v<Frame>, false);
  for (const auto& v : golden::vectors()) seen[v.frame.index()] = true;
  const std::size_t unknown = Frame(Unknown{}).index();  // not a wire type of its own
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i] || i == unknown) << i;
}

TEST(V2Codec, AppendFrameAppendsAfterExistingBytes) {
  std::string out = "xy";
  append_frame(out, Ping{4});
  append_frame(out, Pong{4});
  EXPECT_EQ(out, "xy" + encode_frame(Ping{4}) + encode_frame(Pong{4}));
}

TEST(V2Codec, FrameTypeNames) {
  const std::vector<std::pair<Frame, std::string_view>> cases = {
      {Login{}, "login"},
      {Send{}, "send"},
      {Ping{}, "ping"},
      {Logout{}, "logout"},
      {Welcome{}, "welcome"},
      {Presence{}, "presence"},
      {Msg{}, "msg"},
      {Ack{}, "ack"},
      {Pong{}, "pong"},
      {Bye{}, "bye"},
      {Error{}, "error"},
      {Unknown{"typing", 3}, "typing"},
      {Join{}, "join"},
      {Leave{}, "leave"},
      {ListRooms{}, "rooms"},
      {SetTopic{}, "topic"},
      {ListMembers{}, "members"},
      {RemoveMember{}, "remove"},
      {History{}, "history"},
      {Read{}, "read"},
      {Room{}, "room"},
      {RoomList{}, "room_list"},
      {MemberList{}, "member_list"},
      {RoomEvent{}, "room_event"},
      {Page{}, "page"},
      {Synced{}, "synced"},
      {Cursor{}, "cursor"},
      {Ok{}, "ok"},
      {Passwd{}, "passwd"},
      {Register{}, "register"},
  };
  for (const auto& [frame, name] : cases) {
    EXPECT_EQ(frame_type_name(frame), name);
    if (!std::holds_alternative<Unknown>(frame)) {
      const Frame decoded = decode_ok(encode_body(frame));
      EXPECT_EQ(decoded.index(), frame.index()) << name;
    }
  }
}

TEST(V2Codec, AppendMsgIsByteIdenticalToAppendFrame) {
  const std::vector<Msg> msgs = {
      Msg{"@alice,bob", 12, 1, golden::kTs, "alice", {"bob"}, "hi", "c-17"},
      Msg{"all", 3, 2, -5, "alice", {}, golden::kTrickyText, ""},
      Msg{"@bob,cam", 0, 0, 0, "cam", {"b\"ob"}, "", "x"},
  };
  for (const Msg& m : msgs) {
    std::string fast = "prefix";
    append_msg(fast, m.conv, m.id, m.epoch, m.ts, m.from, m.to.empty() ? "" : m.to[0], m.text,
               m.cid);
    std::string slow = "prefix";
    append_frame(slow, m);
    EXPECT_EQ(fast, slow);
  }
}

TEST(V2Codec, UnknownIsEncodedWithItsTypeAndRid) {
  EXPECT_EQ(encode_body(Unknown{"typing", 9}), R"({"t":"typing","rid":9})");
  EXPECT_EQ(encode_body(Unknown{"typing", std::nullopt}), R"({"t":"typing"})");
}

TEST(V2Codec, EscapesOnlyQuoteBackslashAndControlCharacters) {
  const std::string all_controls = [] {
    std::string s;
    for (int c = 0; c < 0x20; ++c) s += static_cast<char>(c);
    return s + "\"\\/\x7f~";
  }();
  EXPECT_EQ(encode_body(Send{0, {}, "all", all_controls, ""}),
            R"({"t":"send","rid":0,"conv":"all","text":")"
            R"(\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f)"
            R"(\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c)"
            R"(\u001d\u001e\u001f\"\\/)"
            "\x7f~\"}");
}

TEST(V2Codec, NonAsciiIsRawUtf8AndEscapedInputDecodesToIt) {
  const Frame decoded = decode_ok(R"({"t":"send","conv":"all","text":"\u00e9\ud83d\ude00\/"})");
  EXPECT_EQ(std::get<Send>(decoded).text, "\xC3\xA9\xF0\x9F\x98\x80/");
  EXPECT_EQ(encode_body(decoded),
            "{\"t\":\"send\",\"rid\":0,\"conv\":\"all\",\"text\":\"\xC3\xA9"
            "\xF0\x9F\x98\x80/\"}");
}

TEST(V2Codec, InvalidUtf8IsNeverEncoded) {
  EXPECT_EQ(encode_body(Send{1,
                             {},
                             "all",
                             "a\xFF"
                             "b\xC3",
                             ""}),
            "{\"t\":\"send\",\"rid\":1,\"conv\":\"all\",\"text\":\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"}");
}

TEST(V2Codec, RoundTripOfFramesWithEveryOptionalMember) {
  const std::vector<Frame> frames = {
      Login{0, "", "", "", {}},
      Send{kMaxRequestId, {"a", "b", "c"}, "ignored-by-server", "t", "cid"},
      Presence{true, {}, {}, {}},
      Presence{false, {}, {}, {}},
      Msg{"c", UINT64_MAX, UINT64_MAX, INT64_MIN, "f", {"x", "y"}, "t", "c"},
      Welcome{kMaxRequestId, "u", UINT64_MAX, "d", INT64_MAX},
      Ack{1, "", 0, 0, {}, {}, false},
      Ack{1, "", 0, 0, {{"", "all", 1, true}}, {{"a", "b", "c"}}, true},
      Error{0, "c", "t", {}},
      Unknown{"later", std::nullopt},
      Login{kMaxRequestId, "u", "p", "d", {{"\"q\"\n", UINT64_MAX}, {"", 0}, {"all", 1}}},
      Join{},
      Leave{kMaxRequestId, "#x"},
      ListRooms{},
      SetTopic{},
      ListMembers{3, "#y"},
      RemoveMember{4, "#z", "\u00e9"},
      History{},
      History{5, "all", "bob", 0, UINT64_MAX, UINT32_MAX},
      Read{6, "#r", UINT64_MAX},
      Room{},
      Room{7, {"#R", "t", "o", UINT32_MAX, true}, "#r", true},
      RoomList{},
      RoomList{8, {{"#a", "", "", 0, false}, {"#b", "t", "o", 1, true}}},
      MemberList{},
      MemberList{9, "#m", "o", {"a"}, {"a"}},
      RoomEvent{},
      RoomEvent{"#e", "remove", "u", "by", "topic"},
      Page{},
      Page{0, "c", {Msg{}, Msg{"c", 1, 2, -3, "f", {"x"}, "t", "cid"}}, true, UINT64_MAX, 1, 2},
      Synced{},
      Synced{10, {{"#a", 1}, {"d:1:2", UINT64_MAX}}},
      Cursor{},
      Cursor{"all", 1},
      Ok{kMaxRequestId},
      Passwd{},
      Passwd{kMaxRequestId, "\"old\"\n", "\u00e9"},
      Register{},
      Register{18, "dan", "p"},
  };
  for (const Frame& frame : frames) {
    const std::string body = encode_body(frame);
    EXPECT_EQ(decode_ok(body), frame) << body;
  }
}

TEST(V2Codec, AnyMemberOrderWhitespaceAndUnknownMembers) {
  EXPECT_EQ(decode_ok(" {\n\"rid\" : 4 ,\t\"x\":{\"y\":[1,{}]}, \"t\" : \"ping\",\"z\":null} "),
            Frame(Ping{4}));
  EXPECT_EQ(decode_ok(R"({"text":"hi","future":true,"to":["bob"],"t":"send"})"),
            Frame(Send{0, {"bob"}, "", "hi", ""}));
}

TEST(V2Codec, RequestsMayOmitTheRid) {
  EXPECT_EQ(decode_ok(R"({"t":"ping"})"), Frame(Ping{0}));
  EXPECT_EQ(decode_ok(R"({"t":"logout"})"), Frame(Logout{0}));
  EXPECT_EQ(decode_ok(R"({"t":"login","user":"a","password":"b"})"),
            Frame(Login{0, "a", "b", "", {}}));
}

TEST(V2Codec, AnswersNeedTheRid) {
  for (std::string_view body :
       {R"({"t":"pong"})", R"({"t":"bye"})",
        R"({"t":"welcome","user":"a","account":1,"device":"d","ts":1})",
        R"({"t":"ack","epoch":1,"ts":1,"sent":[]})", R"({"t":"ok"})",
        R"({"t":"room","room":"#a","conv":"#a","members":1})", R"({"t":"room_list","rooms":[]})",
        R"({"t":"member_list","room":"#a","members":[]})", R"({"t":"synced"})"}) {
    expect_error(body, DecodeErrc::MissingField, "missing member 'rid'");
  }
}

TEST(V2Codec, UnknownTypeDecodesWithItsRid) {
  EXPECT_EQ(decode_ok(R"({"t":"typing","rid":9,"to":"bob"})"), Frame(Unknown{"typing", 9}));
  EXPECT_EQ(decode_ok(R"({"t":"typing"})"), Frame(Unknown{"typing", std::nullopt}));
  EXPECT_EQ(decode_ok(R"({"t":"typing","rid":-1})"), Frame(Unknown{"typing", std::nullopt}));
  EXPECT_EQ(decode_ok(R"({"t":"typing","rid":"9"})"), Frame(Unknown{"typing", std::nullopt}));
  EXPECT_EQ(decode_ok(R"({"t":"PING","rid":1})"), Frame(Unknown{"PING", 1}));  // case matters
}

TEST(V2Codec, TheTypeMember) {
  expect_error(R"({"rid":1})", DecodeErrc::MissingField, "missing member 't'");
  expect_error(R"({"t":1})", DecodeErrc::WrongType, "member 't' must be a string, got a number");
  expect_error(R"({"t":null})", DecodeErrc::WrongType, "member 't' must be a string, got null");
}

TEST(V2Codec, TheBodyMustBeOneJsonObject) {
  expect_error("", DecodeErrc::Syntax, "unexpected end of input");
  expect_error(R"({"t":"ping")", DecodeErrc::Syntax, "unexpected end of input");
  expect_error(R"({"t":"ping"} {})", DecodeErrc::Syntax, "trailing bytes");
  expect_error(R"({'t':'ping'})", DecodeErrc::Syntax, "expected a string key");
  expect_error(R"(["ping"])", DecodeErrc::NotObject, "frame must be a JSON object, got an array");
  expect_error(R"("ping")", DecodeErrc::NotObject, "got a string");
}

TEST(V2Codec, RidMustBeAnIntegerUpTo2To53Minus1) {
  EXPECT_EQ(decode_ok(R"({"t":"ping","rid":9007199254740991})"), Frame(Ping{kMaxRequestId}));
  for (std::string_view rid :
       {"9007199254740992", "-1", "1.5", "1e3", "\"1\"", "null", "-0", "18446744073709551616"}) {
    expect_error(R"({"t":"ping","rid":)" + std::string(rid) + "}", DecodeErrc::WrongType,
                 "member 'rid' must be an integer from 0 to 2^53-1");
  }
  expect_error(R"({"t":"error","rid":-3,"code":"c","text":"t"})", DecodeErrc::WrongType,
               "member 'rid'");
}

TEST(V2Codec, StringMembers) {
  expect_error(R"({"t":"login","password":"p"})", DecodeErrc::MissingField,
               "missing member 'user'");
  expect_error(R"({"t":"login","user":"u"})", DecodeErrc::MissingField,
               "missing member 'password'");
  expect_error(R"({"t":"login","user":5,"password":"p"})", DecodeErrc::WrongType,
               "member 'user' must be a string, got a number");
  expect_error(R"({"t":"login","user":"u","password":"p","device":null})", DecodeErrc::WrongType,
               "member 'device' must be a string, got null");
  expect_error(R"({"t":"send","conv":"all"})", DecodeErrc::MissingField, "missing member 'text'");
  expect_error(R"({"t":"send","conv":["all"],"text":"x"})", DecodeErrc::WrongType,
               "member 'conv' must be a string, got an array");
  expect_error(R"({"t":"send","conv":"all","text":"x","cid":7})", DecodeErrc::WrongType,
               "member 'cid'");
  expect_error(R"({"t":"msg","id":1,"epoch":1,"ts":1,"from":"a","text":"x"})",
               DecodeErrc::MissingField, "missing member 'conv'");
  expect_error(R"({"t":"error","code":"c"})", DecodeErrc::MissingField, "missing member 'text'");
  expect_error(R"({"t":"error","code":{},"text":"t"})", DecodeErrc::WrongType,
               "member 'code' must be a string, got an object");
}

TEST(V2Codec, StringArraysAreCheckedElementByElement) {
  expect_error(R"({"t":"send","to":"bob","text":"x"})", DecodeErrc::WrongType,
               "member 'to' must be an array of strings, got a string");
  expect_error(R"({"t":"send","to":["bob",3],"text":"x"})", DecodeErrc::WrongType,
               "member 'to' must be an array of strings, element 1 is a number");
  expect_error(R"({"t":"presence","joined":[null]})", DecodeErrc::WrongType,
               "member 'joined' must be an array of strings, element 0 is null");
  expect_error(R"({"t":"presence","left":{}})", DecodeErrc::WrongType, "member 'left'");
  expect_error(R"({"t":"msg","conv":"c","id":1,"epoch":1,"ts":1,"from":"a","to":[[]],"text":"x"})",
               DecodeErrc::WrongType,
               "member 'to' must be an array of strings, element 0 is an array");
}

TEST(V2Codec, IntegerMembersAreIntegersInRange) {
  const std::string msg_head = R"({"t":"msg","conv":"c","from":"a","text":"x",)";
  expect_error(msg_head + R"("epoch":1,"ts":1})", DecodeErrc::MissingField, "missing member 'id'");
  expect_error(msg_head + R"("id":-1,"epoch":1,"ts":1})", DecodeErrc::WrongType,
               "member 'id' must be an integer from 0 to 2^64-1, got -1");
  expect_error(msg_head + R"("id":1.0,"epoch":1,"ts":1})", DecodeErrc::WrongType,
               "member 'id' must be an integer, got a number with a fraction or exponent");
  expect_error(msg_head + R"("id":1,"epoch":"1","ts":1})", DecodeErrc::WrongType,
               "member 'epoch' must be an integer, got a string");
  expect_error(msg_head + R"("id":1,"epoch":1,"ts":9223372036854775808})", DecodeErrc::WrongType,
               "member 'ts' must be an integer from -2^63 to 2^63-1");
  expect_error(R"({"t":"welcome","rid":1,"user":"a","account":-7,"device":"d","ts":1})",
               DecodeErrc::WrongType, "member 'account'");
}

TEST(V2Codec, BooleanMembers) {
  expect_error(R"({"t":"presence","snapshot":"yes","online":[]})", DecodeErrc::WrongType,
               "member 'snapshot' must be true or false, got a string");
  expect_error(R"({"t":"presence","snapshot":true})", DecodeErrc::MissingField,
               "missing member 'online'");
  expect_error(R"({"t":"ack","rid":1,"epoch":1,"ts":1,"sent":[],"duplicate":1})",
               DecodeErrc::WrongType, "member 'duplicate' must be true or false");
  EXPECT_EQ(decode_ok(R"({"t":"presence","snapshot":false,"online":["x"],"joined":["a"]})"),
            Frame(Presence{false, {}, {"a"}, {}}));
  EXPECT_EQ(decode_ok(R"({"t":"presence","snapshot":true,"online":["x"],"joined":["a"]})"),
            Frame(Presence{true, {"x"}, {}, {}}));
}

TEST(V2Codec, NestedObjectsNameTheirMember) {
  const std::string head = R"({"t":"ack","rid":1,"epoch":1,"ts":1,)";
  expect_error(R"({"t":"ack","rid":1,"epoch":1,"ts":1})", DecodeErrc::MissingField,
               "missing member 'sent'");
  expect_error(head + R"("sent":{}})", DecodeErrc::WrongType,
               "member 'sent' must be an array of objects");
  expect_error(head + R"("sent":[{"conv":"c","id":1},"x"]})", DecodeErrc::WrongType,
               "member 'sent' must be an array of objects");
  expect_error(head + R"("sent":[{"conv":"c","id":1},{"id":2}]})", DecodeErrc::MissingField,
               "missing member 'sent[1].conv'");
  expect_error(head + R"("sent":[{"conv":"c","id":1,"offline":"no"}]})", DecodeErrc::WrongType,
               "member 'sent[0].offline' must be true or false");
  expect_error(head + R"("sent":[],"errors":[{"to":"a","text":"t"}]})", DecodeErrc::MissingField,
               "missing member 'errors[0].code'");
  expect_error(R"({"t":"error","code":"c","text":"t","errors":[{"to":1,"code":"c","text":"t"}]})",
               DecodeErrc::WrongType, "member 'errors[0].to' must be a string");
}

TEST(V2Codec, Utf8IsValidated) {
  expect_error("{\"t\":\"send\",\"conv\":\"all\",\"text\":\"a\xFF\"}", DecodeErrc::InvalidUtf8,
               "invalid UTF-8");
  expect_error("{\"t\":\"send\",\"conv\":\"all\",\"text\":\"\xC0\xAF\"}", DecodeErrc::InvalidUtf8,
               "invalid UTF-8");  // overlong '/'
  expect_error("{\"t\":\"send\",\"conv\":\"all\",\"text\":\"\xED\xA0\x80\"}",
               DecodeErrc::InvalidUtf8, "invalid UTF-8");  // encoded surrogate
  expect_error(R"({"t":"send","conv":"all","text":"\ud83d"})", DecodeErrc::InvalidUtf8,
               "lone high surrogate");
  expect_error(R"({"t":"send","conv":"all","text":"\ude00"})", DecodeErrc::InvalidUtf8,
               "lone low surrogate");
  expect_error("{\"t\":\"send\",\"conv\":\"all\",\"text\":\"a\nb\"}", DecodeErrc::Syntax,
               "unescaped control character");
}

TEST(V2Codec, Limits) {
  const std::string body = R"({"t":"send","conv":"all","text":")" + std::string(100, 'x') + "\"}";
  expect_error(body, DecodeErrc::TooLarge, "exceeds the limit of 100", DecodeLimits{100, 16});
  EXPECT_TRUE(decode_body(body, DecodeLimits{body.size(), 16}).ok());
  const std::string deep = R"({"t":"ping","x":[[[{}]]]})";  // depth 5
  expect_error(deep, DecodeErrc::TooDeep, "nesting deeper than 4", DecodeLimits{1024, 4});
  EXPECT_TRUE(decode_body(deep, DecodeLimits{1024, 5}).ok());
}

TEST(V2Codec, RequestIdOfABodyThatDoesNotDecode) {
  EXPECT_EQ(request_id_of(R"({"t":"send","rid":7,"text":5})"), 7u);
  EXPECT_EQ(request_id_of(R"({"rid":8})"), 8u);
  EXPECT_EQ(request_id_of(R"({"t":"send","rid":-1})"), std::nullopt);
  EXPECT_EQ(request_id_of(R"({"t":"send"})"), std::nullopt);
  EXPECT_EQ(request_id_of(R"([{"rid":1}])"), std::nullopt);
  EXPECT_EQ(request_id_of(R"({"rid":1)"), std::nullopt);
}

TEST(V2Codec, PasswdAndRegisterNeedTheirMembers) {
  EXPECT_EQ(decode_ok(R"({"t":"passwd","new":"b","old":"a"})"), Frame(Passwd{0, "a", "b"}));
  EXPECT_EQ(decode_ok(R"({"t":"register","user":"u","password":""})"), Frame(Register{0, "u", ""}));
  expect_error(R"({"t":"passwd","rid":1,"new":"b"})", DecodeErrc::MissingField,
               "missing member 'old'");
  expect_error(R"({"t":"passwd","old":"a"})", DecodeErrc::MissingField, "missing member 'new'");
  expect_error(R"({"t":"passwd","old":"a","new":7})", DecodeErrc::WrongType,
               "member 'new' must be a string, got a number");
  expect_error(R"({"t":"register","password":"p"})", DecodeErrc::MissingField,
               "missing member 'user'");
  expect_error(R"({"t":"register","user":"u"})", DecodeErrc::MissingField,
               "missing member 'password'");
  expect_error(R"({"t":"register","user":null,"password":"p"})", DecodeErrc::WrongType,
               "member 'user' must be a string, got null");
}

}  // namespace
}  // namespace qc::proto::v2
