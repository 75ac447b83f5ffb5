// How history pages and the login catch-up are cut (by count and by bytes, expired ids, unread
// counts), shared by the SQLite and PostgreSQL message stores: each answers the few queries of
// MessageSource, read_messages does the rest.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "store/message_store.h"
#include "util/result.h"

namespace qc::store {

// "No upper bound" for an id: the largest a signed 64-bit column holds.
constexpr std::uint64_t kNoUpperBound = std::numeric_limits<std::int64_t>::max();

class MessageSource {
 public:
  struct Cursor {
    bool listed = false;
    std::uint64_t read = 0;
  };
  struct Listed {
    std::string conv;
    std::uint64_t read = 0, last = 0;
  };
  // Messages of conv with after < id < before, `limit` + 1 at most (to tell `more`), oldest
  // first; newest_first picks the newest ones below `before` instead (and returns them so).
  virtual Result<std::vector<proto::v2::Msg>> messages(const std::string& conv, std::uint64_t after,
                                                       std::uint64_t before, std::uint32_t limit,
                                                       bool newest_first) = 0;
  virtual Result<std::uint64_t> last_id(const std::string& conv) = 0;  // 0: none yet
  virtual Result<Cursor> cursor_of(std::uint64_t account_id, const std::string& conv) = 0;
  // Every conversation listed for the account, ordered by conv (bytewise).
  virtual Result<std::vector<Listed>> listed_convs(std::uint64_t account_id) = 0;

 protected:
  ~MessageSource() = default;
};

history::ReadResult read_messages(MessageSource& source, const history::Query& query);

// messages.recipients holds the display names of `to`, comma-separated (names never hold one).
std::string join_names(const std::vector<std::string>& names);
std::vector<std::string> split_names(const std::string& joined);

}  // namespace qc::store
