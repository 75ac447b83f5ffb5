// The servers a client may connect to (--server A,B,...): each entry of the list, a host name
// that resolves to several addresses giving one candidate per address. The client tries them in
// turn: at start until one answers, and after a lost connection from the next one on, the one
// just lost last.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/result.h"

namespace qc::app {

struct ServerEntry {  // one entry of --server, its port settled (the entry's, else --port)
  std::string host;   // a name or an address, without brackets
  std::uint16_t port = 0;
};

struct ServerCandidate {
  std::string address;  // what the transport connects to: an address, or the entry's name
  std::uint16_t port = 0;
  std::string name;  // the entry's host: SNI, certificate check and messages
  // "chat.example.org:4433", or "chat.example.org:4433 (192.0.2.1)" for one of several addresses.
  std::string label() const;
};

// A host's addresses (resolve_host_addresses in production, a table in tests).
using HostResolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;

// One candidate per entry, or per address of an entry whose name has several. A name that
// resolves to one address, or does not resolve, stays a name (the transport resolves it at each
// connect and reports the error).
std::vector<ServerCandidate> expand_candidates(const std::vector<ServerEntry>& entries,
                                               const HostResolver& resolve);

class ServerRotation {
 public:
  explicit ServerRotation(std::vector<ServerCandidate> candidates);

  const ServerCandidate& current() const { return candidates_[index_]; }
  std::size_t size() const { return candidates_.size(); }
  // Moves to the next candidate (after the last, the first).
  void advance();
  // Whether every candidate has been tried since the last success (or the start).
  bool round_done() const { return tried_ >= candidates_.size(); }
  void count_attempt() { ++tried_; }
  void succeeded() { tried_ = 0; }

 private:
  std::vector<ServerCandidate> candidates_;
  std::size_t index_ = 0;
  std::size_t tried_ = 0;
};

}  // namespace qc::app
