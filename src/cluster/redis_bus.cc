#include "cluster/redis_bus.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <signal.h>

#include <algorithm>
#include <charconv>

#include "cluster/bus_frame.h"
#include "cluster/hiredis_adapter.h"
#include "io/wall_clock.h"
#include "util/log.h"

namespace qc::cluster {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string text_of(const redisReply& r) { return std::string(r.str, r.len); }

std::vector<std::string> strings_of(const redisReply& r) {
  std::vector<std::string> out;
  if (r.type != REDIS_REPLY_ARRAY) return out;
  for (std::size_t i = 0; i < r.elements; ++i)
    if (r.element[i]->type == REDIS_REPLY_STRING) out.push_back(text_of(*r.element[i]));
  return out;
}

}  // namespace

// What a command's reply continues with: the attempt it was sent on, and the continuation.
struct RedisBus::Pending {
  std::uint64_t generation;
  ReplyFn fn;
};

std::unique_ptr<RedisBus> RedisBus::create(io::EventLoop& loop, RedisConfig config) {
  // hiredis 0.14 sends with write(2): a write to a connection Redis reset would raise SIGPIPE and
  // kill the process. Ignored, the write fails with EPIPE and the bus goes Down (a UDP server
  // never needed this before).
  ::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<RedisBus> bus(new RedisBus(loop, std::move(config)));
  bus->after(milliseconds(0), [b = bus.get()] { b->connect(); });
  return bus;
}

RedisBus::RedisBus(io::EventLoop& loop, RedisConfig config)
    : loop_(loop),
      config_(std::move(config)),
      bus_channel_(config_.prefix + "bus"),
      ping_channel_(config_.prefix + "ping:" + config_.node_id),
      backoff_(config_.reconnect_min),
      tracker_(config_.node_id) {}

RedisBus::~RedisBus() {
  destroying_ = true;
  *alive_token_ = false;
  if (cmd_) doomed_.push_back(std::exchange(cmd_, nullptr));
  if (sub_) doomed_.push_back(std::exchange(sub_, nullptr));
  close_doomed();
}

void RedisBus::after(milliseconds delay, std::function<void()> fn) {
  loop_.add_timer(loop_.now() + delay, [token = alive_token_, fn = std::move(fn)] {
    if (*token) fn();
  });
}

// --- the connection's life ---

redisAsyncContext* RedisBus::open_connection() {
  redisAsyncContext* ac = redisAsyncConnect(config_.host.c_str(), config_.port);
  if (!ac) return nullptr;
  ac->data = this;
  if (ac->err) {
    const std::string why = ac->errstr ? ac->errstr : "connect failed";
    redisAsyncFree(ac);
    fail("connect: " + why);
    return nullptr;
  }
  if (!attach_to_loop(ac, loop_, [this](redisAsyncContext* gone) { on_context_gone(gone); })) {
    doomed_.push_back(ac);
    close_doomed();
    fail("cannot watch the Redis socket");
    return nullptr;
  }
  // Only for hiredis to watch for writability (it learns of the connection that way); a failed
  // connect is reported by on_context_gone with its error.
  redisAsyncSetConnectCallback(ac, [](const redisAsyncContext*, int) {});
  return ac;
}

void RedisBus::connect() {
  cmd_ready_ = false;
  subscribed_ = 0;
  const std::uint64_t attempt = generation_;
  cmd_ = open_connection();
  if (!cmd_) return;
  sub_ = open_connection();
  if (!sub_) return;
  authenticate(cmd_);
  authenticate(sub_);
  redisAsyncCommand(sub_, &RedisBus::on_subscription, nullptr, "SUBSCRIBE %b %b",
                    bus_channel_.data(), bus_channel_.size(), ping_channel_.data(),
                    ping_channel_.size());
  register_node();
  rewrite_presence();
  scan([this] {
    cmd_ready_ = true;
    maybe_up();
  });
  after(config_.connect_timeout, [this, attempt] {
    if (generation_ == attempt && stats_.state != BusState::Up) fail("connect timeout");
  });
}

