// Host and port as people write them: "example.org", "example.org:4433", "127.0.0.1:4433",
// "::1", "[::1]" and "[::1]:4433". An IPv6 address with a port is bracketed; an unbracketed
// text with two colons or more is an IPv6 address without a port ("::1:4433" is one address).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace qc::app {

struct ServerAddress {
  std::string host;                   // without brackets: "::1"
  std::optional<std::uint16_t> port;  // when the text named one
};

// Parses a --server value; an error says what is malformed.
Result<ServerAddress> parse_server_address(std::string_view text);

// A --server list: comma-separated entries, each as parse_server_address takes it ("a:4433,
// [::1]:4434,b"); spaces around an entry are ignored. An empty entry is an error.
Result<std::vector<ServerAddress>> parse_server_list(std::string_view text);

// The addresses a host name stands for, as text ("192.0.2.1", "2001:db8::1"), in the resolver's
// order without repeats. An address stays itself; "localhost" stays "localhost" (the transport
// takes it as 127.0.0.1).
Result<std::vector<std::string>> resolve_host_addresses(const std::string& host);

// "example.org:4433", "[::1]:4433": an IPv6 address is bracketed.
std::string host_port_text(std::string_view host, std::uint16_t port);

}  // namespace qc::app
