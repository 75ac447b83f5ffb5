#include "server/chat_server.h"

#include <chrono>
#include <random>
#include <type_traits>

#include "auth/password.h"
#include "proto/alpn.h"
#include "proto/close_codes.h"
#include "server/store_directory.h"
#include "util/log.h"

namespace qc::server {

quic::ServerOptions chat_transport_options() {
  quic::ServerOptions o;
  o.alpns = proto::default_alpns();
  o.one_pdu_per_packet_alpns = proto::one_pdu_per_packet_alpns();
  o.refusal_close_code = proto::to_wire(proto::CloseCode::LimitExceeded);
  o.quiet_close_codes = {proto::to_wire(proto::CloseCode::Kicked)};  // the admin line says it
  return o;
}

namespace {

// A random key per server run for the hash that stands in the log for unknown LOGIN names, so the
// log alone cannot be used to test guesses at what was typed.
chat::CoreConfig with_log_hash_key(chat::CoreConfig config) {
  std::random_device random;
  config.log_hash_key = (std::uint64_t{random()} << 32) | random();
  return config;
}

// What the core cannot know by itself: the wall clock at start (message timestamps), the epoch of
// message ids (history on: the database's; off: this run's start in ms, since sequences then live
// in memory and restart with the process), the stored rooms, and the account directory.
chat::CoreConfig for_this_run(chat::CoreConfig config, io::EventLoop& loop,
                              store::AccountStore& store,
                              std::vector<chat::history::StoredRoom> rooms, std::uint64_t epoch) {
  const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  config.clock_origin = loop.now();
  config.clock_origin_unix_ms = unix_ms;
  // Stored messages take their ids (and the epoch) from the database, so they survive restarts.
  config.message_epoch = config.store_messages ? epoch : static_cast<std::uint64_t>(unix_ms);
  config.rooms = std::move(rooms);
  if (!config.directory) config.directory = std::make_shared<StoreDirectory>(store);
  return with_log_hash_key(std::move(config));
}

}  // namespace

Result<std::unique_ptr<ChatServer>> ChatServer::start(io::EventLoop& loop,
                                                      store::AccountStore& store,
                                                      std::unique_ptr<store::MessageStore> messages,
                                                      const ServerConfig& config,
                                                      cluster::Bus* bus) {
  ServerConfig effective = config;
  if (bus != nullptr) {
    if (!config.chat.store_messages)
      return fail("bad_config",
                  "a cluster needs stored messages (history): ids come from the store");
    if (config.node_id.empty()) return fail("bad_config", "a cluster needs a node id (--node-id)");
    effective.chat.node_id = config.node_id;  // the core publishes only in a cluster
  }
  auto rooms = messages->load_rooms();
  if (!rooms) return Unexpected{rooms.error()};
  const std::uint64_t epoch = messages->epoch();
  std::unique_ptr<ChatServer> server(
      new ChatServer(loop, store, effective, std::move(*rooms), epoch));
  server->writer_ = std::make_unique<store::MessageWriter>(std::move(messages), config.writer);
  // Before the endpoint's flush (registered next): the writer commits while the loop writes.
  loop.on_idle([s = server.get(), alive = std::weak_ptr<bool>(server->alive_)] {
    if (!alive.expired() && *alive.lock()) s->submit_pending_writes();
  });
  auto endpoint = quic::ServerEndpoint::start(loop, config.transport, *server);
  if (!endpoint) return Unexpected{endpoint.error()};
  server->endpoint_ = std::move(*endpoint);
  server->attach_bus(bus);
  // Warm the dummy hash now, so the first unknown-user login is not slower than the rest.
  (void)auth::dummy_hash(config.bcrypt_cost);
  if (config.chat.store_messages) server->schedule_purge();
  return server;
}

ChatServer::ChatServer(io::EventLoop& loop, store::AccountStore& store, const ServerConfig& config,
                       std::vector<chat::history::StoredRoom> rooms, std::uint64_t epoch)
    : loop_(loop),
      store_(store),
      config_(config),
      core_(for_this_run(config.chat, loop, store, std::move(rooms), epoch)),
      // bcrypt workers yield to the event loop: a login storm must not delay everyone's messages.
      hash_pool_(std::make_unique<auth::WorkerPool>(config.hash_threads,
                                                    auth::WorkerPool::Priority::Background)) {}

ChatServer::~ChatServer() {
  submit_pending_writes();  // stored is stored, even when nobody waits for the answer
  *alive_ = false;
  writer_.reset();     // finishes what was asked (stored is stored), then joins
  hash_pool_.reset();  // joins the workers before anything they use goes away
}

void ChatServer::apply_live(const ServerConfig& next) {
  core_.apply_live(next.chat);
  endpoint_->apply_live_options(next.transport);
  config_.transport.idle_timeout = next.transport.idle_timeout;
  config_.transport.handshake_timeout = next.transport.handshake_timeout;
  config_.transport.close_timeout = next.transport.close_timeout;
  config_.max_queued_bytes = next.max_queued_bytes;
  // (Its dummy hash is made by the first check that needs it, on a worker, not on this loop.)
  config_.bcrypt_cost = next.bcrypt_cost;
  carry_out_actions();  // (nothing is due; keeps the deadline timer right)
}

Result<void> ChatServer::replace_certificate(const std::string& cert_file,
                                             const std::string& key_file) {
  auto replaced = endpoint_->replace_certificate(cert_file, key_file);
  if (!replaced) return replaced;
  config_.transport.cert_file = cert_file;
  config_.transport.key_file = key_file;
  return {};
}

std::uint16_t ChatServer::port() const { return endpoint_->local_port(); }
quic::Stats ChatServer::transport_stats() const { return endpoint_->stats(); }

void ChatServer::on_open(quic::ConnHandle conn, const quic::PeerInfo& peer) {
  core_.connection_opened(conn, peer.address, loop_.now(), peer.max_pdu_in_one_packet,
                          proto::alpn_offers_v2(peer.alpn));
  carry_out_actions();
}

void ChatServer::on_data(quic::ConnHandle conn, std::string_view bytes) {
  core_.stream_data(conn, bytes, loop_.now());
  carry_out_actions();
}

void ChatServer::on_stream_end(quic::ConnHandle conn) {
  core_.stream_ended(conn, loop_.now());
  carry_out_actions();
}

void ChatServer::on_closed(quic::ConnHandle conn, const quic::CloseInfo& info) {
  core_.connection_closed(conn, info.reason, loop_.now());
  carry_out_actions();
}

void ChatServer::on_probe_answered(quic::ConnHandle conn) {
  core_.probe_answered(conn, loop_.now());
  carry_out_actions();
}

void ChatServer::shutdown(std::string_view reason) {
  if (shutting_down_) return;
  shutting_down_ = true;
  log::info("shutdown", {{"reason", reason}, {"connections", core_.stats().connections}});
  endpoint_->close_all(proto::to_wire(proto::CloseCode::ServerShutdown), reason);
  // Each close waits for the peer to acknowledge what was queued (the goodbyes), at most the
  // close timeout; the failsafe bounds the shutdown even if new connections keep arriving.
  loop_.add_timer(loop_.now() + config_.transport.close_timeout + kShutdownMargin,
                  [this, alive = std::weak_ptr<bool>(alive_)] {
                    if (!alive.expired()) stop_loop("deadline");
                  });
  // Runs after the endpoint's own idle hook (registered first), which writes the closes.
  loop_.on_idle([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired() || loop_stopping_) return;
    const quic::Stats stats = endpoint_->stats();
    if (stats.connections_open == 0 && stats.handshakes_in_progress == 0) stop_loop("all_closed");
  });
}

