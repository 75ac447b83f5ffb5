// The durable send pipeline (CoreConfig::store_messages): a send's messages go to the store in one
// action::Store; only after Core::stored are they delivered and acknowledged, with the ids the
// store gave. Nothing is delivered before it is durable. A v1 sender's message is stored too:
// v1 recipients got it at once, v2 sessions get it after the commit.
#include "chat/core_impl.h"
#include "proto/v2/codec.h"

namespace qc::chat {
namespace {

namespace v2 = proto::v2;

const history::OpResult& result_at(const std::vector<history::OpResult>& results, std::size_t i) {
  static const history::OpResult kMissing{history::Status::Failed, 0, "no result for the op"};
  return i < results.size() ? results[i] : kMissing;
}

}  // namespace

Session* Core::Impl::live(const SessionRef& ref) {
  Session* s = find_session(ref.conn);
  if (s == nullptr || s->serial != ref.serial || !s->phase.is(Phase::Authenticated)) return nullptr;
  return s;
}

void Core::Impl::count_store_result(const history::OpResult& r) {
  if (r.status == history::Status::QueueFull || r.status == history::Status::Failed) {
    ++counters.store_failures;
    logger.warn("store_refused", {{"status", r.status == history::Status::Failed ? "failed"
                                                                                  : "queue full"},
                                  {"detail", r.detail}});
  }
}

history::AppendMessage Core::Impl::append_op(const Sender& from, const SendPart& part,
                                             const std::string& text, const std::string& cid,
                                             std::int64_t ts) const {
  history::AppendMessage op;
  op.conv = part.conv;
  op.sender_id = from.account_id;
  op.sender = from.name;
  op.text = text;
  op.cid = cid;
  op.ts = ts;
  if (part.kind == SendPart::Kind::Direct) {
    op.to = {part.target.name};
    op.participants = {from.account_id, part.target.id};
    if (!part.target_online) {  // it queues for an account with no session online
      op.offline_account = part.target.id;
      op.offline_bound = config.offline_bound;
    }
  }
  return op;
}

// One AppendMessage per part, in the parts' order (stored() answers in the same order).
std::vector<history::Op> Core::Impl::append_ops(const Sender& from, const PlannedSend& plan) const {
  std::vector<history::Op> ops;
  ops.reserve(plan.parts.size());
  for (const SendPart& part : plan.parts)
    ops.emplace_back(append_op(from, part, plan.text, plan.ack.cid, plan.ack.ts));
  return ops;
}

void Core::Impl::store_send(Session& s, PlannedSend plan) {
  const Sender from = sender_of(s);
  std::vector<history::Op> ops = append_ops(from, plan);
  if (!plan.ack.cid.empty())
    sends_in_flight[in_flight_key(dedupe_key_of(s.account_id, s.username), plan.ack.cid)];
  const std::uint64_t ticket = pending_stores.add_write(
      [this, from, plan = std::move(plan)](std::vector<history::OpResult>& results) mutable {
        send_stored(from, plan, results);
      });
  out.store(ticket, std::move(ops));
}

// Each message: stored -> delivered and acknowledged with its id; a duplicate (a re-send of a cid
// the store has) -> acknowledged with the stored id, not delivered; refused -> a typed error.
void Core::Impl::send_stored(const Sender& from, PlannedSend& plan,
                             const std::vector<history::OpResult>& results) {
  v2::Ack& ack = plan.ack;
  for (std::size_t i = 0; i < plan.parts.size(); ++i) {
    const SendPart& part = plan.parts[i];
    const history::OpResult& r = result_at(results, i);
    count_store_result(r);
    const bool offline =
        part.kind == SendPart::Kind::Direct && !online_in_cluster(part.target.id, part.target.name);
    if (r.status == history::Status::Ok) {
      ++counters.stored_messages;
      ack.sent.push_back(v2::Sent{part.target.name, part.conv, r.id, offline});
      v2::Msg msg{part.conv, r.id, ack.epoch, ack.ts, from.name, {}, plan.text, {}};
      deliver_stored(from, part, std::move(msg), ack.cid, true, &ack);
    } else if (r.status == history::Status::Duplicate) {
      ++counters.duplicate_sends;
      ack.duplicate = true;
      ack.sent.push_back(v2::Sent{part.target.name, part.conv, r.id, offline});
    } else {
      const StoreRefusal why = store_refusal(r);
      ack.errors.push_back({part.target.name, std::string(why.code), why.text});
    }
  }
  const std::uint64_t dedupe = dedupe_key_of(from.account_id, from.name);
  if (!ack.cid.empty()) answer_waiters(in_flight_key(dedupe, ack.cid), ack);
  finish_send(live(from.session), dedupe, std::move(ack));
}

// Repeats of a cid that arrived while it was being stored: the same answer, as a duplicate.
void Core::Impl::answer_waiters(const std::string& key, const v2::Ack& ack) {
  auto it = sends_in_flight.find(key);
  if (it == sends_in_flight.end()) return;
  const auto waiters = std::move(it->second);
  sends_in_flight.erase(it);
  for (const auto& [ref, rid] : waiters) {
    Session* w = live(ref);
    if (w == nullptr) continue;
    v2::Ack again = ack;
    again.rid = rid;
    again.duplicate = !ack.sent.empty();
    if (again.sent.empty())
      finish_send(w, 0, std::move(again));
    else
      send_frame(*w, again);
  }
}

// A v1 sender's message: stored as it would be from v2 (one per direct conversation, or one in
// "all"); the v2 sessions of its recipients get it after the commit (v1 ones had it at once).
void Core::Impl::store_v1_message(Session& s, proto::MsgType type, const Routing& routing,
                                  const std::string& text, TimePoint now) {
  PlannedSend plan = plan_v1_message(s, type, routing, text, now);
  if (plan.parts.empty()) return;
  const Sender from = sender_of(s);
  std::vector<history::Op> ops = append_ops(from, plan);
  const std::uint64_t ticket = pending_stores.add_write(
      [this, from, plan = std::move(plan)](std::vector<history::OpResult>& results) {
        for (std::size_t i = 0; i < plan.parts.size(); ++i) {
          const history::OpResult& r = result_at(results, i);
          count_store_result(r);
          if (r.status != history::Status::Ok) continue;
          ++counters.stored_messages;
          // v1 only: everyone had it (no per-recipient work), unless other nodes need it.
          if (v2_authenticated == 0 && !clustered()) continue;
          const SendPart& part = plan.parts[i];
          v2::Msg msg{part.conv, r.id, plan.ack.epoch, plan.ack.ts, from.name, {}, plan.text, {}};
          deliver_stored(from, part, std::move(msg), {}, false, nullptr);
        }
      });
  out.store(ticket, std::move(ops));
}

}  // namespace qc::chat
