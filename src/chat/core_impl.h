// Core's private state and the member functions its source files share (core.cc: API and
// lifecycle; inbound.cc: framing, pending queue, dispatch; login.cc; handlers.cc).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "chat/conv_order.h"
#include "chat/core.h"
#include "chat/deadlines.h"
#include "chat/logger.h"
#include "chat/login_flow.h"
#include "chat/outbox.h"
#include "chat/pending_stores.h"
#include "chat/presence.h"
#include "chat/presence_feed.h"
#include "chat/recent_sends.h"
#include "chat/rooms.h"
#include "chat/router.h"
#include "chat/session.h"
#include "chat/v1_ids.h"
#include "proto/close_codes.h"
#include "proto/framer.h"
#include "proto/v2/frames.h"

namespace qc::chat {

// A message request's parts, whatever its type: who it is for, and the text.
struct MessageRequest {
  std::string targets;
  std::string text;
};
using MessageDecoder = proto::Decoded<MessageRequest> (*)(std::string_view msg,
                                                          const proto::DecodeLimits& limits);
// A session as a continuation keeps it: the handle alone could name a later session.
struct SessionRef {
  ConnHandle conn = 0;
  std::uint64_t serial = 0;
};

// Who sent a message, as its deliveries need it (also after the sender's session has gone).
struct Sender {
  SessionRef session;
  std::uint64_t account_id = 0;
  std::string name;
  std::uint64_t v1_id = 0;  // the v1 user id while the message was sent
};

// One message of a v2 send: one conversation.
struct SendPart {
  enum class Kind : std::uint8_t { Direct, Broadcast, Room };
  Kind kind = Kind::Direct;
  std::string conv;
  AccountRef target;  // Direct: the recipient
  bool target_online = false;
  proto::MsgType v1_type = proto::MsgType::OneToOne;  // what v1 sessions get
};

// A send's answer being put together, and its messages.
struct PlannedSend {
  proto::v2::Ack ack;  // rid, cid, epoch, ts, and the errors of names refused up front
  std::vector<SendPart> parts;
  std::string text;
};

// A stored message on its way to this node's sessions (a cluster delivers them in id order:
// chat/conv_order.h). `from.session` is the sending session where it is this node's.
struct OrderedDelivery {
  Sender from;
  SendPart part;
  proto::v2::Msg msg;  // without the cid: the sender's own devices get it (deliver_part)
  std::string cid;
  bool v1_too = false;
};

// The direct conversation of two accounts ("d:1:2").
std::string conv_of(const AccountRef& a, const AccountRef& b);
// Whose cids RecentSends keeps: the account id (its name's hash where there is none).
std::uint64_t dedupe_key_of(std::uint64_t account_id, std::string_view name);
// The key of sends_in_flight: the sender's dedupe key and the cid.
std::string in_flight_key(std::uint64_t dedupe, std::string_view cid);

// How a message's recipients are found from its targets.
enum class Audience : std::uint8_t { OneId, IdList, Everyone };

struct Core::Impl {
  explicit Impl(CoreConfig c)
      : config(std::move(c)),
        logger(config.log_sink),
        login_by_ip(config.login_rate_per_ip),
        login_by_account(config.login_rate_per_account),
        registrations_by_ip(config.registration_rate_per_ip),
        recent_sends(config.client_id_window, config.client_ids_per_account),
        rooms(config.rooms) {
    sequencer = config.sequencer ? config.sequencer
                                 : std::make_shared<MemorySequencer>(config.message_epoch);
  }

  struct Route;
  using Handler = void (Impl::*)(Session&, const Route&, const proto::Pdu&, TimePoint);
  // What the core does with a PDU the session's phase routes (inbound.cc holds the table). A
  // message kind is one row: on_message runs the shared pipeline from the row's metadata.
  struct Route {
    proto::MsgType type;
    Handler handler;
    bool counts_against_rate = false;  // spends the session's message budget, before decoding
    MessageDecoder decode = nullptr;   // messages: the request's targets and text
    Audience audience = Audience::OneId;
  };
  static const Route* find_route(proto::MsgType type);  // nullptr: a type clients never send
  // The last reply before a Close (LOGOUT_ACK, bye), sent after the others learn the user left.
  using Reply = SharedBytes;

