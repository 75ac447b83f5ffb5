// Shared by the message store and writer tests: ops in one line, stores in a temp dir.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/message_store.h"

namespace qc::store::test {

namespace history = chat::history;

inline history::AppendMessage append(std::string conv, std::uint64_t sender_id,
                                     std::string text, std::string cid = "",
                                     std::vector<std::uint64_t> participants = {}) {
  history::AppendMessage m;
  m.conv = std::move(conv);
  m.sender_id = sender_id;
  m.sender = "u" + std::to_string(sender_id);
  m.text = std::move(text);
  m.cid = std::move(cid);
  m.ts = 1'000;
  m.participants = std::move(participants);
  return m;
}

inline std::unique_ptr<MessageStore> open_store(const std::string& path) {
  auto r = open_sqlite_message_store(path);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(r.value()) : nullptr;
}

inline std::vector<std::uint64_t> ids_of(const std::vector<history::OpResult>& results) {
  std::vector<std::uint64_t> ids;
  for (const auto& r : results) ids.push_back(r.id);
  return ids;
}

inline std::vector<std::uint64_t> ids_of(const history::PageResult& page) {
  std::vector<std::uint64_t> ids;
  for (const auto& m : page.msgs) ids.push_back(m.id);
  return ids;
}

}  // namespace qc::store::test