void RedisBus::authenticate(redisAsyncContext* ac) {
  if (config_.password.empty()) return;
  if (config_.user.empty())
    command(ac, {"AUTH", config_.password});
  else
    command(ac, {"AUTH", config_.user, config_.password});
}

void RedisBus::maybe_up() {
  if (!cmd_ready_ || subscribed_ < 2 || stats_.state == BusState::Up) return;
  up_since_ = loop_.now();
  backoff_ = config_.reconnect_min;
  set_state(BusState::Up, {});
  const std::uint64_t attempt = generation_;
  after(config_.heartbeat_interval, [this, attempt] {
    if (generation_ == attempt) tick();
  });
}

// Everything that ends an attempt or a session: Down once, both connections closed on the next
// turn (never inside hiredis's own callbacks), a new attempt after the backoff.
void RedisBus::fail(const std::string& reason) {
  if (destroying_) return;
  ++generation_;
  if (cmd_) doomed_.push_back(std::exchange(cmd_, nullptr));
  if (sub_) doomed_.push_back(std::exchange(sub_, nullptr));
  after(milliseconds(0), [this] { close_doomed(); });
  if (stats_.state == BusState::Down) log::debug("cluster_bus_retry_failed", {{"reason", reason}});
  set_state(BusState::Down, reason);
  const std::uint64_t attempt = generation_;
  after(backoff_, [this, attempt] {
    if (generation_ != attempt) return;
    ++stats_.reconnects;
    connect();
  });
  backoff_ = std::min(backoff_ * 2, config_.reconnect_max);
}

void RedisBus::close_doomed() {
  while (!doomed_.empty()) {
    redisAsyncContext* ac = doomed_.back();
    doomed_.pop_back();
    redisAsyncFree(ac);  // runs on_context_gone, which finds it in no list any more
  }
}

void RedisBus::on_context_gone(redisAsyncContext* ac) {
  std::erase(doomed_, ac);
  if (destroying_ || (ac != cmd_ && ac != sub_)) return;
  const bool subscriber = ac == sub_;
  const std::string why = ac->c.err ? std::string(ac->c.errstr) : "connection closed";
  (subscriber ? sub_ : cmd_) = nullptr;  // hiredis frees it
  fail((subscriber ? "subscriber: " : "") + why);
}

void RedisBus::set_state(BusState next, const std::string& reason) {
  if (next == stats_.state) return;
  stats_.state = next;
  if (next == BusState::Up) {
    log::info("cluster_bus_up", {{"redis", redis_address(config_)},
                                 {"node", config_.node_id},
                                 {"nodes", static_cast<std::uint64_t>(stats_.nodes_alive)},
                                 {"again", ever_up_ ? "yes" : "no"}});
    ever_up_ = true;
  } else if (next == BusState::Down) {
    log::warn("cluster_bus_down", {{"redis", redis_address(config_)}, {"reason", reason}});
  } else {
    log::info("cluster_bus_state", {{"state", bus_state_name(next)}});
  }
  if (callbacks_.state) callbacks_.state(next);
}

// --- commands and replies ---

void RedisBus::command(redisAsyncContext* ac, const std::vector<std::string>& args, ReplyFn fn) {
  if (!ac) return;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* pending = new Pending{generation_, std::move(fn)};
  if (redisAsyncCommandArgv(ac, &RedisBus::on_reply, pending, static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK)
    delete pending;
}

void RedisBus::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
  auto* bus = static_cast<RedisBus*>(ac->data);
  // No reply: the context is being freed; on_context_gone says why.
  if (!bus || bus->destroying_ || !reply || pending->generation != bus->generation_) return;
  auto& r = *static_cast<redisReply*>(reply);
  if (r.type == REDIS_REPLY_ERROR) {
    bus->fail("redis error: " + text_of(r));
    return;
  }
  if (pending->fn) pending->fn(r);
}

