// --server values: names, IPv4 and IPv6 addresses, with and without a port; and the
// host:port text the client and the server's listen line print.
#include "quicchat/common/host_port.h"

#include <gtest/gtest.h>

namespace qc::app {
namespace {

ServerAddress parsed(std::string_view text) {
  auto address = parse_server_address(text);
  EXPECT_TRUE(address) << text << ": " << address.error().message;
  return address ? *address : ServerAddress{};
}

std::string error_of(std::string_view text) {
  auto address = parse_server_address(text);
  EXPECT_FALSE(address) << text << " parsed as " << (address ? address->host : "");
  return address ? "" : address.error().message;
}

TEST(ServerAddress, NamesAndIpv4WithOrWithoutAPort) {
  EXPECT_EQ(parsed("chat.example.org").host, "chat.example.org");
  EXPECT_FALSE(parsed("chat.example.org").port);
  const ServerAddress with_port = parsed("chat.example.org:5000");
  EXPECT_EQ(with_port.host, "chat.example.org");
  EXPECT_EQ(with_port.port, 5000);
  EXPECT_EQ(parsed("127.0.0.1:4433").host, "127.0.0.1");
  EXPECT_EQ(parsed("127.0.0.1:4433").port, 4433);
}

TEST(ServerAddress, Ipv6BareOrBracketedAndWithAPortOnlyInBrackets) {
  EXPECT_EQ(parsed("::1").host, "::1");
  EXPECT_FALSE(parsed("::1").port);
  EXPECT_EQ(parsed("[::1]").host, "::1");
  EXPECT_FALSE(parsed("[::1]").port);
  EXPECT_EQ(parsed("[::1]:4433").host, "::1");
  EXPECT_EQ(parsed("[::1]:4433").port, 4433);
  EXPECT_EQ(parsed("[2001:db8::7]:1").port, 1);
  EXPECT_EQ(parsed("fe80::1%eth0").host, "fe80::1%eth0");
  // Unbracketed, the last group is part of the address, not a port.
  EXPECT_EQ(parsed("::1:4433").host, "::1:4433");
  EXPECT_FALSE(parsed("::1:4433").port);
}

TEST(ServerAddress, MalformedValuesSayWhatIsWrong) {
  EXPECT_EQ(error_of("[::1"), "--server '[::1': missing ']'");
  EXPECT_EQ(error_of("[]:4433"), "--server '[]:4433': no address between the brackets");
  EXPECT_EQ(error_of("[::1]4433"), "--server '[::1]4433': expected ':PORT' after ']'");
  EXPECT_EQ(error_of("[::1]:"), "--server '[::1]:': the port must be 1 to 65535");
  EXPECT_EQ(error_of("[localhost]"), "--server '[localhost]': brackets hold an IPv6 address only");
  EXPECT_EQ(error_of("::1]"), "--server '::1]': stray bracket");
  EXPECT_EQ(error_of("host:0"), "--server 'host:0': the port must be 1 to 65535");
  EXPECT_EQ(error_of("host:65536"), "--server 'host:65536': the port must be 1 to 65535");
  EXPECT_EQ(error_of("host:44x"), "--server 'host:44x': the port must be 1 to 65535");
  EXPECT_EQ(error_of(":4433"), "--server ':4433': no host before ':'");
  EXPECT_EQ(error_of(""), "--server '': no host");
  EXPECT_EQ(error_of("::1:4433:"),
            "--server '::1:4433:': not an IPv6 address (with a port: [ADDRESS]:PORT)");
  EXPECT_EQ(error_of("[::1::2]"), "--server '[::1::2]': brackets hold an IPv6 address only");
}

TEST(HostPortText, BracketsIpv6AddressesOnly) {
  EXPECT_EQ(host_port_text("127.0.0.1", 4433), "127.0.0.1:4433");
  EXPECT_EQ(host_port_text("localhost", 1), "localhost:1");
  EXPECT_EQ(host_port_text("::1", 4433), "[::1]:4433");
  EXPECT_EQ(host_port_text("::", 0), "[::]:0");
}

}  // namespace
}  // namespace qc::app