  // core.cc
  Session* find_session(ConnHandle conn);
  // Logout-like: LOGOUT_BROADCAST to the others. Its log line is debug for a close that an
  // operator asked for (the operator's action has the line).
  void end_presence(Session& s, std::string_view why, log::Level level = log::Level::Info);
  void close_session(Session& s, proto::CloseCode code, std::string_view reason,
                     const Reply* last_words = nullptr);
  void send_to(Session& s, proto::MsgType type, std::string body);
  void send_error(Session& s, proto::MsgType type, std::string_view error);
  void settle_deadlines();
  void fire(const Deadline& d);

  // inbound.cc
  void on_frame_event(Session& s, const proto::FrameEvent& event, TimePoint now);
  void process(Session& s, const InboundItem& item, TimePoint now);
  void take_pdu(Session& s, std::string_view bytes, TimePoint now);
  void take_frame_error(Session& s, proto::FrameErrc error, std::string_view detail);
  // Carries out the inbound table's verdict; `pdu` is set for Route.
  void act(Session& s, Verdict verdict, const proto::Pdu* pdu, std::string_view detail,
           TimePoint now);
  void route(Session& s, const proto::Pdu& pdu, TimePoint now);
  void queue(Session& s, InboundItem item);
  void drain_pending(Session& s, TimePoint now);
  void malformed(Session& s, std::string_view detail);  // a request body that does not decode
  void report_malformed(Session& s, std::string_view detail);
  void report_too_large(Session& s);
  void count_malformed(Session& s, std::string_view detail);
  bool flooding(Session& s);
  void reject_login(Session& s, std::string_view detail);
  void end_of_stream(Session& s);

  // login.cc
  void on_login(Session& s, const Route& route, const proto::Pdu& pdu, TimePoint now);
  void begin_login(Session& s, std::string username, std::string password, TimePoint now);
  void send_welcome(Session& s);
  void replace_devices(Session& s);
  void went_online(const Session& s);
  void went_offline(const Session& s);
  void on_password_result(Session& s, PasswordCheck result, TimePoint now);
  // `known_account`: the name is an existing account's, so the log may show it.
  void fail_login(Session& s, LoginFailure why, TimePoint now, bool known_account);
  void count_failure(LoginFailure why);
  void complete_login(Session& s);
  void login_timeout(Session& s);
  void settle_login(Session& s, TimePoint now);
  void start_probe(Session& s, Session& holder, TimePoint now);
  void probe_unanswered(Session& s, TimePoint now);
  Session* prober_of(const Session& holder);
  std::size_t sessions_of(std::string_view username) const;  // the account's sessions online
  Session* find_holder(std::string_view username);
  void release_prober(Session& holder);
  bool login_allowed(Session& s, std::string_view username, TimePoint now);
  bool hash_queue_full();
  void password_check_done();

  // self_service.cc: passwd and register (v2), and ending an account's sessions
  void on_passwd_v2(Session& s, proto::v2::Passwd passwd, TimePoint now);
  void on_register_v2(Session& s, proto::v2::Register request, TimePoint now);
  // False (the refusal answered) when `s` has a passwd or register in flight already, or the
  // hashing workers are full.
  bool may_start_account_change(Session& s, std::uint64_t rid);
  std::uint64_t start_account_change(Session& s, std::uint64_t rid, bool passwd);
  void password_changed(const std::string& username, Session* caller, std::uint64_t rid);
  // Closes every session of the account `username` but `except`; `each` runs first for each
  // one (a log line). Returns how many it closed.
  std::size_t close_account_sessions(std::string_view username, const Session* except,
                                     proto::CloseCode code, std::string_view reason,
                                     const std::function<void(Session&)>& each = {});
  void interrupt_logins_in_check(std::string_view username);

  // handlers.cc: the per-message limits; false = refused with MSG_UNSUCCESSFUL
  // `rid`: the v2 request to name in the refusal.
  bool within_message_rate(Session& s, TimePoint now, std::optional<std::uint64_t> rid = {});
  bool text_fits(Session& s, const std::string& text);
  bool targets_fit(Session& s, std::string_view target_ids);