void RedisBus::on_subscription(redisAsyncContext* ac, void* reply, void* /*privdata*/) {
  auto* bus = static_cast<RedisBus*>(ac->data);
  if (!bus || bus->destroying_ || !reply || ac != bus->sub_) return;
  auto& r = *static_cast<redisReply*>(reply);
  if (r.type == REDIS_REPLY_ERROR) {
    bus->fail("subscribe: " + text_of(r));
    return;
  }
  if (r.type != REDIS_REPLY_ARRAY || r.elements < 3 || r.element[0]->type != REDIS_REPLY_STRING ||
      r.element[1]->type != REDIS_REPLY_STRING)
    return;
  const std::string_view kind(r.element[0]->str, r.element[0]->len);
  if (kind == "subscribe") {
    ++bus->subscribed_;
    bus->maybe_up();
  } else if (kind == "message" && r.element[2]->type == REDIS_REPLY_STRING) {
    bus->on_bus_message({r.element[1]->str, r.element[1]->len},
                        {r.element[2]->str, r.element[2]->len});
  }
}

void RedisBus::on_bus_message(std::string_view channel, std::string_view frame) {
  if (channel == ping_channel_) {
    std::uint64_t n = 0;
    std::from_chars(frame.data(), frame.data() + frame.size(), n);
    heartbeat_sub_ = std::max(heartbeat_sub_, n);
    heartbeat_answered();
    return;
  }
  auto decoded = decode_bus_frame(frame);
  if (!decoded) {
    log::debug("cluster_bus_bad_frame", {{"bytes", static_cast<std::uint64_t>(frame.size())}});
    return;
  }
  if (decoded->origin == config_.node_id) return;
  ++stats_.received;
  if (callbacks_.message) callbacks_.message(decoded->origin, decoded->payload);
}

// --- what the bus offers ---

void RedisBus::publish(std::string payload) {
  if (stats_.state != BusState::Up) {
    ++stats_.dropped_while_down;
    return;
  }
  ++stats_.published;
  command(cmd_, {"PUBLISH", bus_channel_, encode_bus_frame(config_.node_id, payload)});
}

// INCRBY, and the counter raised to above + count when it is lower (Redis lost it): one script,
// so no other node's INCRBY comes between.
void RedisBus::take_ids(std::uint64_t count, std::uint64_t above,
                        std::function<void(std::optional<std::uint64_t> first)> done) {
  static constexpr const char* kTake =
      "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) "
      "local floor = tonumber(ARGV[2]) + tonumber(ARGV[1]) "
      "if v < floor then redis.call('SET', KEYS[1], floor) v = floor end return v";
  if (stats_.state != BusState::Up || count == 0) {
    after(std::chrono::milliseconds(0), [done = std::move(done)] { done(std::nullopt); });
    return;
  }
  command(cmd_, {"EVAL", kTake, "1", key("v1:next"), std::to_string(count), std::to_string(above)},
          [count, done = std::move(done)](redisReply& r) {
            if (r.type != REDIS_REPLY_INTEGER || r.integer < static_cast<long long>(count))
              return done(std::nullopt);
            done(static_cast<std::uint64_t>(r.integer) - count + 1);
          });
}

void RedisBus::set_online(std::string_view account, bool online) {
  const std::string name(account);
  if (online ? !online_.insert(name).second : online_.erase(name) == 0) return;
  // Before Up, the whole set is written when the connection is ready.
  if (stats_.state != BusState::Up) return;
  command(cmd_, {online ? "SADD" : "SREM", key("online:" + config_.node_id), name});
}

std::vector<std::pair<std::string, std::vector<std::string>>> RedisBus::remote_online() const {
  return {remote_online_.begin(), remote_online_.end()};
}

std::vector<std::string> RedisBus::live_nodes() const {
  std::vector<std::string> nodes = alive_;
  nodes.push_back(config_.node_id);
  std::sort(nodes.begin(), nodes.end());
  return nodes;
}

// --- heartbeat, nodes and presence ---

void RedisBus::register_node() {
  const std::string expiry = std::to_string(config_.node_expiry.count());
  command(cmd_, {"SET", key("node:" + config_.node_id), "alive", "PX", expiry});
  command(cmd_, {"SADD", key("nodes"), config_.node_id});
  if (!callbacks_.record) return;
  NodeRecord record = callbacks_.record();
  record.at_ms = io::unix_ms_now();
  record.bus_rtt_us = static_cast<std::uint64_t>(stats_.last_round_trip.count());
  command(cmd_, {"HSET", key("health"), config_.node_id, encode_node_record(record)});
}