void ChatServer::stop_loop(std::string_view why) {
  if (loop_stopping_) return;
  loop_stopping_ = true;
  const quic::Stats stats = endpoint_->stats();
  log::info("shutdown_done", {{"why", why}, {"connections_left", stats.connections_open}});
  // Posted work runs after this batch's flush, so the CONNECTION_CLOSEs are on the wire by then.
  loop_.post([&loop = loop_] { loop.stop(); });
}

std::size_t ChatServer::kick(std::string_view username, std::string_view reason) {
  const std::size_t kicked = core_.kick(username, reason, loop_.now());
  carry_out_actions();
  return kicked;
}

void ChatServer::carry_out_actions() {
  actions_.clear();
  actions_.swap(core_.outbox());
  for (chat::Action& action : actions_) {
    std::visit(
        [this](auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, chat::action::Send>) {
            send(a.conn, std::move(a.bytes), /*replaceable=*/false);
          } else if constexpr (std::is_same_v<A, chat::action::Deliver>) {
            deliver(a);
          } else if constexpr (std::is_same_v<A, chat::action::Close>) {
            endpoint_->close(a.conn, a.code, a.reason);
          } else if constexpr (std::is_same_v<A, chat::action::Probe>) {
            endpoint_->probe(a.conn);  // no answer (also when it is gone): the deadline decides
          } else if constexpr (std::is_same_v<A, chat::action::Store>) {
            store_ops(a);
          } else if constexpr (std::is_same_v<A, chat::action::ReadStore>) {
            read_store(a);
          } else if constexpr (std::is_same_v<A, chat::action::ChangePassword>) {
            change_password(std::move(a));
          } else if constexpr (std::is_same_v<A, chat::action::CreateAccount>) {
            create_account(std::move(a));
          } else if constexpr (std::is_same_v<A, chat::action::Publish>) {
            publish(a.event);
          } else if constexpr (std::is_same_v<A, chat::action::TakeV1Ids>) {
            take_v1_ids(a);
          } else {
            check_password(a);
          }
        },
        action);
  }
  rearm_deadline_timer();
}

