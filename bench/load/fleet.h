// The bench's clients: one event loop and one quic::ClientEndpoint carrying any number of
// ChatClients (a ClientMux routes transport callbacks), and a driver that runs a scenario as a
// sequence of phases on that loop. A phase starts, the loop runs until the phase says it is
// done (checked after every batch of events), then the next one starts; a timeout (of a phase
// without on_timeout) or fail() ends the run with an error. Everything runs on the loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/load/cluster_probe.h"
#include "client/chat_client.h"
#include "io/event_loop.h"
#include "quic/endpoint.h"
#include "util/result.h"

namespace qc::bench {

struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4433;
  std::string ca_file;
  std::vector<std::string> alpns;
  // The highest protocol version offered (ChatClientOptions::max_version): 1 or 2. In v2 users
  // are addressed by name, login completes on Welcome and a sender gets an Acked for its own
  // broadcast instead of a copy.
  std::int64_t protocol = 2;
  // --server a:p,b:p,c:p: the nodes of a cluster; user i connects to nodes[i % size] (so user 0,
  // the sender of the fan-out scenarios, to the first). Empty: everyone to host:port.
  std::vector<NodeAddress> nodes;
  std::size_t node_of(std::size_t user) const { return nodes.empty() ? 0 : user % nodes.size(); }
};

struct BenchUser {
  std::string name;
  std::string password;
  std::unique_ptr<client::ChatClient> client;
  bool login_on_connect = true;  // send LOGIN as soon as the handshake completes
  bool connected = false;
  bool logged_in = false;
  std::uint64_t id = 0;  // v1: session id from LOGIN_ACK
  std::int64_t login_sent_ns = 0;
  std::int64_t login_ok_ns = 0;
  bool logout_pending = false;  // LOGOUT sent; neither LOGOUT_ACK nor the close has come yet
  std::function<void(const client::Message&)> on_message;  // the scenario's receive hook
  // v2: the server accepted one of this user's sends (the scenario's hook; v1 has no acks).
  std::function<void(const client::Acked&)> on_acked;
  // v2: events the fleet does not handle itself (history pages, room events, catch-up).
  std::function<void(const client::Event&)> on_other;
};

// v1 by session id, v2 by name: whether `m` was sent by `u`.
bool sent_by(const client::Message& m, const BenchUser& u);
// A one-to-one message from `from` to `to`: v1 addresses the session id, v2 the name.
Result<void> send_one(BenchUser& from, const BenchUser& to, std::string_view text);

struct Phase {
  std::string name;
  std::function<void()> start;
  std::function<bool()> done;
  std::chrono::milliseconds timeout{120'000};
  std::function<std::string()> progress;  // shown on stderr while a phase runs long
  // Set: the timeout ends the phase (after this runs) instead of the run, which goes on.
  std::function<void()> on_timeout;
};

// A phase that only runs `action` (e.g. samples the server) and is done at once.
Phase instant_phase(std::string name, std::function<void()> action);
// A phase that runs `start` and lasts until `done()` holds.
Phase wait_phase(std::string name, std::function<void()> start, std::function<bool()> done,
                 std::chrono::milliseconds timeout, std::function<std::string()> progress = {});

class Fleet {
 public:
  // `phase_timeout` bounds the phases the fleet makes (connect, login).
  static Result<std::unique_ptr<Fleet>> create(const Target& target,
                                               std::chrono::milliseconds phase_timeout);
  ~Fleet();

  // `place` picks the user's cluster node (Target::node_of); by default its index here.
  std::size_t add_user(std::string name, std::string password,
                       std::optional<std::size_t> place = std::nullopt);
  BenchUser& user(std::size_t index) { return *users_[index]; }
  std::size_t size() const { return users_.size(); }
  io::EventLoop& loop() { return *loop_; }

