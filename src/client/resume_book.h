// The client's bookkeeping for resume, dedupe and read cursors, without I/O (the caller loads
// and saves its ResumeState, resume_state.h):
// - accept(conv, id): a message shown once only. The ids of one conversation are dense and
//   ascend; those up to the id saved before a restart count as had, later ones are kept in a
//   bounded set, so a copy that comes twice (live, then again in the catch-up after a
//   reconnect) is dropped.
// - since(): the last id seen per conversation, for the login.
// - sends the server has not answered, by client message id.
// - read cursors: what was shown since the last take_reads(), the highest id per conversation
//   (one `read` each, however many messages); a cursor from another device moves them too.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/events.h"
#include "client/resume_state.h"

namespace qc::client {

class ResumeBook {
 public:
  explicit ResumeBook(ResumeState loaded = {});

  // True the first time (conv, id) is offered: show it (and mark it read later). A message of
  // another epoch than the saved one starts the book afresh (the server's database changed).
  bool accept(const std::string& conv, std::uint64_t id, std::uint64_t epoch);
  std::vector<proto::v2::Since> since() const;

  void sending(const OutgoingSend& send);  // a send on its way (replaces one with its cid)
  void answered(std::string_view cid);     // acknowledged or refused: not sent again
  const std::vector<OutgoingSend>& unacked() const { return state_.unacked; }

  // The reads to send now: (conv, highest id shown) where it is past the known cursor.
  std::vector<proto::v2::Since> take_reads();
  void cursor(const std::string& conv, std::uint64_t id);   // another device read up to id
  void set_unread(const std::vector<UnreadCount>& counts);  // the login's synced
  std::uint64_t unread(const std::string& conv) const;

  const ResumeState& state() const { return state_; }
  bool dirty() const { return dirty_; }
  void saved() { dirty_ = false; }

 private:
  struct Seen {
    std::uint64_t floor = 0;        // every id up to here is had
    std::set<std::uint64_t> above;  // ids had above the floor (bounded)
  };
  void restart_epoch(std::uint64_t epoch);

  ResumeState state_;
  std::map<std::string, Seen> seen_;
  std::map<std::string, std::uint64_t> to_read_;  // conv -> highest id shown, not read yet
  std::map<std::string, std::uint64_t> read_;     // conv -> the account's read cursor
  std::map<std::string, std::uint64_t> unread_;
  bool dirty_ = false;
};

}  // namespace qc::client
