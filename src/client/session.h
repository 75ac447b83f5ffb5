// ClientSession: the protocol-level chat client, sans I/O. Request methods queue encoded PDUs
// (one SharedBytes per PDU) in an outbox the caller drains and writes to the chat stream;
// on_bytes() consumes whatever the stream delivered and queues Events. No sockets, no clock:
// the same object drives the terminal client, the bench and unit tests with canned bytes.
//
// State is the seed's connection DFA (client view): DISCONNECTED -> CONNECTING -> CONNECTED
// (VERSIONS and LOGIN allowed) -> AUTHENTICATED (chat allowed) -> DISCONNECTING -> DISCONNECTED.
//
// Versions: a session offers [1] (the seed's VERSIONS), or [1, 2] when its max_version is 2 and
// the ALPN is `quicchat` (v2 is never offered on `echo-protocol`). Offering 1 only, login never
// waits for the VERSIONS reply (the original server treats VERSIONS as optional). Offering 2,
// login() holds the request until the reply selects a version and then encodes it in that
// version; after a reply selecting 2 every byte both ways is a v2 frame (proto/v2/frames.h),
// starting with the byte right after the reply, even inside the same chunk.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/events.h"
#include "client/presence.h"
#include "proto/connection_state.h"
#include "proto/framer.h"
#include "proto/v2/framer.h"
#include "util/bytes.h"
#include "util/result.h"

namespace qc::client {

// What a client accepts from a server. Larger than what a server accepts from a client: a
// presence list grows with the number of users online (about 46 bytes each), and 64 KiB would
// stop logins once some 1,400 users are on.
inline constexpr std::size_t kMaxServerPduBytes = 8 * 1024 * 1024;

struct SessionConfig {
  std::size_t max_pdu_bytes = kMaxServerPduBytes;
  std::int64_t max_version = 1;  // 2: offer v2 on the ALPN quicchat
  // Client message ids are "<tag>-<n>": the tag tells this process's sends from those of the
  // account's other devices. Empty: a random one.
  std::string cid_tag;
  std::uint64_t first_cid = 1;  // a reconnecting client goes on counting
};

class ClientSession {
 public:
  explicit ClientSession(std::size_t max_pdu_bytes = kMaxServerPduBytes);
  explicit ClientSession(SessionConfig config);

  // --- transport notifications -----------------------------------------------------------
  void on_connecting();
  void on_open(std::string alpn, std::string peer_address);
  void on_path_changed(std::string peer_address);
  void on_closed(std::uint64_t app_error_code, std::string kind, std::string reason);
  void on_local_close() { closed_locally_ = true; }  // we are closing without a logout
  void on_bytes(std::string_view bytes);