  // Runs the phases in order; the first failure (a phase's timeout, fail(), an unexpected
  // login rejection or connection loss) ends the run with that error.
  Result<void> run(std::vector<Phase> phases);
  void fail(std::string why);
  // Called (on the loop thread) with the error of the first failure: Fleets stops the others.
  void on_failure(std::function<void(const std::string&)> hook) { on_failure_ = std::move(hook); }
  // Whether this fleet prints the progress line of a long phase (one fleet of several does).
  void show_progress_line(bool on) { progress_line_ = on; }

  // Connects users [first, first+count) with at most `in_flight` handshakes or logins pending;
  // done when each is connected (and logged in, for users with login_on_connect).
  Phase connect_phase(std::string name, std::size_t first, std::size_t count,
                      std::size_t in_flight);
  // Sends LOGIN for users [first, first+count) at once; done when each got LOGIN_ACK.
  Phase login_phase(std::string name, std::size_t first, std::size_t count);
  // v2: users [first, first+count) join `room` (the first join creates it) with at most
  // `in_flight` joins unanswered; done when each got its room frame.
  Phase join_phase(std::string name, std::string room, std::size_t first, std::size_t count,
                   std::size_t in_flight);
  // Every logged-in user logs out (kind to servers that keep stale sessions, like the seed's).
  // Done when each got LOGOUT_ACK or its connection closed; its 10 s window never fails the run
  // (the results are verified by then): what is left counts as logouts_unconfirmed().
  Phase logout_phase();

  std::size_t logged_in() const { return logged_in_; }
  // The protocol version of the first login (1: LOGIN_ACK, 2: welcome); 0 before any.
  std::int64_t login_version() const { return login_version_; }
  std::size_t connected() const { return connected_; }
  std::uint64_t protocol_violations() const { return violations_; }
  // v2 presence received by all users: frames (snapshots and changes) and the names in them.
  struct PresenceTally {
    std::uint64_t snapshots = 0, snapshot_names = 0;
    std::uint64_t changes = 0, changed_names = 0;
  };
  const PresenceTally& presence_tally() const { return presence_; }
  // Logouts of logout_phase() with no LOGOUT_ACK: closed without one, or still waiting at the
  // end of its window.
  std::size_t logouts_unconfirmed() const { return logouts_unconfirmed_; }
  const std::string& first_violation() const { return first_violation_; }

 private:
  Fleet() = default;
  void on_event(std::size_t index, const client::Event& event);
  void on_login_ok(BenchUser& u, std::uint64_t id, std::int64_t version);
  void on_v2_event(BenchUser& u, const client::Event& event);
  void connect_next();
  void join_next();
  void start_phase();
  void advance();
  void finish_phase();
  void show_progress();
  void settle_logout(BenchUser& u, bool confirmed);

  Target target_;
  std::chrono::milliseconds phase_timeout_{120'000};
  std::unique_ptr<io::EventLoop> loop_;
  client::ClientMux mux_;
  std::unique_ptr<quic::ClientEndpoint> endpoint_;
  std::vector<std::unique_ptr<BenchUser>> users_;

  std::vector<Phase> phases_;
  std::size_t current_ = 0;
  bool current_started_ = false;
  std::int64_t phase_started_ns_ = 0;
  std::optional<io::EventLoop::TimerId> phase_timer_;
  bool progress_shown_ = false;
  std::optional<std::string> error_;
  std::function<void(const std::string&)> on_failure_;
  bool progress_line_ = true;
  bool running_ = false;

  std::size_t connect_first_ = 0, connect_next_ = 0, connect_end_ = 0, connect_limit_ = 0;
  std::size_t connect_done_ = 0;
  std::string join_room_;
  std::size_t join_next_ = 0, join_end_ = 0, join_limit_ = 0, joins_sent_ = 0, joins_done_ = 0;
  std::size_t connected_ = 0, logged_in_ = 0;
  std::size_t logouts_pending_ = 0, logouts_unconfirmed_ = 0;
  std::uint64_t violations_ = 0;
  std::string first_violation_;
  PresenceTally presence_;
  std::int64_t login_version_ = 0;
};

}  // namespace qc::bench
