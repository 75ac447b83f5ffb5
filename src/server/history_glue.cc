// The chat core's store actions carried out on the message writer's thread. Answers come back
// to the loop through post(), in the writer's order: the core relies on reads seeing exactly the
// writes asked for before them (chat/history.h).
#include <algorithm>
#include <chrono>
#include <iterator>

#include "io/wall_clock.h"
#include "server/chat_server.h"
#include "util/log.h"

namespace qc::server {
namespace {

using Clock = std::chrono::steady_clock;

bool store_answered(const std::vector<chat::history::OpResult>& results) {
  return std::none_of(results.begin(), results.end(), [](const chat::history::OpResult& r) {
    return r.status == chat::history::Status::Failed;
  });
}

}  // namespace

// A loop turn's writes go to the writer as one job at the end of the turn (on_idle), answered by
// one posted task: one commit, and the turn's messages reach each member in one packet. Handed
// over one by one, the writer would commit the first alone while the loop is still reading the
// rest, and every member would get a packet per commit.
void ChatServer::store_ops(chat::action::Store& request) {
  pending_writes_.push_back(PendingWrite{request.ticket, request.ops.size()});
  std::move(request.ops.begin(), request.ops.end(), std::back_inserter(pending_ops_));
}

// The time is taken on the writer's thread when it answers (the loop may be busy before it runs
// the posted answer); it counts from the hand-over, so a write's wait until the turn's end is not
// in it.
void ChatServer::submit_pending_writes() {
  if (pending_writes_.empty()) return;
  writer_->write(std::move(pending_ops_),
                 [this, alive = std::weak_ptr<bool>(alive_), writes = std::move(pending_writes_),
                  since = Clock::now()](std::vector<chat::history::OpResult> results) {
                   const auto took = Clock::now() - since;
                   loop_.post([this, alive, writes, took, results = std::move(results)]() mutable {
                     if (alive.expired() || !*alive.lock()) return;
                     auto next = results.begin();
                     for (const PendingWrite& w : writes) {
                       auto end = next + static_cast<std::ptrdiff_t>(w.ops);
                       std::vector<chat::history::OpResult> mine(std::make_move_iterator(next),
                                                                 std::make_move_iterator(end));
                       counters_.store_done(ServerCounters::StoreOp::Append, took,
                                            store_answered(mine));
                       core_.stored(w.ticket, std::move(mine), loop_.now());
                       next = end;
                     }
                     carry_out_actions();
                   });
                 });
  pending_writes_.clear();
  pending_ops_.clear();
}

void ChatServer::read_store(chat::action::ReadStore& request) {
  submit_pending_writes();  // a read sees every write asked for before it
  writer_->read(std::move(request.query),
                [this, alive = std::weak_ptr<bool>(alive_), ticket = request.ticket,
                 since = Clock::now()](chat::history::ReadResult result) {
                  const auto took = Clock::now() - since;
                  loop_.post([this, alive, ticket, took, result = std::move(result)]() mutable {
                    if (alive.expired() || !*alive.lock()) return;
                    counters_.store_done(ServerCounters::StoreOp::Read, took,
                                         result.status != chat::history::Status::Failed);
                    core_.read_done(ticket, std::move(result), loop_.now());
                    carry_out_actions();
                  });
                });
}

void ChatServer::schedule_purge() {
  loop_.add_timer(loop_.now() + config_.purge_interval,
                  [this, alive = std::weak_ptr<bool>(alive_)] {
                    if (alive.expired() || !*alive.lock()) return;
                    purge_step(0, /*scheduled=*/true);
                  });
}

void ChatServer::purge_now() {
  if (!purging_) purge_step(0, /*scheduled=*/false);
}

// One batch of retention on the writer; the next batch is asked for only when this one is done,
// so that messages and reads queued meanwhile never wait behind a whole purge.
void ChatServer::purge_step(std::size_t deleted_so_far, bool scheduled) {
  purging_ = true;
  submit_pending_writes();
  writer_->purge(config_.retention, io::unix_ms_now(), config_.purge_batch,
                 [this, alive = std::weak_ptr<bool>(alive_), deleted_so_far,
                  scheduled](store::PurgeResult result) {
                   loop_.post([this, alive, deleted_so_far, scheduled, result] {
                     if (alive.expired() || !*alive.lock()) return;
                     purged_ += result.deleted;
                     const std::size_t total = deleted_so_far + result.deleted;
                     if (result.more) return purge_step(total, scheduled);
                     purging_ = false;
                     if (total > 0) log::info("retention_purge", {{"deleted", total}});
                     if (scheduled) schedule_purge();
                   });
                 });
}

}  // namespace qc::server
