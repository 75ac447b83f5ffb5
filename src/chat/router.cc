#include "chat/router.h"

#include <charconv>
#include <optional>
#include <unordered_set>

namespace qc::chat {
namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// An id too big for 64 bits is well-formed but can never be active.
std::optional<std::uint64_t> to_user_id(std::string_view digits) {
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

class RoutingBuilder {
 public:
  RoutingBuilder(const Presence& presence, const RemoteMembers* remote)
      : presence_(presence), remote_(remote) {}

  void add_token(std::string_view raw) {
    const std::string_view token = trim_spaces(raw);
    if (!all_digits(token)) {
      routing_.errors.push_back(invalid_target_error(token));
      return;
    }
    const std::optional<std::uint64_t> id = to_user_id(token);
    const Member* member = id ? find(*id) : nullptr;
    if (member == nullptr) {
      if (!id || seen_.insert(*id).second) routing_.errors.emplace_back(kTargetUnavailable);
      return;
    }
    if (!seen_.insert(*id).second) return;
    routing_.accounts.push_back(member);
    routing_.recipients.insert(routing_.recipients.end(), member->conns.begin(),
                               member->conns.end());
  }

  Routing take() { return std::move(routing_); }

 private:
  const Member* find(std::uint64_t id) const {
    if (const Member* m = presence_.find(id)) return m;
    if (remote_ == nullptr) return nullptr;
    auto it = remote_->find(id);
    return it == remote_->end() ? nullptr : &it->second;
  }

  const Presence& presence_;
  const RemoteMembers* remote_;
  std::unordered_set<std::uint64_t> seen_;
  Routing routing_;
};

}  // namespace

std::string invalid_target_error(std::string_view token) {
  std::string text = "Invalid target user id '";
  text.append(token);
  text.push_back('\'');
  return text;
}

std::string too_long_for_error(const std::vector<std::string>& names, std::size_t limit) {
  constexpr std::size_t kNamed = 5;
  std::string text = "Message too long for ";
  for (std::size_t i = 0; i < names.size() && i < kNamed; ++i) {
    if (i > 0) text += ", ";
    text += names[i];
  }
  if (names.size() > kNamed) text += " and " + std::to_string(names.size() - kNamed) + " more";
  text += " (their client takes at most " + std::to_string(limit) + " bytes per message)";
  return text;
}

Routing route_one(const Presence& presence, std::string_view target_user_id,
                  const RemoteMembers* remote) {
  RoutingBuilder builder(presence, remote);
  builder.add_token(target_user_id);
  return builder.take();
}

Routing route_everyone(const Presence& presence) {
  Routing routing;
  routing.recipients.reserve(presence.sessions());
  routing.accounts.reserve(presence.size());
  for (const Member& m : presence.members()) {
    routing.accounts.push_back(&m);
    routing.recipients.insert(routing.recipients.end(), m.conns.begin(), m.conns.end());
  }
  return routing;
}

Routing route_many(const Presence& presence, std::string_view target_user_ids,
                   const RemoteMembers* remote) {
  RoutingBuilder builder(presence, remote);
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = target_user_ids.find(',', start);
    builder.add_token(target_user_ids.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return builder.take();
}

}  // namespace qc::chat
