// Decoding: tolerance (whitespace, key order, unknown keys, duplicates) and every typed error.
#include <gtest/gtest.h>

#include <string>

#include "proto/codec.h"

namespace qc::proto {
namespace {

template <class T>
DecodeErrc errc_of(const Decoded<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? DecodeErrc::Syntax : r.error().code;
}

template <class T>
void expect_error(const Decoded<T>& r, DecodeErrc code, std::string_view detail_part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().detail;
  EXPECT_NE(r.error().detail.find(detail_part), std::string::npos) << r.error().detail;
}

TEST(CodecDecode, AcceptsAnyWhitespaceKeyOrderAndUnknownKeys) {
  auto r = decode(
      " \n{ \"msg\"\t:\"keep_alive\" ,\"extra\": [1, {\"x\": null}], "
      "\"mtype\":32,\r\n\"version\":1 } \n");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, (Pdu{1, MsgType::Alive, "keep_alive"}));
}

TEST(CodecDecode, IgnoresSzEvenWhenWrong) {
  auto r = decode(R"({"version": 1, "mtype": 32, "msg": "abc", "sz": "nonsense"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->msg, "abc");
}

TEST(CodecDecode, DuplicateKeysLastOneWins) {
  auto r = decode(R"({"version": 1, "mtype": 16, "mtype": 32, "msg": "a", "msg": "b"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, MsgType::Alive);
  EXPECT_EQ(r->msg, "b");
}

TEST(CodecDecode, AcceptsAnyIntegerVersion) {
  auto r = decode(R"({"version": 7, "mtype": 32, "msg": ""})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, 7);
}

TEST(CodecDecode, UnicodeEscapesBecomeUtf8) {
  auto r = decode(R"({"version": 1, "mtype": 32, "msg": "caf\u00e9 \ud83d\ude00 \u0041\/"})");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->msg, "caf\u00e9 \U0001F600 A/");
  EXPECT_EQ(char_count(r->msg), 9u);
}

TEST(CodecDecode, RawUtf8InStringsIsKept) {
  auto r = decode("{\"version\": 1, \"mtype\": 32, \"msg\": \"\xc3\xa9\xf0\x9f\x98\x80\"}");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->msg, "\u00e9\U0001F600");
}

TEST(CodecDecode, Syntax) {
  expect_error(decode(""), DecodeErrc::Syntax, "end of input");
  expect_error(decode("{\"version\": 1,"), DecodeErrc::Syntax, "offset");
  expect_error(decode("{'version': 1}"), DecodeErrc::Syntax, "key");
  expect_error(decode(R"({"version": 1, "mtype": 32, "msg": "x"} {})"), DecodeErrc::Syntax,
               "trailing");
  expect_error(decode(R"({"msg": "\q"})"), DecodeErrc::Syntax, "escape");
  expect_error(decode("{\"msg\": \"a\nb\"}"), DecodeErrc::Syntax, "control character");
  expect_error(decode(R"({"version": 01})"), DecodeErrc::Syntax, "expected");
  expect_error(decode(R"({"version": NaN})"), DecodeErrc::Syntax, "unexpected character");
  expect_error(decode(R"({"msg": "\u12G4"})"), DecodeErrc::Syntax, "hex");
}

TEST(CodecDecode, NotObject) {
  expect_error(decode("[1, 2]"), DecodeErrc::NotObject, "an array");
  expect_error(decode("\"text\""), DecodeErrc::NotObject, "a string");
  expect_error(decode("42"), DecodeErrc::NotObject, "a number");
  expect_error(decode_login("null"), DecodeErrc::NotObject, "null");
}

TEST(CodecDecode, MissingFieldNamesTheField) {
  expect_error(decode(R"({"mtype": 32, "msg": ""})"), DecodeErrc::MissingField, "'version'");
  expect_error(decode(R"({"version": 1, "msg": ""})"), DecodeErrc::MissingField, "'mtype'");
  expect_error(decode(R"({"version": 1, "mtype": 32})"), DecodeErrc::MissingField, "'msg'");
  expect_error(decode_login(R"({"username": "a"})"), DecodeErrc::MissingField, "'password'");
  expect_error(decode_delivery(R"({"sender_user_id": 1, "msg": "x"})"), DecodeErrc::MissingField,
               "'sender_username'");
  expect_error(decode_versions_reply("{}"), DecodeErrc::MissingField, "'selected_version'");
  expect_error(decode_user_list(R"([{"user_id": 1}])"), DecodeErrc::MissingField, "'username'");
}

TEST(CodecDecode, WrongTypeNamesTheField) {
  expect_error(decode(R"({"version": "1", "mtype": 32, "msg": ""})"), DecodeErrc::WrongType,
               "'version'");
  expect_error(decode(R"({"version": 1, "mtype": 1.0, "msg": ""})"), DecodeErrc::WrongType,
               "fraction");
  expect_error(decode(R"({"version": 1, "mtype": 3e1, "msg": ""})"), DecodeErrc::WrongType,
               "'mtype'");
  expect_error(decode(R"({"version": 1, "mtype": true, "msg": ""})"), DecodeErrc::WrongType,
               "boolean");
  expect_error(decode(R"({"version": 99999999999, "mtype": 32, "msg": ""})"), DecodeErrc::WrongType,
               "out of range");
  expect_error(decode(R"({"version": 1, "mtype": 99999999999999999999, "msg": ""})"),
               DecodeErrc::WrongType, "out of range");
  expect_error(decode_login(R"({"username": 5, "password": "p"})"), DecodeErrc::WrongType,
               "'username'");
  expect_error(decode_versions_request(R"({"versions": 1})"), DecodeErrc::WrongType, "array");
  expect_error(decode_versions_request(R"({"versions": [1, "2"]})"), DecodeErrc::WrongType,
               "versions[]");
  expect_error(decode_user_list(R"([{"user_id": -1, "username": "a"}])"), DecodeErrc::WrongType,
               "'user_id'");
  expect_error(decode_user_list(R"({"user_id": 1})"), DecodeErrc::WrongType, "array");
  expect_error(decode_one_to_one(R"({"target_user_id": 2, "msg": "x"})"), DecodeErrc::WrongType,
               "'target_user_id' must be a string");
}

TEST(CodecDecode, MsgNotString) {
  expect_error(decode(R"({"version": 1, "mtype": 16, "msg": {"username": "a"}})"),
               DecodeErrc::MsgNotString, "an object");
  expect_error(decode(R"({"version": 1, "mtype": 16, "msg": null})"), DecodeErrc::MsgNotString,
               "'msg'");
}

TEST(CodecDecode, UnknownType) {
  expect_error(decode(R"({"version": 1, "mtype": 99, "msg": ""})"), DecodeErrc::UnknownType, "99");
  expect_error(decode(R"({"version": 1, "mtype": -16, "msg": ""})"), DecodeErrc::UnknownType,
               "-16");
}

TEST(CodecDecode, InvalidUtf8Variants) {
  const char* bad[] = {
      "\x80",              // lone continuation byte
      "\xc3",              // truncated 2-byte sequence
      "\xc0\xaf",          // overlong '/'
      "\xe0\x80\xaf",      // overlong 3-byte
      "\xed\xa0\x80",      // encoded surrogate U+D800
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xff",              // never valid
      "\xe2\x28\xa1",      // bad continuation
  };
  for (const char* b : bad) {
    const std::string pdu = std::string("{\"version\": 1, \"mtype\": 32, \"msg\": \"") + b + "\"}";
    EXPECT_EQ(errc_of(decode(pdu)), DecodeErrc::InvalidUtf8) << pdu;
  }
  expect_error(decode(R"({"version": 1, "mtype": 32, "msg": "\ud800"})"), DecodeErrc::InvalidUtf8,
               "surrogate");
  expect_error(decode(R"({"version": 1, "mtype": 32, "msg": "\udc00x"})"), DecodeErrc::InvalidUtf8,
               "surrogate");
  expect_error(decode(R"({"version": 1, "mtype": 32, "msg": "\ud800\u0041"})"),
               DecodeErrc::InvalidUtf8, "surrogate");
  EXPECT_EQ(errc_of(decode("{\"version\": 1, \"mtype\": 32, \"k\xff\": 1, \"msg\": \"\"}")),
            DecodeErrc::InvalidUtf8);
}

TEST(CodecDecode, DepthLimit) {
  const DecodeLimits limits{kDefaultMaxPduBytes, 4};
  EXPECT_TRUE(decode(R"({"version": 1, "mtype": 32, "msg": "", "x": [[{"y": 1}]]})", limits).ok());
  expect_error(decode(R"({"version": 1, "mtype": 32, "msg": "", "x": [[[{}]]]})", limits),
               DecodeErrc::TooDeep, "deeper than 4");
  std::string deep(100000, '[');
  EXPECT_EQ(errc_of(decode_user_list(deep, DecodeLimits{200000, 16})), DecodeErrc::TooDeep);
}

TEST(CodecDecode, SizeLimitIsCheckedBeforeParsing) {
  const std::string pdu = encode(make_pdu(MsgType::Alive, std::string(100, 'a')));
  EXPECT_TRUE(decode(pdu, DecodeLimits{pdu.size(), 16}).ok());
  expect_error(decode(pdu, DecodeLimits{pdu.size() - 1, 16}), DecodeErrc::TooLarge, "exceeds");
  // Garbage over the limit is TooLarge, not Syntax: the size is checked first.
  EXPECT_EQ(errc_of(decode(std::string(70000, '!'))), DecodeErrc::TooLarge);
}

TEST(CodecDecode, ErrcNamesAreDistinct) {
  EXPECT_EQ(decode_errc_name(DecodeErrc::TooDeep), "too_deep");
  EXPECT_EQ(decode_errc_name(DecodeErrc::MsgNotString), "msg_not_string");
}

TEST(CodecEncode, EncodeToAppends) {
  std::string out = "prefix";
  encode_to(make_pdu(MsgType::Alive, "keep_alive"), out);
  EXPECT_EQ(out, R"(prefix{"version": 1, "mtype": 32, "msg": "keep_alive", "sz": 10})");
}

TEST(CodecEncode, CharCountCountsCodePoints) {
  EXPECT_EQ(char_count(""), 0u);
  EXPECT_EQ(char_count("abc"), 3u);
  EXPECT_EQ(char_count("\u00e9\u20ac\U0001F600"), 3u);
}

TEST(CodecEncode, InvalidUtf8IsWrittenAsReplacementCharacter) {
  std::string out;
  append_json_string(out,
                     "a\xff"
                     "b");
  EXPECT_EQ(out, R"("a\ufffdb")");
  EXPECT_EQ(char_count("a\xff"
                       "b"),
            3u);
}

}  // namespace
}  // namespace qc::proto
