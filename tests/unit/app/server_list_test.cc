// --server lists: the entries' parsing (ports, IPv6 brackets, bad entries), the candidates a
// name with several addresses gives, and the order a client tries them in.
#include <gtest/gtest.h>

#include <map>

#include "quicchat/client/server_rotation.h"
#include "quicchat/common/host_port.h"

namespace qc::app {
namespace {

std::vector<ServerAddress> listed(std::string_view text) {
  auto list = parse_server_list(text);
  EXPECT_TRUE(list) << text << ": " << list.error().message;
  return list ? *list : std::vector<ServerAddress>{};
}

std::string list_error(std::string_view text) {
  auto list = parse_server_list(text);
  EXPECT_FALSE(list) << text << " parsed into " << (list ? list->size() : 0) << " entries";
  return list ? "" : list.error().message;
}

TEST(ServerList, OneEntryIsTheSingleServerForm) {
  const auto one = listed("chat.example.org:5000");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].host, "chat.example.org");
  EXPECT_EQ(one[0].port, 5000);
  const auto v6 = listed("::1");
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].host, "::1");
  EXPECT_FALSE(v6[0].port);
}

TEST(ServerList, EntriesKeepTheirOrderAndTheirOwnPorts) {
  const auto list = listed("a.example:4433, [::1]:4434,127.0.0.1,[fe80::1],::2,b");
  ASSERT_EQ(list.size(), 6u);
  EXPECT_EQ(list[0].host, "a.example");
  EXPECT_EQ(list[0].port, 4433);
  EXPECT_EQ(list[1].host, "::1");
  EXPECT_EQ(list[1].port, 4434);
  EXPECT_EQ(list[2].host, "127.0.0.1");
  EXPECT_FALSE(list[2].port);
  EXPECT_EQ(list[3].host, "fe80::1");
  EXPECT_FALSE(list[3].port);
  EXPECT_EQ(list[4].host, "::2");  // unbracketed IPv6: the whole entry is the address
  EXPECT_FALSE(list[4].port);
  EXPECT_EQ(list[5].host, "b");
}

TEST(ServerList, BadEntriesAreNamed) {
  EXPECT_NE(list_error("").find("entry 1 is empty"), std::string::npos);
  EXPECT_NE(list_error("a,,b").find("entry 2 is empty"), std::string::npos);
  EXPECT_NE(list_error("a:1,").find("entry 2 is empty"), std::string::npos);
  EXPECT_NE(list_error("a, ,b").find("entry 2 is empty"), std::string::npos);
  EXPECT_NE(list_error("a,b:0").find("'b:0': the port must be 1 to 65535"), std::string::npos);
  EXPECT_NE(list_error("a,b:x").find("'b:x'"), std::string::npos);
  EXPECT_NE(list_error("a,[::1").find("missing ']'"), std::string::npos);
  EXPECT_NE(list_error("[::1]:4433,::1:4433:x").find("not an IPv6 address"), std::string::npos);
  EXPECT_NE(list_error("a,[example.org]:1").find("IPv6 address only"), std::string::npos);
}

TEST(ServerList, AddressesResolveToThemselves) {
  for (const std::string host : {"127.0.0.1", "::1", "localhost"}) {
    auto addresses = resolve_host_addresses(host);
    ASSERT_TRUE(addresses);
    EXPECT_EQ(*addresses, std::vector<std::string>{host});
  }
}

// A resolver from a table: unknown names fail.
HostResolver table(std::map<std::string, std::vector<std::string>> names) {
  return [names](const std::string& host) -> Result<std::vector<std::string>> {
    auto it = names.find(host);
    if (it == names.end()) return fail("resolve", "cannot resolve " + host);
    return it->second;
  };
}

TEST(ServerCandidates, ANameWithSeveralAddressesGivesOneCandidateEach) {
  const auto candidates = expand_candidates(
      {{"chat.example", 4433}, {"one.example", 5000}, {"192.0.2.9", 4433}, {"nowhere", 1}},
      table({{"chat.example", {"192.0.2.1", "2001:db8::1"}},
             {"one.example", {"192.0.2.5"}},
             {"192.0.2.9", {"192.0.2.9"}}}));
  ASSERT_EQ(candidates.size(), 5u);
  EXPECT_EQ(candidates[0].address, "192.0.2.1");
  EXPECT_EQ(candidates[0].name, "chat.example");  // SNI and certificate check
  EXPECT_EQ(candidates[0].label(), "chat.example:4433 (192.0.2.1)");
  EXPECT_EQ(candidates[1].address, "2001:db8::1");
  EXPECT_EQ(candidates[1].label(), "chat.example:4433 (2001:db8::1)");
  // One address, or none: the name stays (the transport resolves it at each connect).
  EXPECT_EQ(candidates[2].address, "one.example");
  EXPECT_EQ(candidates[2].label(), "one.example:5000");
  EXPECT_EQ(candidates[3].label(), "192.0.2.9:4433");
  EXPECT_EQ(candidates[4].address, "nowhere");
}

TEST(ServerRotation, TriesEachOnceThenTheOneLostComesLast) {
  ServerRotation rotation({{"a", 1, "a"}, {"b", 2, "b"}, {"c", 3, "c"}});
  EXPECT_EQ(rotation.current().address, "a");
  rotation.count_attempt();
  EXPECT_FALSE(rotation.round_done());
  rotation.advance();
  rotation.count_attempt();
  rotation.advance();
  rotation.count_attempt();
  EXPECT_EQ(rotation.current().address, "c");
  EXPECT_TRUE(rotation.round_done());  // a, b and c failed: the client gives up
  rotation.succeeded();                // c answered
  EXPECT_FALSE(rotation.round_done());
  // c is lost: a, b, then c again.
  rotation.advance();
  EXPECT_EQ(rotation.current().address, "a");
  rotation.advance();
  EXPECT_EQ(rotation.current().address, "b");
  rotation.advance();
  EXPECT_EQ(rotation.current().address, "c");
}

}  // namespace
}  // namespace qc::app