  // v2.cc: framing, the v2 inbound table, ping and logout
  void feed(Session& s, std::string_view bytes, TimePoint now);
  void on_frame_event_v2(Session& s, const proto::FrameEvent& event, TimePoint now);
  void take_frame_v2(Session& s, std::string_view body, TimePoint now);
  void act_v2(Session& s, Verdict verdict, const proto::v2::Frame* frame, std::string_view detail,
              TimePoint now);
  void route_v2(Session& s, const proto::v2::Frame& frame, TimePoint now);
  void send_frame(Session& s, const proto::v2::Frame& frame);
  void send_error_v2(Session& s, std::optional<std::uint64_t> rid, std::string_view code,
                     std::string text, std::vector<proto::v2::TargetError> errors = {});
  void on_login_v2(Session& s, proto::v2::Login login, TimePoint now);
  void on_logout_v2(Session& s, std::uint64_t rid);
  void flush_presence();
  void send_presence_slice();
  void schedule_presence_flush();
  SharedBytes presence_snapshot();
  std::int64_t wall_ms(TimePoint now) const;

  // v2_send.cc: the v2 message pipeline, and v2 copies of v1 senders' messages
  void on_send_v2(Session& s, proto::v2::Send send, TimePoint now);
  bool send_limits_ok(Session& s, const proto::v2::Send& send);
  // The recipients' sessions split by protocol (v1 order kept); `except` left out.
  void split_by_version(const std::vector<ConnHandle>& conns, ConnHandle except,
                        std::vector<ConnHandle>& v1, std::vector<ConnHandle>& v2) const;
  void deliver_v1_copy(const Sender& sender, proto::MsgType type, const std::string& text,
                       std::vector<ConnHandle> v1, std::vector<proto::v2::TargetError>& errors,
                       std::string_view to_name);
  PlannedSend plan_v1_message(const Session& s, proto::MsgType type, const Routing& routing,
                              const std::string& text, TimePoint now) const;
  void v2_copies_of_v1_message(Session& s, proto::MsgType type, const Routing& routing,
                               const std::string& text, TimePoint now);

  // v2_send.cc: the parts shared by the immediate and the durable pipeline
  PlannedSend plan_send(Session& s, const proto::v2::Send& send, TimePoint now);
  bool answered_as_duplicate(Session& s, const proto::v2::Send& send, TimePoint now);
  // Delivers one stored (or sequenced) message to its conversation's sessions; `v1_too`: v1
  // sessions get it too (false: a v1 sender's message, which they got at once).
  void deliver_part(const Sender& from, const SendPart& part, proto::v2::Msg msg,
                    std::string_view cid, bool v1_too, proto::v2::Ack* ack);
  std::vector<ConnHandle> room_sessions(const Room& room, ConnHandle except,
                                        std::uint64_t own_account,
                                        std::vector<ConnHandle>& own) const;
  void drop_held_back(std::vector<ConnHandle>& v2, std::string_view conv) const;
  void drop_later_v1(std::vector<ConnHandle>& v1, std::int64_t sent_ms) const;
  void finish_send(Session* s, std::uint64_t dedupe, proto::v2::Ack ack);  // s: may be gone
  Sender sender_of(const Session& s) const;
  const Member* member_of(const Sender& from) const;

  // v2_durable.cc: with store_messages, a message is delivered and acknowledged after its commit
  void store_send(Session& s, PlannedSend plan);
  void send_stored(const Sender& from, PlannedSend& plan,
                   const std::vector<history::OpResult>& results);
  void answer_waiters(const std::string& key, const proto::v2::Ack& ack);
  void store_v1_message(Session& s, proto::MsgType type, const Routing& routing,
                        const std::string& text, TimePoint now);
  history::AppendMessage append_op(const Sender& from, const SendPart& part,
                                   const std::string& text, const std::string& cid,
                                   std::int64_t ts) const;
  std::vector<history::Op> append_ops(const Sender& from, const PlannedSend& plan) const;
  Session* live(const SessionRef& ref);  // logged in and not closing, or nullptr
  static SessionRef ref_of(const Session& s) { return {s.conn, s.serial}; }
  void count_store_result(const history::OpResult& r);

