// The running chat server: the pure chat core, driven by the QUIC server endpoint on one event
// loop, with password checks on a worker pool and accounts in an AccountStore.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "auth/worker_pool.h"
#include "chat/core.h"
#include "cluster/bus.h"
#include "io/event_loop.h"
#include "ops/admin_protocol.h"
#include "quic/endpoint.h"
#include "server/server_counters.h"
#include "store/account_store.h"
#include "store/message_store.h"

namespace qc::server {

// The transport options the chat layer decides: its ALPNs, which of them need one PDU per
// packet, and the close code for connections refused at the limits.
quic::ServerOptions chat_transport_options();

struct ServerConfig {
  // This node's name in a cluster (--node-id); empty for a server on its own.
  std::string node_id;
  quic::ServerOptions transport = chat_transport_options();
  chat::CoreConfig chat;
  unsigned hash_threads = 2;
  // Cost of the dummy hash checked for unknown users, and of the hashes passwd and register make.
  int bcrypt_cost = 12;
  // A connection with more than this sent but unacknowledged is closed as a slow consumer.
  std::size_t max_queued_bytes = 1 << 20;
  // History (chat.store_messages says whether messages are stored at all).
  store::Retention retention;
  std::chrono::milliseconds purge_interval{60'000};
  std::size_t purge_batch = 1'000;  // messages deleted per writer job: the writer stays responsive
  store::WriterOptions writer;
};

class ChatServer final : public quic::Handler {
 public:
  // Opens the endpoint; the loop runs it. The account store must outlive the server; the message
  // store (rooms, history) moves to the server's writer thread.
  // `bus`: a cluster's (it must outlive the server); then config.chat.store_messages is required
  // and config.node_id names this node.
  static Result<std::unique_ptr<ChatServer>> start(io::EventLoop& loop, store::AccountStore& store,
                                                   std::unique_ptr<store::MessageStore> messages,
                                                   const ServerConfig& config,
                                                   cluster::Bus* bus = nullptr);
  ~ChatServer() override;

  // Closes every connection with a reason; the loop stops once every connection has closed
  // (each after the peer acknowledged what was queued, or the transport's close timeout), at
  // most kShutdownMargin after the close timeout.
  void shutdown(std::string_view reason);
  static constexpr std::chrono::milliseconds kShutdownMargin{500};

  // A reload (the caller decides which options changed and may be applied live): the chat core's
  // limits, timeouts and rate limits, the transport's timeouts, connection limits and Retry
  // policy, the dummy hash's cost and the slow-consumer bound. Sessions go on.
  void apply_live(const ServerConfig& next);
  // New handshakes get the new certificate; an error keeps the old one (see quic::ServerEndpoint).
  Result<void> replace_certificate(const std::string& cert_file, const std::string& key_file);

  std::uint16_t port() const;
  chat::CoreStats chat_stats() const { return core_.stats(); }
  quic::Stats transport_stats() const;
  const ServerCounters& counters() const { return counters_; }
  std::optional<cluster::BusStats> bus_stats() const;  // nullopt: not in a cluster
  cluster::Bus* bus() const { return bus_; }           // nullptr: not in a cluster
  std::size_t hash_jobs_queued() const { return hash_pool_->queued(); }
  // Operators (the admin socket).
  std::vector<chat::SessionInfo> sessions() const { return core_.logged_in_sessions(); }
  std::size_t kick(std::string_view username, std::string_view reason);  // sessions closed
  // An account changed on the server's own store (account_admin.cc): the checks, the bcrypt hash
  // and the write on the hashing pool, never on the loop; then, on the loop, passwd and del end
  // the account's sessions on every device. `done` runs on the loop with the sessions ended or
  // the error (not at all when the server is gone first).
  void change_account(ops::AccountRequest request,
                      std::function<void(Result<std::size_t> sessions_ended)> done);
  std::vector<chat::RoomSummary> rooms() const { return core_.rooms(); }
  std::optional<chat::RoomDetail> room(std::string_view name) const { return core_.room(name); }
  // Applies retention now, in the writer's batches; the log says what it deleted.
  void purge_now();
  store::MessageWriter::Stats writer_stats() const { return writer_->stats(); }
  std::uint64_t purged_messages() const { return purged_; }