// The bound on one connection's outbound queue: a reader that does not keep up is closed instead
// of growing the server's memory. One connection lookup per delivery, for queueing and bound.
void ChatServer::send(quic::ConnHandle conn, SharedBytes bytes, bool replaceable) {
  const std::optional<std::size_t> queued = endpoint_->queue(conn, std::move(bytes), replaceable);
  if (!queued || *queued <= config_.max_queued_bytes) return;  // gone, closing, or within bound
  close_slow_consumer(conn, *queued);
}

void ChatServer::close_slow_consumer(quic::ConnHandle conn, std::size_t queued) {
  ++counters_.slow_consumer_closes;
  log::warn("slow_consumer", {{"session", conn}, {"queued_bytes", queued}});
  endpoint_->close(
      conn, proto::to_wire(proto::CloseCode::SlowConsumer),
      "slow consumer: outbound queue over " + std::to_string(config_.max_queued_bytes) + " bytes");
}

// One broadcast: queued on every recipient in one call, then the slow consumers closed.
void ChatServer::deliver(const chat::action::Deliver& a) {
  auto over = std::move(over_bound_);  // (a close may call back into us before we are done)
  over.clear();
  endpoint_->queue_each(a.recipients, a.bytes, a.replaceable, config_.max_queued_bytes, over);
  for (const auto& [conn, queued] : over) close_slow_consumer(conn, queued);
  over_bound_ = std::move(over);
}

// Runs the bcrypt check on the pool; an unknown account is checked against a dummy hash of the
// same cost, so it takes as long as a wrong password.
void ChatServer::check_password(const chat::action::VerifyPassword& request) {
  ++counters_.hash_jobs_submitted;
  // The cost is copied: a reload may change config_ on the loop thread meanwhile.
  hash_pool_->submit([this, request, alive = std::weak_ptr<bool>(alive_), since = loop_.now(),
                      cost = config_.bcrypt_cost] {
    // A store error refuses the login with its own answer (no attempt used), the name not logged.
    chat::PasswordCheck result = chat::PasswordCheck::NoSuchAccount;
    chat::AccountRef ref;
    const auto lookup_started = std::chrono::steady_clock::now();
    auto account = store_.find_account(request.username);
    const auto lookup = std::chrono::steady_clock::now() - lookup_started;
    if (!account) {
      log::error("store_error", {{"event", "find_account"},
                                 {"code", account.error().code},
                                 {"error", account.error().message}});
      result = chat::PasswordCheck::StoreUnavailable;
    } else if (!account->has_value()) {
      (void)auth::verify_password(request.password, auth::dummy_hash(cost));
    } else {
      const store::Account& a = **account;
      const bool ok = auth::verify_password(request.password, a.hash);
      result = ok ? chat::PasswordCheck::Ok : chat::PasswordCheck::WrongPassword;
      if (ok) ref = chat::AccountRef{a.id, a.name};
    }
    loop_.post(
        [this, alive, conn = request.conn, ticket = request.ticket, result, ref, since, lookup] {
          if (alive.expired() || !*alive.lock()) return;
          counters_.hash_completed(loop_.now() - since);
          counters_.store_done(ServerCounters::StoreOp::Login, lookup,
                               result != chat::PasswordCheck::StoreUnavailable);
          core_.password_checked(conn, ticket, result, loop_.now(), ref);
          carry_out_actions();
        });
  });
}

