// Connections accepted on a listening stream socket (TCP or unix), driven by the event loop, for
// the small operator protocols (metrics over HTTP, the admin socket). A protocol sees the bytes
// received so far and answers with output; this class does the rest and keeps a slow or hostile
// peer from holding the loop: input is capped, every connection has a deadline from its
// accept, connections are capped (more are accepted and closed at once), writes never block.
// Out of file descriptors (EMFILE/ENFILE), a reserve descriptor is given up to accept the pending
// connection and close it at once, so the loop neither spins on a ready listener nor floods its
// log: one warning when such an episode starts, one line with the count when it ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "io/event_loop.h"
#include "util/result.h"

namespace qc::ops {

struct StreamLimits {
  std::size_t max_connections = 16;
  std::size_t max_input_bytes = 8 * 1024;     // unconsumed input; the protocol sees one byte more
  std::chrono::milliseconds deadline{5'000};  // from accept to close, whatever the peer does
};

struct StreamStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;     // closed at accept: over max_connections
  std::uint64_t timed_out = 0;   // closed at the deadline
  std::uint64_t shed_no_fd = 0;  // closed at accept: the process was out of file descriptors
};

// What the protocol wants after it has looked at the input.
enum class StreamNext {
  Continue,       // keep reading
  FinishWriting,  // send the output, then half-close and discard input until the peer's EOF
  Close,          // close now (output is dropped)
  Wait,           // the answer comes later, through resume(); until then the connection is
                  // not read (the deadline still runs)
};

class StreamServer {
 public:
  // `input`: bytes received and not yet consumed (the protocol erases what it consumed);
  // `output`: appended to, sent in order. `peer` names the connection in logs.
  using Protocol =
      std::function<StreamNext(std::string& input, std::string& output, const std::string& peer)>;

  // Takes ownership of `listen_fd` (non-blocking, listening).
  static Result<std::unique_ptr<StreamServer>> start(io::EventLoop& loop, int listen_fd,
                                                     StreamLimits limits, Protocol protocol);
  ~StreamServer();
  StreamServer(const StreamServer&) = delete;
  StreamServer& operator=(const StreamServer&) = delete;

  // The connection whose input the protocol is looking at (only during a call to it): what to
  // resume() after it returned Wait.
  std::uint64_t serving() const { return serving_; }
  // Appends a waiting connection's answer, sends it and lets the protocol go on with the input
  // that came meanwhile. Does nothing when the connection has closed (its deadline passed).
  void resume(std::uint64_t id, std::string_view output);

  const StreamStats& stats() const { return stats_; }
  int listen_fd() const { return listen_fd_; }

 private:
  enum class Phase { Reading, Finishing, Draining };
  struct Conn {
    int fd = -1;
    std::string peer;
    Phase phase = Phase::Reading;
    std::string in;
    std::string out;
    std::size_t written = 0;
    std::size_t discarded = 0;
    io::EventLoop::TimerId timer = 0;
  };

  StreamServer(io::EventLoop& loop, int listen_fd, StreamLimits limits, Protocol protocol);
  void on_accept();
  // Out of descriptors: accepts one pending connection through the reserve and closes it.
  enum class Shed { One, NonePending, NoReserve };
  Shed shed_one();
  void pause_accepting();
  void end_fd_episode();
  void admit(int fd, std::string peer);
  void on_readable(std::uint64_t id);
  void read_input(std::uint64_t id, Conn& c);
  void serve(std::uint64_t id, Conn& c, bool eof);
  void discard_input(std::uint64_t id, Conn& c);
  void write_some(std::uint64_t id);
  void finish(std::uint64_t id);

  io::EventLoop& loop_;
  int listen_fd_;
  StreamLimits limits_;
  Protocol protocol_;
  std::uint64_t next_id_ = 1;
  std::uint64_t serving_ = 0;
  std::unordered_map<std::uint64_t, Conn> conns_;
  StreamStats stats_;
  int reserve_fd_ = -1;             // an open /dev/null, given up to accept at the fd limit
  bool out_of_fds_ = false;         // in an episode of EMFILE/ENFILE from accept
  std::uint64_t episode_shed_ = 0;  // connections closed unserved in this episode
  io::EventLoop::TimerId resume_timer_ = 0;
};

}  // namespace qc::ops