  void on_open(quic::ConnHandle conn, const quic::PeerInfo& peer) override;
  void on_data(quic::ConnHandle conn, std::string_view bytes) override;
  void on_stream_end(quic::ConnHandle conn) override;
  void on_closed(quic::ConnHandle conn, const quic::CloseInfo& info) override;
  void on_probe_answered(quic::ConnHandle conn) override;

 private:
  ChatServer(io::EventLoop& loop, store::AccountStore& store, const ServerConfig& config,
             std::vector<chat::history::StoredRoom> rooms, std::uint64_t epoch);
  void carry_out_actions();
  // cluster_glue.cc: the core's Publish to the bus, the bus's callbacks to the core.
  void attach_bus(cluster::Bus* bus);
  void publish(const proto::bus::Event& event);
  void on_bus_message(std::string_view origin, std::string_view payload);
  void on_bus_state(cluster::BusState state);
  void remember_unpublished(const std::string& conv, const std::string& payload);
  void republish_unpublished();
  void take_v1_ids(const chat::action::TakeV1Ids& a);
  void on_node_down(std::string_view node);
  // history_glue.cc: the core's Store / ReadStore on the writer thread, answers posted back.
  void store_ops(chat::action::Store& request);
  void submit_pending_writes();  // the turn's writes, as one writer job
  void read_store(chat::action::ReadStore& request);
  void purge_step(std::size_t deleted_so_far, bool scheduled);
  void schedule_purge();
  void send(quic::ConnHandle conn, SharedBytes bytes, bool replaceable);
  void deliver(const chat::action::Deliver& a);
  void close_slow_consumer(quic::ConnHandle conn, std::size_t queued);
  void check_password(const chat::action::VerifyPassword& request);
  void change_password(chat::action::ChangePassword request);
  void create_account(chat::action::CreateAccount request);
  void post_account_change(quic::ConnHandle conn, std::uint64_t ticket, chat::AccountChange result,
                           const std::weak_ptr<bool>& alive, io::TimePoint since);
  void rearm_deadline_timer();
  void stop_loop(std::string_view why);
  void on_deadline();

  io::EventLoop& loop_;
  cluster::Bus* bus_ = nullptr;       // the cluster's bus (--cluster); it outlives the server
  std::uint64_t v1_ids_request_ = 0;  // the last TakeV1Ids sent to the bus
  bool v1_ids_out_ = false;           // and its answer is still to come
  std::optional<chat::action::TakeV1Ids> v1_ids_held_;  // asked before the bus was first Up
  // The last message per conversation published while the bus was not Up (conv -> payload).
  std::map<std::string, std::string> unpublished_;
  store::AccountStore& store_;
  ServerConfig config_;
  chat::Core core_;
  std::unique_ptr<quic::ServerEndpoint> endpoint_;
  std::optional<io::EventLoop::TimerId> deadline_timer_;
  std::optional<chat::TimePoint> armed_for_;
  ServerCounters counters_;
  std::vector<chat::Action> actions_;  // reused buffer for draining the core's outbox
  std::vector<std::pair<quic::ConnHandle, std::size_t>> over_bound_;  // reused by deliver()
  bool shutting_down_ = false;
  bool loop_stopping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards work posted back
  std::uint64_t purged_ = 0;
  struct PendingWrite {
    std::uint64_t ticket;
    std::size_t ops;  // its ops in pending_ops_, in order
  };
  std::vector<PendingWrite> pending_writes_;  // asked for this loop turn, not yet handed over
  std::vector<chat::history::Op> pending_ops_;
  bool purging_ = false;
  // Destroyed before hash_pool_ and after everything its callbacks touch (they post to the loop,
  // guarded by alive_).
  std::unique_ptr<store::MessageWriter> writer_;
  // Last member: destroyed first, so no worker outlives what its jobs touch.
  std::unique_ptr<auth::WorkerPool> hash_pool_;
};

}  // namespace qc::server
