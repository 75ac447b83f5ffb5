// The cluster's bus events: golden encodings (the examples docs/ARCHITECTURE.md shows), round
// trips, and refusals that name the member.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "proto/bus/codec.h"

namespace qc::proto::bus {
namespace {

Msg direct_msg() {
  Msg m;
  m.kind = ConvKind::Direct;
  m.msg = v2::Msg{"d:1:2", 7, 1, 1700000000000, "alice", {"bob"}, "hi", "c-1"};
  m.from_id = 1;
  m.to_id = 2;
  return m;
}

struct Golden {
  Event event;
  std::string json;
};

std::vector<Golden> goldens() {
  Msg room;
  room.kind = ConvKind::Room;
  room.msg = v2::Msg{"#team", 3, 1, 5, "bob", {}, "hello \"all\"", ""};
  room.from_id = 2;
  Msg v1_many = direct_msg();  // a v1 ONE_TO_MANY's part: v1 recipients see the sender's v1 id
  v1_many.msg.cid.clear();
  v1_many.v1_from = 5;
  v1_many.v1_many = true;
  return {
      {direct_msg(),
       R"({"t":"msg","kind":"direct","conv":"d:1:2","id":7,"epoch":1,"ts":1700000000000,"from":"alice","to":["bob"],"text":"hi","cid":"c-1","from_id":1,"to_id":2})"},
      {room,
       R"({"t":"msg","kind":"room","conv":"#team","id":3,"epoch":1,"ts":5,"from":"bob","text":"hello \"all\"","from_id":2})"},
      {Presence{"alice", 1, true}, R"({"t":"presence","user":"alice","id":1,"state":"online"})"},
      {Presence{"alice", 1, false}, R"({"t":"presence","user":"alice","id":1,"state":"offline"})"},
      {v1_many,
       R"({"t":"msg","kind":"direct","conv":"d:1:2","id":7,"epoch":1,"ts":1700000000000,"from":"alice","to":["bob"],"text":"hi","from_id":1,"to_id":2,"v1_from":5,"v1_many":true})"},
      {Presence{"alice", 1, true, 65},
       R"({"t":"presence","user":"alice","id":1,"state":"online","v1_id":65})"},
      {Room{"join", "#Team", "bob", 2, "", "", true},
       R"({"t":"room","change":"join","room":"#Team","user":"bob","user_id":2,"created":true})"},
      {Room{"topic", "#Team", "bob", 2, "bob", "release", false},
       R"({"t":"room","change":"topic","room":"#Team","user":"bob","user_id":2,"by":"bob","topic":"release"})"},
      {EndSessions{"alice", 8, "kicked by the operator"},
       R"({"t":"end_sessions","user":"alice","code":8,"reason":"kicked by the operator"})"},
  };
}

TEST(BusCodec, EncodesTheGoldenExamplesAndDecodesThemBack) {
  for (const Golden& g : goldens()) {
    EXPECT_EQ(encode(g.event), g.json);
    auto back = decode(g.json);
    ASSERT_TRUE(back.ok()) << g.json << ": " << back.error().detail;
    EXPECT_EQ(*back, g.event) << g.json;
  }
}

TEST(BusCodec, TakesAnyOrderAndIgnoresUnknownMembers) {
  auto e = decode(R"( {"state":"online", "new":[1,2], "id":1, "user":"alice", "t":"presence"} )");
  ASSERT_TRUE(e.ok()) << e.error().detail;
  EXPECT_EQ(*e, Event(Presence{"alice", 1, true}));
}

TEST(BusCodec, ArchitectureDocShowsTheGoldenExamples) {
  std::ifstream in(std::string(QC_DOCS_DIR) + "/ARCHITECTURE.md");
  ASSERT_TRUE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const Golden& g : goldens())
    EXPECT_NE(doc.find(g.json), std::string::npos) << "not in docs/ARCHITECTURE.md: " << g.json;
}

TEST(BusCodec, RefusesWhatIsNotAnEventNamingTheProblem) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"", "end of input"},
      {"[]", "object"},
      {R"({"user":"a"})", "'t'"},
      {R"({"t":7})", "'t'"},
      {R"({"t":"gossip"})", "gossip"},
      {R"({"t":"presence","user":"a","id":1,"state":"away"})", "'state'"},
      {R"({"t":"presence","user":"a","state":"online"})", "'id'"},
      {R"({"t":"msg","kind":"dm","conv":"all","id":1,"epoch":1,"ts":1,"from":"a","text":"x","from_id":1})",
       "'kind'"},
      {R"({"t":"msg","kind":"direct","conv":"d:1:2","id":1,"epoch":1,"ts":1,"from":"a","text":"x","from_id":1})",
       "to_id"},
      {R"({"t":"msg","kind":"room","conv":"#a","id":-1,"epoch":1,"ts":1,"from":"a","text":"x","from_id":1})",
       "'id'"},
      {R"({"t":"room","change":"explode","room":"#a","user":"a","user_id":1})", "'change'"},
      {R"({"t":"end_sessions","user":"a","code":"8","reason":"x"})", "'code'"},
  };
  for (const auto& [payload, named] : bad) {
    auto e = decode(payload);
    ASSERT_FALSE(e.ok()) << payload;
    EXPECT_NE(e.error().detail.find(named), std::string::npos)
        << payload << " -> " << e.error().detail;
  }
}

TEST(BusCodec, ALongTextWithEscapesFitsTheBusLimits) {
  Msg m = direct_msg();
  m.msg.text = std::string(32 * 1024, '\x01');  // each written \u0001: six times as long
  auto back = decode(encode(m));
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(std::get<Msg>(*back).msg.text, m.msg.text);
}

}  // namespace
}  // namespace qc::proto::bus
