// cluster::Bus on Redis, through hiredis 0.14's async API on the server's event loop: two
// connections (commands; SUBSCRIBE needs its own), a heartbeat that proves both alive and keeps
// this node's expiring key, and presence sets per node. Never blocks the loop (except to resolve
// a host name at connect: give an address). Keys and channels, under the prefix (quicchat:):
//   bus              the one channel every node publishes to and subscribes (frames: bus_frame.h)
//   ping:<id>        this node's own channel: its heartbeat PUBLISHes there and must come back
//   node:<id>        this node's heartbeat key (SET PX node_expiry, every heartbeat_interval)
//   nodes            the set of node ids that registered (dead ones removed by whoever notices)
//   online:<id>      the accounts online on node <id> (expires like node:<id>)
//   health           a hash, node id -> its heartbeat record (node_record.h), written at every
//                    heartbeat; kept after the node's death (shown down) for record_retention
//   v1:next          the last v1 user id given to any node (take_ids: INCRBY, never lowered)
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cluster/bus.h"
#include "cluster/node_tracker.h"
#include "cluster/redis_config.h"
#include "io/event_loop.h"

struct redisAsyncContext;
struct redisReply;

namespace qc::cluster {

class RedisBus final : public Bus {
 public:
  // Starts connecting on the loop's next turn. config.node_id must be set. Sets SIGPIPE to be
  // ignored, process-wide (see redis_bus.cc).
  static std::unique_ptr<RedisBus> create(io::EventLoop& loop, RedisConfig config);
  // Closes both connections at once, without removing anything from Redis: the others notice by
  // the heartbeat's expiry, as for a crash. Not from inside one of its own callbacks.
  ~RedisBus() override;

  void set_callbacks(Callbacks callbacks) override { callbacks_ = std::move(callbacks); }
  void publish(std::string payload) override;
  void set_online(std::string_view account, bool online) override;
  std::vector<std::pair<std::string, std::vector<std::string>>> remote_online() const override;
  std::vector<std::string> live_nodes() const override;
  void take_ids(std::uint64_t count, std::uint64_t above,
                std::function<void(std::optional<std::uint64_t> first)> done) override;
  BusStats stats() const override { return stats_; }
  void read_cluster(ClusterDone done) override;

 private:
  RedisBus(io::EventLoop& loop, RedisConfig config);
  using ReplyFn = std::function<void(redisReply&)>;
  struct Pending;

  // The connection's life: connect -> ready (both connections) -> Up; any failure -> Down,
  // both closed, a reconnect after the backoff.
  void connect();
  redisAsyncContext* open_connection();
  void maybe_up();
  void fail(const std::string& reason);
  void close_doomed();
  void on_context_gone(redisAsyncContext* ac);
  void set_state(BusState next, const std::string& reason);
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  // Commands on the command connection; fn runs with the reply unless the connection it was
  // sent on is gone (an error reply fails the bus instead).
  void command(redisAsyncContext* ac, const std::vector<std::string>& args, ReplyFn fn = {});
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_subscription(redisAsyncContext* ac, void* reply, void* privdata);
  void on_bus_message(std::string_view channel, std::string_view frame);

  void authenticate(redisAsyncContext* ac);
  void register_node();
  void rewrite_presence();
  void tick();
  void send_heartbeat();
  void heartbeat_answered();
  void scan(std::function<void()> done);
  void apply_scan(const std::vector<std::string>& members, const std::vector<bool>& has_key,
                  std::function<void()> done);
  void read_presence(const std::vector<std::string>& nodes, std::function<void()> done);
  struct ClusterRead;
  void read_nodes(std::shared_ptr<ClusterRead> read);
  void finish_read(ClusterRead& read);

  std::string key(std::string_view name) const { return config_.prefix + std::string(name); }

  io::EventLoop& loop_;
  RedisConfig config_;
  Callbacks callbacks_;
  BusStats stats_;
  std::string bus_channel_;
  std::string ping_channel_;

  redisAsyncContext* cmd_ = nullptr;
  redisAsyncContext* sub_ = nullptr;
  std::vector<redisAsyncContext*> doomed_;  // detached, closed on the loop's next turn
  std::uint64_t generation_ = 0;            // of the current attempt: older replies are ignored
  bool destroying_ = false;
  bool cmd_ready_ = false;
  int subscribed_ = 0;  // subscribe confirmations on this attempt
  bool ever_up_ = false;
  io::TimePoint up_since_{};
  std::chrono::milliseconds backoff_;
  // Timers hold a copy and do nothing once the bus is gone.
  std::shared_ptr<bool> alive_token_ = std::make_shared<bool>(true);

  // The heartbeat: number n is answered when the command connection replied to its commands and
  // the subscriber received its PUBLISH on ping:<id>.
  std::uint64_t heartbeat_sent_ = 0;
  std::uint64_t heartbeat_cmd_ = 0;
  std::uint64_t heartbeat_sub_ = 0;
  io::TimePoint heartbeat_sent_at_{};

  NodeTracker tracker_;
  std::vector<std::string> alive_;  // other nodes alive at the last scan
  std::set<std::string> online_;    // this node's accounts
  std::map<std::string, std::vector<std::string>> remote_online_;
};

}  // namespace qc::cluster
