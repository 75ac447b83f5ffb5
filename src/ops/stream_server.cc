#include "ops/stream_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/log.h"

namespace qc::ops {
namespace {

constexpr std::size_t kMaxAcceptsPerWakeup = 64;
constexpr std::size_t kMaxDiscardBytes = 64 * 1024;     // after the answer, until the peer's EOF
constexpr std::size_t kMaxPendingOutput = 16 << 20;     // a peer that asks but does not read
constexpr std::chrono::milliseconds kAcceptPause{100};  // out of fds and no reserve to shed with

bool out_of_fds(int err) { return err == EMFILE || err == ENFILE; }
int open_reserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// "127.0.0.1:5555", "[::1]:5555", or for a unix socket the peer's credentials.
std::string peer_name(int fd, const sockaddr* sa, socklen_t len) {
  if (sa->sa_family == AF_UNIX) {
    ucred cred{};
    socklen_t n = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &n) != 0) return "unix";
    return "uid=" + std::to_string(cred.uid) + ",pid=" + std::to_string(cred.pid);
  }
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) !=
      0)
    return "?";
  return sa->sa_family == AF_INET6 ? "[" + std::string(host) + "]:" + serv
                                   : std::string(host) + ":" + serv;
}

}  // namespace

StreamServer::StreamServer(io::EventLoop& loop, int listen_fd, StreamLimits limits,
                           Protocol protocol)
    : loop_(loop),
      listen_fd_(listen_fd),
      limits_(limits),
      protocol_(std::move(protocol)),
      reserve_fd_(open_reserve()) {}

Result<std::unique_ptr<StreamServer>> StreamServer::start(io::EventLoop& loop, int listen_fd,
                                                          StreamLimits limits, Protocol protocol) {
  std::unique_ptr<StreamServer> server(
      new StreamServer(loop, listen_fd, limits, std::move(protocol)));
  auto watched = loop.watch_readable(listen_fd, [s = server.get()] { s->on_accept(); });
  if (!watched) return Unexpected{watched.error()};
  return server;
}

StreamServer::~StreamServer() {
  while (!conns_.empty()) finish(conns_.begin()->first);
  if (resume_timer_ != 0) loop_.cancel_timer(resume_timer_);
  loop_.unwatch(listen_fd_);
  ::close(listen_fd_);
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

void StreamServer::on_accept() {
  for (std::size_t i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (out_of_fds(err)) {
        if (!out_of_fds_) {
          out_of_fds_ = true;
          log::warn("stream_accept_failed", {{"error", std::strerror(err)}});
        }
        const Shed shed = shed_one();
        if (shed == Shed::One) continue;
        if (shed == Shed::NoReserve) pause_accepting();
      } else if (!would_block(err) && err != EINTR && err != ECONNABORTED) {
        log::warn("stream_accept_failed", {{"error", std::strerror(err)}});
      }
      return;
    }
    if (out_of_fds_) end_fd_episode();
    if (conns_.size() >= limits_.max_connections) {
      ++stats_.refused;
      ::close(fd);
      continue;
    }
    admit(fd, peer_name(fd, reinterpret_cast<sockaddr*>(&from), len));
  }
}

StreamServer::Shed StreamServer::shed_one() {
  if (reserve_fd_ < 0) reserve_fd_ = open_reserve();  // lost earlier: a descriptor may be free now
  if (reserve_fd_ < 0) return Shed::NoReserve;
  ::close(reserve_fd_);
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  // Linux reports EMFILE before it looks at the queue: with a descriptor free, EAGAIN says
  // the queue is empty.
  Shed result = fd >= 0 ? Shed::One : out_of_fds(errno) ? Shed::NoReserve : Shed::NonePending;
  if (fd >= 0) {
    ::close(fd);
    ++stats_.shed_no_fd;
    ++episode_shed_;
  }
  reserve_fd_ = open_reserve();
  return result;
}

// Without a reserve the pending connection stays queued, and a level-triggered listener would
// wake the loop at once again: stop watching it for a moment.
void StreamServer::pause_accepting() {
  if (resume_timer_ != 0) return;
  loop_.unwatch(listen_fd_);
  resume_timer_ = loop_.add_timer(loop_.now() + kAcceptPause, [this] {
    resume_timer_ = 0;
    if (auto watched = loop_.watch_readable(listen_fd_, [this] { on_accept(); }); !watched) {
      log::warn("stream_watch_failed", {{"error", watched.error().message}});
    }
  });
}