  // cluster.cc: the other nodes' messages, presence, room changes and session ends
  bool clustered() const { return !config.node_id.empty(); }
  // A committed message to this node's sessions; in a cluster also published, and in id order.
  void deliver_stored(const Sender& from, const SendPart& part, proto::v2::Msg msg,
                      std::string_view cid, bool v1_too, proto::v2::Ack* ack);
  void deliver_in_order(OrderedDelivery d, proto::v2::Ack* ack);
  OrderedDelivery delivery_of(proto::bus::Msg e) const;
  proto::bus::Msg event_of_stored(proto::v2::Msg msg) const;
  std::uint64_t account_id_of(std::string_view name) const;
  // A name as a message's target: a member of presence, else the directory's answer.
  AccountLookup target_account(std::string_view name) const;
  void repair(const std::vector<ConvOrder<OrderedDelivery>::Gap>& gaps);
  void repair_done(const std::string& conv, std::uint64_t after, history::ReadResult& result);
  void on_bus_presence(std::string_view origin, const proto::bus::Presence& e);
  bool online_remotely(std::string_view key) const;
  bool online_in_cluster(std::uint64_t account, std::string_view name) const;
  // This node's part of an account's presence changed; false: the cluster's did not.
  bool local_presence_changed(const Session& s, bool online);
  void remote_presence_changed(const std::string& name, bool before);
  void on_bus_room(const proto::bus::Room& e);
  // Rooms read again from the store (the bus was down); a change meanwhile asks again.
  void reload_rooms();
  void rooms_reloaded(history::ReadResult& result, std::uint64_t asked_at);
  void publish_room(const Room& room, std::string change, const std::string& user,
                    std::uint64_t user_id, std::string by = {}, std::string topic = {},
                    bool created = false);
  void on_end_sessions(std::string_view origin, const proto::bus::EndSessions& e);
  // v1 across nodes: cluster-wide ids, the lists with the other nodes' users, their ids.
  // False: `s` waits for a block of ids (its login completes when it comes).
  bool v1_id_for(Session& s, std::uint64_t& id);
  void ask_v1_ids();
  proto::UserList v1_user_list() const;
  std::uint64_t remote_v1_id(std::string_view name) const;  // 0: none known
  void remember_remote_v1(std::string_view origin, const proto::bus::Presence& e);
  void forget_remote_v1(std::string_view origin, const std::string& key);
  void prune_remote_v1();

  // v2_rooms.cc
  void on_join(Session& s, const proto::v2::Join& join);
  void on_leave(Session& s, const proto::v2::Leave& leave);
  void on_list_rooms(Session& s, const proto::v2::ListRooms& list);
  void on_topic(Session& s, const proto::v2::SetTopic& topic);
  void on_members(Session& s, const proto::v2::ListMembers& members);
  void on_remove(Session& s, const proto::v2::RemoveMember& remove);
  const Room* existing_room(Session& s, std::uint64_t rid, std::string_view name);
  proto::v2::RoomInfo room_info(const Room& room, std::uint64_t asking) const;
  void answer_join(const SessionRef& who, std::uint64_t rid, const std::string& key, bool created);
  void room_event(const Room& room, proto::v2::RoomEvent event, ConnHandle except,
                  std::uint64_t also_account = 0);
  // Stores `ops`; then runs `done` (all stored) or `undo` and answers the request's refusal.
  // `done` gets the asker (nullptr when gone) and the ops' results (Ok or Exists).
  using RoomOpResults = std::vector<history::OpResult>;
  using RoomChangeDone = std::function<void(Session*, const RoomOpResults&)>;
  void store_room_change(Session& s, std::uint64_t rid, std::vector<history::Op> ops,
                         RoomChangeDone done, std::function<void()> undo);

  // v2_history.cc: history pages, read cursors, the login catch-up
  void on_history(Session& s, const proto::v2::History& history);
  void on_read(Session& s, const proto::v2::Read& read);
  // The conversation `conv` if `s` may read it; else answers the refusal and returns nullopt.
  std::optional<std::string> readable_conv(Session& s, std::uint64_t rid, std::string_view conv,
                                           std::string_view with);
  void start_catch_up(Session& s);
  void catch_up_done(const SessionRef& who, std::uint64_t rid, history::ReadResult& result);
  // Live copies of `conv` (empty: of everything) skip `s` until release_hold.
  void hold_back(Session& s, std::string_view conv);
  void release_hold(Session& s, std::string_view conv);
  void send_page(Session& s, std::optional<std::uint64_t> rid, history::PageResult page);