// After every (re)connect the set is written whole from what this node has now: Redis may have
// lost it (a restart) or it may have missed changes made while Down.
void RedisBus::rewrite_presence() {
  const std::string set = key("online:" + config_.node_id);
  command(cmd_, {"MULTI"});
  command(cmd_, {"DEL", set});
  if (!online_.empty()) {
    std::vector<std::string> sadd = {"SADD", set};
    sadd.insert(sadd.end(), online_.begin(), online_.end());
    command(cmd_, sadd);
  }
  command(cmd_, {"PEXPIRE", set, std::to_string(config_.node_expiry.count())});
  command(cmd_, {"EXEC"});
}

void RedisBus::tick() {
  send_heartbeat();
  scan({});
  const std::uint64_t attempt = generation_;
  after(config_.heartbeat_interval, [this, attempt] {
    if (generation_ == attempt) tick();
  });
}

void RedisBus::send_heartbeat() {
  const std::uint64_t n = ++heartbeat_sent_;
  heartbeat_sent_at_ = loop_.now();
  register_node();
  command(cmd_, {"PEXPIRE", key("online:" + config_.node_id),
                 std::to_string(config_.node_expiry.count())});
  command(cmd_, {"PUBLISH", ping_channel_, std::to_string(n)}, [this, n](redisReply&) {
    heartbeat_cmd_ = std::max(heartbeat_cmd_, n);
    heartbeat_answered();
  });
  const std::uint64_t attempt = generation_;
  after(config_.reply_timeout, [this, n, attempt] {
    if (generation_ != attempt || (heartbeat_cmd_ >= n && heartbeat_sub_ >= n)) return;
    fail("heartbeat timeout: no reply within " + std::to_string(config_.reply_timeout.count()) +
         " ms");
  });
}

void RedisBus::heartbeat_answered() {
  if (heartbeat_cmd_ == heartbeat_sent_ && heartbeat_sub_ == heartbeat_sent_)
    stats_.last_round_trip = duration_cast<microseconds>(loop_.now() - heartbeat_sent_at_);
}

// One round: the node set, then every listed node's heartbeat key in one MGET.
void RedisBus::scan(std::function<void()> done) {
  command(cmd_, {"SMEMBERS", key("nodes")}, [this, done](redisReply& r) {
    std::vector<std::string> members = strings_of(r);
    std::erase(members, config_.node_id);
    if (members.empty()) {
      apply_scan({}, {}, done);
      return;
    }
    std::vector<std::string> mget = {"MGET"};
    for (const auto& m : members) mget.push_back(key("node:" + m));
    command(cmd_, mget, [this, members, done](redisReply& keys) {
      std::vector<bool> has_key(members.size(), false);
      for (std::size_t i = 0; i < members.size() && i < keys.elements; ++i)
        has_key[i] = keys.element[i]->type != REDIS_REPLY_NIL;
      apply_scan(members, has_key, done);
    });
  });
}

void RedisBus::apply_scan(const std::vector<std::string>& members, const std::vector<bool>& has_key,
                          std::function<void()> done) {
  const bool fresh = stats_.state != BusState::Up;  // connecting: read everyone's presence
  // After a reconnect, a node missing from Redis altogether may only have to register again
  // (Redis restarted empty): it is reported down only if still missing one expiry after Up.
  const bool in_grace = ever_up_ && (fresh || loop_.now() - up_since_ < config_.node_expiry);
  ScanResult result = tracker_.scan(members, has_key, in_grace);
  alive_ = result.alive;
  stats_.nodes_alive = alive_.size() + 1;
  for (const auto& node : result.stale) command(cmd_, {"SREM", key("nodes"), node});
  for (const auto& node : result.down) {
    remote_online_.erase(node);
    log::info("cluster_node_down", {{"node", node}});
    if (callbacks_.node_down) callbacks_.node_down(node);
  }
  const std::vector<std::string>& to_read = fresh ? result.alive : result.up;
  read_presence(to_read, [this, up = result.up, done] {
    if (done) done();
    for (const auto& node : up) {
      if (!tracker_.known().contains(node)) continue;  // down again meanwhile
      log::info("cluster_node_up", {{"node", node}});
      if (callbacks_.node_up) callbacks_.node_up(node);
    }
  });
}

