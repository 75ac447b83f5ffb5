#include "bench/load/fleet.h"

#include <unistd.h>

#include <cstdio>

#include "bench/load/proc.h"

namespace qc::bench {

Result<std::unique_ptr<Fleet>> Fleet::create(const Target& target,
                                             std::chrono::milliseconds phase_timeout) {
  // Each client connection has its own socket: thousands of them need more than the soft limit.
  raise_open_files_limit();
  std::unique_ptr<Fleet> fleet(new Fleet());
  fleet->target_ = target;
  fleet->phase_timeout_ = phase_timeout;
  auto loop = io::EventLoop::create();
  if (!loop) return Unexpected<Error>{loop.error()};
  fleet->loop_ = std::move(*loop);
  auto endpoint = quic::ClientEndpoint::create(*fleet->loop_, fleet->mux_);
  if (!endpoint) return Unexpected<Error>{endpoint.error()};
  fleet->endpoint_ = std::move(*endpoint);
  return fleet;
}

Fleet::~Fleet() {
  users_.clear();  // ChatClients close their connections before the endpoint goes
}

std::size_t Fleet::add_user(std::string name, std::string password,
                            std::optional<std::size_t> place) {
  const std::size_t index = users_.size();
  auto u = std::make_unique<BenchUser>();
  u->name = std::move(name);
  u->password = std::move(password);
  client::ChatClientOptions options;
  options.transport.host = target_.host;
  options.transport.port = target_.port;
  if (!target_.nodes.empty()) {
    const NodeAddress& node = target_.nodes[target_.node_of(place.value_or(index))];
    options.transport.host = node.host;
    options.transport.port = node.port;
  }
  options.transport.ca_file = target_.ca_file;
  if (!target_.alpns.empty()) options.transport.alpns = target_.alpns;
  options.max_version = target_.protocol;
  // Under heavy loss QUIC's exponential backoff can leave a live server silent for seconds (at
  // 20 % loss about once in ten 20-user runs, for the 5 s liveness check or the 10 s handshake
  // timeout). A bench measures exact delivery and its phases have their own time limits, so
  // it neither gives up on a silent server early nor on a slow handshake.
  options.transport.liveness_timeout = std::chrono::milliseconds(0);
  options.transport.handshake_timeout = std::chrono::milliseconds(60'000);
  u->client = std::make_unique<client::ChatClient>(
      *loop_, *endpoint_, mux_, options,
      [this, index](const client::Event& e) { on_event(index, e); });
  users_.push_back(std::move(u));
  return index;
}

void Fleet::fail(std::string why) {
  if (error_) return;
  error_ = std::move(why);
  running_ = false;
  loop_->stop();
  if (on_failure_) on_failure_(*error_);
}

// --- events -----------------------------------------------------------------------------------

void Fleet::on_event(std::size_t index, const client::Event& event) {
  BenchUser& u = *users_[index];
  if (const auto* m = std::get_if<client::Message>(&event)) {
    if (u.on_message) u.on_message(*m);
  } else if (std::holds_alternative<client::Connected>(event)) {
    u.connected = true;
    ++connected_;
    if (!u.login_on_connect) {
      ++connect_done_;
      connect_next();
    } else if (auto r = u.client->login(u.name, u.password); !r) {
      fail(u.name + ": cannot send LOGIN: " + r.error().message);
    } else {
      u.login_sent_ns = now_ns();
    }
  } else if (const auto* ok = std::get_if<client::LoginOk>(&event)) {
    on_login_ok(u, ok->my_id, 1);
  } else if (const auto* retry = std::get_if<client::LoginRetry>(&event)) {
    fail(u.name + ": login refused: " + retry->error);
  } else if (const auto* rejected = std::get_if<client::LoginRejected>(&event)) {
    fail(u.name + ": login refused: " + rejected->error);
  } else if (const auto* vr = std::get_if<client::VersionRejected>(&event)) {
    fail(u.name + ": version rejected: " + vr->error);
  } else if (const auto* se = std::get_if<client::ServerError>(&event)) {
    fail(u.name + ": server error: " + se->error);
  } else if (const auto* pv = std::get_if<client::ProtocolViolation>(&event)) {
    if (violations_++ == 0) first_violation_ = u.name + ": " + pv->detail;
  } else if (std::holds_alternative<client::LoggedOut>(event)) {
    settle_logout(u, true);
  } else if (const auto* closed = std::get_if<client::ConnectionClosed>(&event)) {
    u.connected = false;
    settle_logout(u, false);
    if (!closed->expected && !u.client->session().logging_out()) {
      fail(u.name + ": connection lost (" + closed->kind + "): " + closed->reason);
    }
  } else {
    on_v2_event(u, event);
  }
}

// Presence frames are only counted: the client library keeps who is online.
void Fleet::on_v2_event(BenchUser& u, const client::Event& event) {
  if (std::holds_alternative<client::Welcome>(event)) {
    on_login_ok(u, 0, 2);
  } else if (const auto* snapshot = std::get_if<client::PresenceSnapshot>(&event)) {
    ++presence_.snapshots;
    presence_.snapshot_names += snapshot->online.size();
  } else if (const auto* changed = std::get_if<client::PresenceChanged>(&event)) {
    ++presence_.changes;
    presence_.changed_names += changed->joined.size() + changed->left.size();
  } else if (const auto* acked = std::get_if<client::Acked>(&event)) {
    if (!acked->errors.empty()) {
      fail(u.name + ": send refused for " + acked->errors.front().to + ": " +
           acked->errors.front().text);
    } else if (u.on_acked) {
      u.on_acked(*acked);
    }
  } else if (const auto* re = std::get_if<client::RequestError>(&event)) {
    fail(u.name + ": request refused (" + re->code + "): " + re->text);
  } else if (std::holds_alternative<client::RoomJoined>(event)) {
    ++joins_done_;  // one room frame answers one join
    join_next();
  } else if (u.on_other) {
    u.on_other(event);
  }
}

void Fleet::on_login_ok(BenchUser& u, std::uint64_t id, std::int64_t version) {
  if (login_version_ == 0) login_version_ = version;
  u.logged_in = true;
  u.id = id;
  u.login_ok_ns = now_ns();
  ++logged_in_;
  if (u.login_on_connect) {
    ++connect_done_;
    connect_next();
  }
}

bool sent_by(const client::Message& m, const BenchUser& u) {
  if (u.client->session().version() == 2) return m.sender_name == u.client->session().my_name();
  return m.sender_id == u.id;
}

Result<void> send_one(BenchUser& from, const BenchUser& to, std::string_view text) {
  if (from.client->session().version() == 2) return from.client->send_to({to.name}, text);
  return from.client->send_direct(to.id, text);
}

// --- phases offered to scenarios --------------------------------------------------------------

void Fleet::connect_next() {
  while (connect_next_ < connect_end_ &&
         (connect_next_ - connect_first_) - connect_done_ < connect_limit_) {
    BenchUser& u = *users_[connect_next_++];
    if (auto r = u.client->connect(); !r)
      return fail(u.name + ": cannot connect: " + r.error().message);
  }
}

Phase Fleet::connect_phase(std::string name, std::size_t first, std::size_t count,
                           std::size_t in_flight) {
  Phase p;
  p.name = std::move(name);
  p.timeout = phase_timeout_;
  p.start = [this, first, count, in_flight] {
    connect_first_ = connect_next_ = first;
    connect_end_ = first + count;
    connect_limit_ = in_flight == 0 ? 1 : in_flight;
    connect_done_ = 0;
    connect_next();
  };
  p.done = [this, count] { return connect_done_ == count; };
  p.progress = [this, count] {
    return std::to_string(connect_done_) + "/" + std::to_string(count) + " sessions set up";
  };
  return p;
}

Phase Fleet::login_phase(std::string name, std::size_t first, std::size_t count) {
  Phase p;
  p.name = std::move(name);
  p.timeout = phase_timeout_;
  auto target = std::make_shared<std::size_t>(0);
  p.start = [this, first, count, target] {
    *target = logged_in_ + count;
    for (std::size_t i = first; i < first + count; ++i) {
      BenchUser& u = *users_[i];
      u.login_sent_ns = now_ns();
      if (auto r = u.client->login(u.name, u.password); !r)
        return fail(u.name + ": " + r.error().message);
    }
  };
  p.done = [this, target] { return logged_in_ >= *target; };
  p.progress = [this, target, count] {
    return std::to_string(count - (*target - logged_in_)) + "/" + std::to_string(count) + " logins";
  };
  return p;
}

void Fleet::join_next() {
  while (join_next_ < join_end_ && joins_sent_ - joins_done_ < join_limit_) {
    BenchUser& u = *users_[join_next_++];
    ++joins_sent_;
    if (auto r = u.client->join(join_room_); !r)
      return fail(u.name + ": cannot join " + join_room_ + ": " + r.error().message);
  }
}

Phase Fleet::join_phase(std::string name, std::string room, std::size_t first, std::size_t count,
                        std::size_t in_flight) {
  Phase p;
  p.name = std::move(name);
  p.timeout = phase_timeout_;
  auto target = std::make_shared<std::size_t>(0);
  p.start = [this, room = std::move(room), first, count, in_flight, target] {
    *target = joins_done_ + count;
    joins_sent_ = joins_done_;
    join_room_ = room;
    join_next_ = first;
    join_end_ = first + count;
    join_limit_ = in_flight == 0 ? 1 : in_flight;
    join_next();
  };
  p.done = [this, target] { return joins_done_ >= *target; };
  p.progress = [this, target, count] {
    return std::to_string(count - (*target - joins_done_)) + "/" + std::to_string(count) +
           " joins answered";
  };
  return p;
}

void Fleet::settle_logout(BenchUser& u, bool confirmed) {
  if (!u.logout_pending) return;
  u.logout_pending = false;
  --logouts_pending_;
  if (!confirmed) ++logouts_unconfirmed_;
}

Phase Fleet::logout_phase() {
  Phase p;
  p.name = "logout";
  p.timeout = std::chrono::seconds(10);
  p.start = [this] {
    for (auto& u : users_) {
      if (!u->logged_in || !u->connected || u->logout_pending || !u->client->logout()) continue;
      u->logout_pending = true;
      ++logouts_pending_;
    }
  };
  p.done = [this] { return logouts_pending_ == 0; };
  p.progress = [this] { return std::to_string(logouts_pending_) + " logouts unconfirmed"; };
  p.on_timeout = [this] {
    for (auto& u : users_) settle_logout(*u, false);
  };
  return p;
}

Phase instant_phase(std::string name, std::function<void()> action) {
  Phase p;
  p.name = std::move(name);
  p.start = std::move(action);
  p.done = [] { return true; };
  return p;
}

Phase wait_phase(std::string name, std::function<void()> start, std::function<bool()> done,
                 std::chrono::milliseconds timeout, std::function<std::string()> progress) {
  Phase p;
  p.name = std::move(name);
  p.start = std::move(start);
  p.done = std::move(done);
  p.timeout = timeout;
  p.progress = std::move(progress);
  return p;
}

// --- the phase driver -------------------------------------------------------------------------

Result<void> Fleet::run(std::vector<Phase> phases) {
  phases_ = std::move(phases);
  current_ = 0;
  running_ = true;
  loop_->on_idle([this] { advance(); });
  loop_->post([this] { advance(); });  // starts the first phase once the loop runs
  loop_->add_timer(io::Clock::now() + std::chrono::seconds(1), [this] { show_progress(); });
  auto ran = loop_->run();
  if (progress_shown_) std::fputc('\n', stderr);
  if (error_) return qc::fail("bench", *error_);
  if (!ran) return ran;
  return {};
}

void Fleet::start_phase() {
  Phase& p = phases_[current_];
  current_started_ = true;
  phase_started_ns_ = now_ns();
  phase_timer_ = loop_->add_timer(io::Clock::now() + p.timeout, [this] {
    phase_timer_.reset();
    const Phase& timed_out = phases_[current_];
    if (timed_out.on_timeout) {
      timed_out.on_timeout();
      finish_phase();
      return;
    }
    fail("phase '" + timed_out.name + "' timed out after " +
         std::to_string(timed_out.timeout.count()) + " ms" +
         (timed_out.progress ? " (" + timed_out.progress() + ")" : ""));
  });
  if (p.start) p.start();
}

void Fleet::advance() {
  if (running_ && !current_started_ && current_ < phases_.size()) start_phase();
  while (running_ && current_ < phases_.size() && phases_[current_].done()) finish_phase();
}

// The current phase is over: the next one starts, or the run ends after the last.
void Fleet::finish_phase() {
  if (phase_timer_) loop_->cancel_timer(*phase_timer_);
  phase_timer_.reset();
  current_started_ = false;
  if (++current_ == phases_.size()) {
    running_ = false;
    loop_->stop();
    return;
  }
  start_phase();
}

// A line on stderr once a phase has run for 2 s, refreshed every second.
void Fleet::show_progress() {
  if (!running_) return;
  const Phase& p = phases_[current_];
  const std::int64_t ran_ms = (now_ns() - phase_started_ns_) / 1'000'000;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const bool due = tty ? ran_ms >= 2000 : ran_ms >= 10'000 && (ran_ms / 1000) % 10 == 0;
  if (due && p.progress && progress_line_) {
    std::fprintf(stderr, "%s[bench] %s: %s (%lld s)%s", tty ? "\r" : "", p.name.c_str(),
                 p.progress().c_str(), static_cast<long long>(ran_ms / 1000), tty ? "   " : "\n");
    progress_shown_ = tty;
  }
  loop_->add_timer(io::Clock::now() + std::chrono::seconds(1), [this] { show_progress(); });
}

}  // namespace qc::bench