  // --- requests (each queues exactly one PDU, or fails without queuing) -------------------
  // Requests queue nothing while a login is held for the VERSIONS reply (see above).
  Result<void> start();  // VERSIONS {"versions": [1]} or [1, 2]
  // `device` (v2 only): this device's stable id; empty lets the server choose one. `since` (v2
  // only): the last message id seen per conversation; the server sends what came after (resume).
  Result<void> login(std::string_view username, std::string_view password,
                     std::string_view device = {}, std::vector<proto::v2::Since> since = {},
                     std::uint64_t since_epoch = 0);
  // v2 only: creates the account (register), then logs in with it once the server says ok. A
  // refusal, or a server that picks v1, ends the dialogue with LoginRejected.
  Result<void> register_and_login(std::string_view username, std::string_view password,
                                  std::string_view device = {});
  // v2: changes the account's password (passwd); RequestDone PasswordChanged or RequestError.
  Result<void> change_password(std::string_view old_password, std::string_view new_password);
  Result<void> send_broadcast(std::string_view text);  // v1 BROADCAST or v2 conv "all"
  Result<void> send_direct(std::uint64_t target_id, std::string_view text);  // v1
  Result<void> send_many(const std::vector<std::uint64_t>& target_ids, std::string_view text);
  // v2: a direct message to each name (one-to-one or one-to-many), with a fresh rid and cid.
  Result<void> send_to(const std::vector<std::string>& names, std::string_view text);
  // v2: the same message again with its original cid (a fresh rid): after a reconnect, a send
  // that was never acknowledged; the server delivers it at most once.
  Result<void> resend(const OutgoingSend& send);
  // v2 rooms, history, read cursors (session_rooms.cc). Rooms are named as typed ("#Team");
  // a room's conversation is its name in lower case.
  Result<void> send_to_room(std::string_view room, std::string_view text);
  Result<void> join(std::string_view room);
  Result<void> leave(std::string_view room);
  // `topic_of`: the list is asked for to show that room's topic (RoomsListed::topic_of).
  Result<void> list_rooms(std::string_view topic_of = {});
  Result<void> set_topic(std::string_view room, std::string_view topic);
  Result<void> list_members(std::string_view room);
  Result<void> remove_member(std::string_view room, std::string_view user);
  // The latest `limit` messages (0: the server's default) of `conv` ("all", "#team"), or of the
  // direct conversation `with` a name when conv is empty.
  // `before`: the messages before that id instead (paging back).
  Result<void> history(std::string_view conv, std::string_view with, std::uint32_t limit,
                       std::optional<std::uint64_t> before = std::nullopt);
  // The rest of a login catch-up page that had `more`: the messages of `conv` after `after`,
  // delivered as a HistoryPage of origin CatchUp.
  Result<void> catch_up_after(std::string_view conv, std::uint64_t after);
  Result<void> mark_read(std::string_view conv, std::uint64_t id);
  Result<void> alive();  // v1 ALIVE, v2 ping
  Result<void> logout();
  // Queues arbitrary bytes as one write (conformance tests send malformed input with it).
  void send_raw(std::string bytes);

  // --- draining ----------------------------------------------------------------------------
  std::vector<SharedBytes> take_outbox();
  std::vector<Event> take_events();
  bool has_output() const { return !outbox_.empty(); }

  // --- state -------------------------------------------------------------------------------
  proto::ConnState state() const { return dfa_.state(); }
  // The version the bytes are in: 1 until a VERSIONS reply selects 2.
  std::int64_t version() const { return version_; }
  bool awaiting_version() const { return awaiting_version_; }
  // v2: the last send queued (send_broadcast, send_to, resend), for the caller to show pending.
  const std::optional<OutgoingSend>& last_send() const { return last_send_; }
  // v2: sends not answered yet, by rid.
  const std::map<proto::v2::RequestId, OutgoingSend>& unanswered_sends() const {
    return pending_sends_;
  }
  std::uint64_t next_cid() const { return next_cid_; }
  const std::string& cid_tag() const { return cid_tag_; }
  // v2: the names online (the snapshot plus changes since), and this device's id.
  const std::set<std::string>& online() const { return online_; }
  const std::string& device() const { return device_; }
  bool logged_in() const;
  bool logging_out() const { return logout_requested_; }
  std::optional<std::uint64_t> my_id() const { return my_id_; }
  const std::string& my_name() const { return my_name_; }
  const Presence& presence() const { return presence_; }
  std::optional<std::uint64_t> find_user_id(std::string_view name) const {
    return presence_.find_id(name);
  }

 private:
  Result<void> require_logged_in(std::string_view what) const;
  Result<void> require_v1(std::string_view what) const;
  void queue(proto::MsgType type, std::string msg);
  void apply(proto::ConnEvent event);
  void on_pdu(std::string_view bytes);
  void dispatch(const proto::Pdu& pdu);
  void on_versions(const proto::Pdu& pdu);
  void on_login_ack(const proto::Pdu& pdu);
  void on_user_list(const proto::Pdu& pdu);
  void on_delivery(const proto::Pdu& pdu, MessageKind kind);
  void on_error_reply(const proto::Pdu& pdu);
  void on_logout_ack(const proto::Pdu& pdu);
  void violation(std::string detail);