namespace {

chat::AccountChange store_result(const Result<void>& r, std::string_view event) {
  if (r) return chat::AccountChange::Done;
  if (r.error().code == "exists") return chat::AccountChange::NameTaken;
  log::error("store_error",
             {{"event", event}, {"code", r.error().code}, {"error", r.error().message}});
  return chat::AccountChange::Failed;
}

}  // namespace

// passwd: the old password is checked and the new one hashed (at --bcrypt-cost) on the pool.
void ChatServer::change_password(chat::action::ChangePassword request) {
  ++counters_.hash_jobs_submitted;
  hash_pool_->submit([this, request = std::move(request), alive = std::weak_ptr<bool>(alive_),
                      since = loop_.now(), cost = config_.bcrypt_cost] {
    chat::AccountChange result = chat::AccountChange::Failed;
    auto account = store_.find_account(request.username);
    if (!account) {
      log::error("store_error", {{"event", "find_account"},
                                 {"code", account.error().code},
                                 {"error", account.error().message}});
    } else if (!account->has_value()) {
      result = chat::AccountChange::NoSuchAccount;
    } else if (!auth::verify_password(request.old_password, (*account)->hash)) {
      result = chat::AccountChange::WrongPassword;
    } else if (auto hash = auth::hash_password(request.new_password, cost); !hash) {
      log::error("hash_failed", {{"error", hash.error().message}});
    } else {
      result = store_result(store_.set_hash((*account)->name, *hash), "set_hash");
    }
    post_account_change(request.conn, request.ticket, result, alive, since);
  });
}

// register: the password is hashed on the pool; the store refuses a name taken in any case.
void ChatServer::create_account(chat::action::CreateAccount request) {
  ++counters_.hash_jobs_submitted;
  hash_pool_->submit([this, request = std::move(request), alive = std::weak_ptr<bool>(alive_),
                      since = loop_.now(), cost = config_.bcrypt_cost] {
    chat::AccountChange result = chat::AccountChange::Failed;
    if (auto hash = auth::hash_password(request.password, cost); !hash) {
      log::error("hash_failed", {{"error", hash.error().message}});
    } else {
      result = store_result(store_.add(request.username, *hash), "add_account");
    }
    post_account_change(request.conn, request.ticket, result, alive, since);
  });
}

// From a worker: the answer goes back to the core on the loop.
void ChatServer::post_account_change(quic::ConnHandle conn, std::uint64_t ticket,
                                     chat::AccountChange result, const std::weak_ptr<bool>& alive,
                                     io::TimePoint since) {
  loop_.post([this, alive, conn, ticket, result, since] {
    if (alive.expired() || !*alive.lock()) return;
    counters_.hash_completed(loop_.now() - since);
    core_.account_changed(conn, ticket, result, loop_.now());
    carry_out_actions();
  });
}

void ChatServer::rearm_deadline_timer() {
  std::optional<chat::TimePoint> next = core_.next_deadline();
  if (next == armed_for_) return;
  if (deadline_timer_) loop_.cancel_timer(*deadline_timer_);
  deadline_timer_.reset();
  armed_for_ = next;
  if (next) deadline_timer_ = loop_.add_timer(*next, [this] { on_deadline(); });
}

void ChatServer::on_deadline() {
  deadline_timer_.reset();
  armed_for_.reset();
  core_.tick(loop_.now());
  carry_out_actions();
}

}  // namespace qc::server