void StreamServer::end_fd_episode() {
  out_of_fds_ = false;
  log::info("stream_accept_recovered", {{"shed_connections", episode_shed_}});
  episode_shed_ = 0;
}

void StreamServer::admit(int fd, std::string peer) {
  ++stats_.accepted;
  const std::uint64_t id = next_id_++;
  Conn& c = conns_[id];
  c.fd = fd;
  c.peer = std::move(peer);
  c.timer = loop_.add_timer(loop_.now() + limits_.deadline, [this, id] {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    it->second.timer = 0;
    ++stats_.timed_out;
    log::debug("stream_timeout", {{"peer", it->second.peer}});
    finish(id);
  });
  if (auto watched = loop_.watch_readable(fd, [this, id] { on_readable(id); }); !watched) {
    log::warn("stream_watch_failed", {{"error", watched.error().message}});
    finish(id);
  }
}

void StreamServer::on_readable(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  if (it->second.phase == Phase::Reading) {
    read_input(id, it->second);
  } else {
    discard_input(id, it->second);
  }
}

void StreamServer::read_input(std::uint64_t id, Conn& c) {
  // At most one byte past the cap: enough for the protocol to call the input too long.
  bool eof = false;
  while (c.in.size() <= limits_.max_input_bytes) {
    char buf[4096];
    std::size_t room = std::min(sizeof buf, limits_.max_input_bytes + 1 - c.in.size());
    ssize_t n = ::recv(c.fd, buf, room, 0);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (would_block(errno) || errno == EINTR)) break;
    eof = true;
    break;
  }
  serve(id, c, eof);
}

void StreamServer::serve(std::uint64_t id, Conn& c, bool eof) {
  serving_ = id;
  const StreamNext next = c.in.empty() ? StreamNext::Continue : protocol_(c.in, c.out, c.peer);
  serving_ = 0;
  if (next == StreamNext::Wait) {
    // Unwatched, a level-triggered EOF or a full buffer cannot spin the loop meanwhile; output
    // not yet written stays in `out` (an armed write watch goes too) and leaves with the answer.
    loop_.unwatch(c.fd);
    return;
  }
  if (next == StreamNext::Close || (eof && c.out.size() == c.written)) {
    finish(id);  // closed by the protocol, or the peer is gone with nothing left to answer
    return;
  }
  if (next == StreamNext::FinishWriting || eof) c.phase = Phase::Finishing;
  if ((c.phase == Phase::Reading && c.in.size() > limits_.max_input_bytes) ||
      c.out.size() > kMaxPendingOutput) {
    finish(id);  // the protocol neither consumed nor refused a full buffer, or no one reads
    return;
  }
  write_some(id);
}

void StreamServer::resume(std::uint64_t id, std::string_view output) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  c.out.append(output);
  if (auto watched = loop_.watch_readable(c.fd, [this, id] { on_readable(id); }); !watched) {
    log::warn("stream_watch_failed", {{"error", watched.error().message}});
    finish(id);
    return;
  }
  serve(id, c, /*eof=*/false);  // the peer's EOF, if any, is read at the next wakeup
}

void StreamServer::discard_input(std::uint64_t id, Conn& c) {
  while (true) {
    char buf[4096];
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (would_block(errno) || errno == EINTR)) return;
    if (n <= 0) break;  // EOF (the peer read the answer and closed) or error
    c.discarded += static_cast<std::size_t>(n);
    if (c.discarded > kMaxDiscardBytes) break;
  }
  finish(id);
}

void StreamServer::write_some(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  while (c.written < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
    if (n >= 0) {
      c.written += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (!would_block(errno) || !loop_.watch_writable_once(c.fd, [this, id] { write_some(id); })) {
      finish(id);
    }
    return;
  }
  c.out.clear();
  c.written = 0;
  if (c.phase != Phase::Finishing) return;
  // Half-close, then read until the peer's EOF: closing with unread input would reset the
  // connection and could destroy the answer before the peer has read it.
  ::shutdown(c.fd, SHUT_WR);
  c.in.clear();
  c.phase = Phase::Draining;
}

void StreamServer::finish(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  loop_.unwatch(c.fd);
  ::close(c.fd);
  if (c.timer != 0) loop_.cancel_timer(c.timer);
  conns_.erase(it);
}

}  // namespace qc::ops