  // v2 (session_v2.cc)
  struct HeldLogin {
    std::string user, password, device;
    std::vector<proto::v2::Since> since;
    std::uint64_t since_epoch = 0;
    bool register_first = false;  // register the account, then log in
  };
  enum class RequestKind {
    Login,
    Send,
    Ping,
    Logout,
    Join,
    Leave,
    Rooms,
    Topic,
    Members,
    Remove,
    History,
    Read,
    Passwd,
    Register
  };
  // What a room, history or read request was about, for its answer's event.
  struct RequestContext {
    RequestKind kind = RequestKind::Read;
    std::string room, user, conv;
    std::uint64_t id = 0;
    std::string topic = {};  // SetTopic
    bool catch_up = false;   // History: the rest of a login catch-up page (shown as new)
  };
  void queue_v2(const proto::v2::Frame& frame);
  proto::v2::RequestId next_rid() { return next_rid_++; }
  void login_v1(const HeldLogin& login);
  void login_v2(const HeldLogin& login);
  Result<void> hold_or_send_login(HeldLogin login);
  void register_v2(HeldLogin login);
  void on_registered(std::optional<proto::v2::RequestId> rid, const proto::v2::Error* refusal);
  Result<void> send_v2(OutgoingSend send);
  void release_held_login();
  void feed_v1(std::string_view bytes);
  void feed_v2(std::string_view bytes);
  void on_v2_body(std::string_view body);
  void on_welcome(proto::v2::Welcome& w);
  void on_presence(proto::v2::Presence& p);
  void on_msg(proto::v2::Msg& m);
  void on_ack(proto::v2::Ack& a);
  void on_v2_error(proto::v2::Error& e);
  void on_bye(const proto::v2::Bye& b);
  bool is_my_cid(std::string_view cid) const;
  // session_rooms.cc
  Result<void> request(const proto::v2::Frame& frame, proto::v2::RequestId rid,
                       RequestContext context);
  std::optional<RequestContext> take_context(std::optional<proto::v2::RequestId> rid);
  Message message_from(proto::v2::Msg& m);
  std::string label_of(const std::string& conv) const;
  void learn_label(const Message& m);
  void on_room(proto::v2::Room& f);
  void on_room_list(proto::v2::RoomList& f);
  void on_member_list(proto::v2::MemberList& f);
  void on_room_event(proto::v2::RoomEvent& f);
  void on_page(proto::v2::Page& f);
  void on_synced(proto::v2::Synced& f);
  void on_cursor(proto::v2::Cursor& f);
  void on_ok(const proto::v2::Ok& f);

  proto::DecodeLimits limits_;
  proto::StreamFramer framer_;
  proto::v2::FrameReader v2_reader_;
  std::int64_t max_version_ = 1;
  std::string alpn_;
  std::int64_t version_ = 1;
  bool offered_v2_ = false;
  bool awaiting_version_ = false;
  std::optional<HeldLogin> held_login_;
  proto::v2::RequestId next_rid_ = 1;
  std::map<proto::v2::RequestId, RequestKind> pending_;
  std::map<proto::v2::RequestId, OutgoingSend> pending_sends_;
  std::map<proto::v2::RequestId, RequestContext> contexts_;
  std::map<std::string, std::string> labels_;  // direct conversation -> "@peer"
  std::optional<OutgoingSend> last_send_;
  std::string cid_tag_;
  std::uint64_t next_cid_ = 1;
  std::set<std::string> online_;
  std::string device_;
  proto::ConnectionDfa dfa_;
  std::vector<SharedBytes> outbox_;
  std::vector<Event> events_;
  Presence presence_;
  std::optional<std::uint64_t> my_id_;
  std::string my_name_;
  bool logout_requested_ = false;
  bool closed_locally_ = false;
};

}  // namespace qc::client
