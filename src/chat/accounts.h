// What the core knows of accounts beyond the sessions online: their immutable ids, and whether a
// name that is not online is an account at all (a v2 message to an offline account is accepted;
// to an unknown name it is refused). The server implements the directory over its account store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qc::chat {

struct AccountRef {
  std::uint64_t id = 0;  // immutable, never reused (0: not known)
  std::string name;      // as stored
};

struct AccountLookup {
  std::optional<AccountRef> account;
  bool unavailable = false;  // the directory could not tell (its store failed): not "no such name"
};

class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;
  // The account `name` (case-insensitive), or nullopt when there is none. Called on the loop
  // thread, only for names that are not online, so it must be quick (a cache or an indexed read).
  virtual std::optional<AccountRef> find(std::string_view name) = 0;
  // find, telling "there is none" from "could not tell". A directory that cannot fail keeps this.
  virtual AccountLookup lookup(std::string_view name) { return {find(name), false}; }
};

}  // namespace qc::chat
