#include "chat/pending_stores.h"

#include "proto/v2/frames.h"

namespace qc::chat {
namespace {

template <class Map>
typename Map::mapped_type take(Map& map, std::uint64_t ticket) {
  auto it = map.find(ticket);
  if (it == map.end()) return {};
  typename Map::mapped_type then = std::move(it->second);
  map.erase(it);
  return then;
}

// The database's own words (`detail`) go to the log, not to clients.
StoreRefusal refusal(history::Status status) {
  namespace code = proto::v2::code;
  switch (status) {
    case history::Status::QueueFull:
      return {code::kStoreFull, "the server's message store is busy: try again later"};
    case history::Status::OfflineFull:
      return {code::kOfflineFull, "too many messages wait for this offline user"};
    case history::Status::Failed:
      return {code::kStoreFailed, "the server could not store it"};
    case history::Status::Ok:
    case history::Status::Exists:
    case history::Status::Duplicate:
      break;
  }
  return {code::kInternal, "unexpected store answer"};
}

}  // namespace

std::uint64_t PendingStores::add_write(OnStored then) {
  writes_.emplace(next_, std::move(then));
  return next_++;
}

std::uint64_t PendingStores::add_read(OnRead then) {
  reads_.emplace(next_, std::move(then));
  return next_++;
}

PendingStores::OnStored PendingStores::take_write(std::uint64_t ticket) {
  return take(writes_, ticket);
}

PendingStores::OnRead PendingStores::take_read(std::uint64_t ticket) {
  return take(reads_, ticket);
}

StoreRefusal store_refusal(const history::OpResult& result) {
  return refusal(result.status);
}

StoreRefusal read_refusal(const history::ReadResult& result) {
  return refusal(result.status);
}

}  // namespace qc::chat
