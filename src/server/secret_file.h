// The server's static secret, kept in a file so that it survives a restart: it keys the QUIC
// stateless reset tokens (and Retry tokens), so a restarted server, or another node of a cluster
// sharing the file, can tell a client at its next packet that its connection is gone
// (RFC 9000 10.3).
//
// The file holds 32 bytes as 64 hex digits and a newline. It is created on first use, mode 0600,
// atomically (a temp file renamed into place without replacing one that appeared meanwhile); a
// file of another length or that group or others may access is refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace qc::server {

constexpr std::size_t kSecretBytes = 32;

struct SecretFile {
  std::vector<std::uint8_t> secret;
  bool created = false;  // false: loaded
};

// Reads the secret at `path`, or creates the file with fresh random bytes when it is missing.
Result<SecretFile> load_or_create_secret(const std::string& path);

// `server.secret` in the folder of the database file.
std::string default_secret_path(const std::string& db_path);

}  // namespace qc::server
