#include "quicchat/client/server_rotation.h"

#include "quicchat/common/host_port.h"

namespace qc::app {

std::string ServerCandidate::label() const {
  std::string text = host_port_text(name, port);
  if (address != name) text += " (" + address + ")";
  return text;
}

std::vector<ServerCandidate> expand_candidates(const std::vector<ServerEntry>& entries,
                                               const HostResolver& resolve) {
  std::vector<ServerCandidate> out;
  for (const ServerEntry& entry : entries) {
    auto addresses = resolve(entry.host);
    if (!addresses || addresses->size() <= 1) {
      out.push_back({entry.host, entry.port, entry.host});
      continue;
    }
    for (const std::string& address : *addresses) out.push_back({address, entry.port, entry.host});
  }
  return out;
}

ServerRotation::ServerRotation(std::vector<ServerCandidate> candidates)
    : candidates_(std::move(candidates)) {
  if (candidates_.empty()) candidates_.push_back({"localhost", 4433, "localhost"});
}

void ServerRotation::advance() { index_ = (index_ + 1) % candidates_.size(); }

}  // namespace qc::app
