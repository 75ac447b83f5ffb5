// ClientApp in protocol v2: the room commands, /history, and the current conversation that a
// line without an address goes to (/open, /close; the prompt names it).
#include "client/format.h"
#include "quicchat/client/client_app.h"

namespace qc::app {

using namespace qc::client;

namespace {

std::string conversation_label(const Conversation& conv) {
  switch (conv.kind) {
    case Conversation::Kind::Room:
      return conv.name;
    case Conversation::Kind::User:
      return "@" + conv.name;
    case Conversation::Kind::Broadcast:
      break;
  }
  return "0";
}

Result<void> needs_v2() {
  return fail("v1", "rooms and history need a server speaking protocol v2");
}

}  // namespace

Result<void> ClientApp::execute_v2(const Command& command, std::string_view line) {
  if (!v2()) return needs_v2();
  if (const auto* r = std::get_if<RoomSendCmd>(&command)) {
    auto sent = chat_.send_to_room(r->room, r->text, line);
    if (sent) sent_v2();
    return sent;
  }
  if (const auto* j = std::get_if<JoinCmd>(&command)) return chat_.join(j->room);
  if (const auto* l = std::get_if<LeaveCmd>(&command)) return chat_.leave(l->room);
  if (std::holds_alternative<RoomsCmd>(command)) return chat_.list_rooms();
  if (const auto* t = std::get_if<TopicCmd>(&command)) {
    return t->topic ? chat_.set_topic(t->room, *t->topic) : chat_.list_rooms(t->room);
  }
  if (const auto* m = std::get_if<MembersCmd>(&command)) return chat_.list_members(m->room);
  if (const auto* r = std::get_if<RemoveCmd>(&command))
    return chat_.remove_member(r->room, r->user);
  if (const auto* h = std::get_if<HistoryCmd>(&command)) return run_history(*h);
  if (std::holds_alternative<MoreCmd>(command)) return run_more();
  if (const auto* o = std::get_if<OpenCmd>(&command)) open_conversation(o->conv);
  if (std::holds_alternative<PasswdCmd>(command)) start_passwd();
  return {};
}

Result<void> ClientApp::run_history(const HistoryCmd& history) {
  switch (history.conv.kind) {
    case Conversation::Kind::Room:
      return chat_.history(history.conv.name, {}, history.limit);
    case Conversation::Kind::User:
      return chat_.history({}, history.conv.name, history.limit);
    case Conversation::Kind::Broadcast:
      break;
  }
  return chat_.history(proto::v2::kBroadcastConv, {}, history.limit);
}

Result<void> ClientApp::run_more() {
  if (!last_history_) return fail("local", "No history shown yet: /history first");
  if (!last_history_->more) {
    return fail("local", "No older messages in " + sanitize(last_history_->label));
  }
  return chat_.history(last_history_->conv, {}, last_history_->limit, last_history_->first_id);
}

void ClientApp::open_conversation(const std::optional<Conversation>& conv) {
  current_ = conv;
  if (!conv) {
    return say("close", "[Sys] No current conversation: address each line (0:, @name:, #room:)");
  }
  say("open", "[Sys] Now in " + sanitize(conversation_label(*conv)) +
                  ": a line without an address goes there (/close to stop)");
}

std::string ClientApp::prompt() const {
  return current_ ? sanitize(conversation_label(*current_)) + "> " : std::string();
}

void ClientApp::request_command_line() { console_.request_command_line(prompt()); }

}  // namespace qc::app