void RedisBus::read_presence(const std::vector<std::string>& nodes, std::function<void()> done) {
  if (nodes.empty()) {
    done();
    return;
  }
  auto left = std::make_shared<std::size_t>(nodes.size());
  for (const auto& node : nodes) {
    command(cmd_, {"SMEMBERS", key("online:" + node)}, [this, node, left, done](redisReply& r) {
      if (tracker_.known().contains(node)) remote_online_[node] = strings_of(r);
      if (--*left == 0) done();
    });
  }
}

// --- the cluster as `quicchat admin nodes` shows it ---

struct RedisBus::ClusterRead {
  ClusterDone done;
  std::vector<ClusterNode> nodes;
  std::size_t left = 0;  // replies still awaited
  bool finished = false;
};

// HGETALL health, then one MGET of the heartbeat keys and one SMEMBERS per node; a timer answers
// with an error if Redis does not (the replies of a failed connection never come).
void RedisBus::read_cluster(ClusterDone done) {
  if (stats_.state != BusState::Up) {
    done(qc::fail("cluster_down",
                  "the cluster's bus is not up (Redis unreachable): no view of the other nodes"));
    return;
  }
  auto read = std::make_shared<ClusterRead>();
  read->done = std::move(done);
  after(config_.reply_timeout, [read] {
    if (std::exchange(read->finished, true)) return;
    read->done(qc::fail("cluster_timeout", "Redis did not answer in time"));
  });
  command(cmd_, {"HGETALL", key("health")}, [this, read](redisReply& r) {
    for (std::size_t i = 0; i + 1 < r.elements; i += 2) {
      ClusterNode node;
      node.id = text_of(*r.element[i]);
      if (auto record = decode_node_record(text_of(*r.element[i + 1]))) node.record = *record;
      read->nodes.push_back(std::move(node));
    }
    std::sort(read->nodes.begin(), read->nodes.end(),
              [](const ClusterNode& a, const ClusterNode& b) { return a.id < b.id; });
    read_nodes(read);
  });
}

void RedisBus::read_nodes(std::shared_ptr<ClusterRead> read) {
  if (read->nodes.empty()) return finish_read(*read);
  read->left = read->nodes.size() + 1;
  std::vector<std::string> mget = {"MGET"};
  for (const ClusterNode& node : read->nodes) mget.push_back(key("node:" + node.id));
  command(cmd_, mget, [this, read](redisReply& keys) {
    for (std::size_t i = 0; i < read->nodes.size() && i < keys.elements; ++i)
      read->nodes[i].alive = keys.element[i]->type != REDIS_REPLY_NIL;
    if (--read->left == 0) finish_read(*read);
  });
  for (std::size_t i = 0; i < read->nodes.size(); ++i) {
    command(cmd_, {"SMEMBERS", key("online:" + read->nodes[i].id)}, [this, read, i](redisReply& r) {
      read->nodes[i].accounts = strings_of(r);
      std::sort(read->nodes[i].accounts.begin(), read->nodes[i].accounts.end());
      if (--read->left == 0) finish_read(*read);
    });
  }
}

// Dead nodes whose last heartbeat is older than the retention (or whose record does not decode)
// are removed from the hash and left out.
void RedisBus::finish_read(ClusterRead& read) {
  if (std::exchange(read.finished, true)) return;
  const std::int64_t oldest = io::unix_ms_now() - config_.record_retention.count();
  std::erase_if(read.nodes, [&](const ClusterNode& node) {
    if (node.alive || (node.record && node.record->at_ms >= oldest)) return false;
    command(cmd_, {"HDEL", key("health"), node.id});
    return true;
  });
  read.done(std::move(read.nodes));
}

}  // namespace qc::cluster