  // handlers.cc
  void on_versions(Session& s, const Route& route, const proto::Pdu& pdu, TimePoint now);
  void on_alive(Session& s, const Route& route, const proto::Pdu& pdu, TimePoint now);
  void on_message(Session& s, const Route& route, const proto::Pdu& pdu, TimePoint now);
  void on_logout(Session& s, const Route& route, const proto::Pdu& pdu, TimePoint now);
  Routing resolve(Audience audience, std::string_view targets) const;
  // One encoded PDU, one Deliver naming every recipient.
  void deliver(SharedBytes bytes, std::vector<ConnHandle> recipients);
  // Takes out of `recipients` those whose client cannot read a PDU of `bytes`; returns them.
  std::vector<ConnHandle> leave_out_too_long(std::vector<ConnHandle>& recipients,
                                             std::size_t bytes);
  std::string too_long_error(const std::vector<ConnHandle>& left_out);
  // True when every open session's client reads a PDU of `bytes`: then no session need be
  // looked up per recipient (the common case, and the fan-out's hot path).
  bool everyone_takes(std::size_t bytes) const {
    return one_packet_limits.empty() || bytes <= *one_packet_limits.begin();
  }
  // LOGIN_BROADCAST / LOGOUT_BROADCAST with the current list to every active user but `except`.
  void broadcast_presence(proto::MsgType type, ConnHandle except);

  CoreConfig config;
  Logger logger;
  KeyedBuckets login_by_ip;
  KeyedBuckets login_by_account;
  KeyedBuckets registrations_by_ip;
  // passwd and register waiting for the hashing workers, by ticket: who asked (a session may have
  // gone meanwhile: a changed password still ends the account's other sessions).
  struct AccountChangeRequest {
    SessionRef who;
    std::uint64_t rid = 0;
    bool passwd = false;  // else register
    std::string username;
  };
  std::unordered_map<std::uint64_t, AccountChangeRequest> account_changes;
  std::unordered_map<ConnHandle, std::unique_ptr<Session>> sessions;
  std::multiset<std::size_t> one_packet_limits;  // max_pdu_in_one_packet of the open sessions
  std::size_t v1_authenticated = 0;  // v1 sessions logged in: v1 presence lists go to them
  std::size_t v2_authenticated = 0;  // v2 sessions logged in
  std::shared_ptr<MessageSequencer> sequencer;
  RecentSends recent_sends;
  RoomTable rooms;
  PendingStores pending_stores;
  // v2 sends with a cid waiting for their commit ("<account>/<cid>"): repeats of them that
  // arrived meanwhile wait too, and are answered as duplicates (the session and its rid).
  std::unordered_map<std::string, std::vector<std::pair<SessionRef, std::uint64_t>>>
      sends_in_flight;
  std::size_t sessions_holding_back = 0;  // sessions with Session::holds_back anything
  PresenceFeed presence_feed;
  std::optional<TimePoint> presence_flush_at;
  struct PresenceOut {  // a flush being written out slice by slice
    SharedBytes frame;
    std::vector<ConnHandle> to;
    std::size_t next = 0;
    bool busy() const { return next < to.size(); }
  };
  PresenceOut presence_out;
  std::optional<TimePoint> presence_slice_at;
  SharedBytes snapshot;  // the encoded snapshot of presence_feed's generation snapshot_generation
  std::uint64_t snapshot_generation = UINT64_MAX;
  Presence presence;
  DeadlineQueue deadlines;
  Outbox out;
  std::uint64_t next_ticket = 1;
  std::size_t checks_in_flight = 0;   // VerifyPassword actions password_checked has not answered
  std::uint64_t busy_since_full = 0;  // LOGINs refused since the bound was reached (0: not full)
  std::uint64_t next_serial = 1;
  CoreStats counters;
  // A cluster.
  ConvOrder<OrderedDelivery> order{config.bus_gap_bound};
  std::map<std::string, std::map<std::string, std::string>> remote_online;  // node -> key -> name
  std::uint64_t room_generation = 0;  // room changes made or heard of (a reload must see them all)
  std::map<std::string, std::map<std::string, std::uint64_t>> remote_v1;  // node -> key -> v1 id
  std::map<std::uint64_t, Member> remote_members;  // v1 id -> the other node's account (no conns)
  V1Ids v1_ids;
  std::vector<SessionRef> waiting_for_v1_id;  // logins (right password) waiting for a block
  TimePoint input_time{};  // the time of the input being processed (set at the public entry points)
};

}  // namespace qc::chat
