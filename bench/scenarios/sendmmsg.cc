// sendmmsg: the physical limit of the send path on this machine, without QUIC or the server.
// One thread sends D datagrams of --datagram-bytes (1,200: a full packet) to a loopback UDP socket in sendmmsg calls of B
// messages; another thread drains that socket with recvmmsg. Each --segments value S is one run:
// S = 1 sends one datagram per message (plain sendmmsg), S > 1 one message of S datagrams that
// the kernel segments (UDP GSO, UDP_SEGMENT), as the server's UdpSocket does for a run of
// packets to one peer. Each thread's CPU (getrusage RUSAGE_THREAD: user and kernel) per datagram,
// and what it allows: at P PDUs per packet, deliveries per CPU-second of the send side alone.
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "bench/scenarios/scenarios.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace qc::bench {
namespace {

constexpr std::size_t kMaxDatagramBytes = 1200;
constexpr std::size_t kEndMarkerBytes = 1;  // the sender's last datagram: "no more"

struct ThreadCpu {
  double user_s = 0;
  double sys_s = 0;
  double total() const { return user_s + sys_s; }
};

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

ThreadCpu thread_cpu() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

ThreadCpu operator-(const ThreadCpu& a, const ThreadCpu& b) {
  return {a.user_s - b.user_s, a.sys_s - b.sys_s};
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<sockaddr_in> bind_loopback(int fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return fail("io", std::string("bind: ") + std::strerror(errno));
  }
  return addr;
}

struct Received {
  std::uint64_t datagrams = 0;
  std::uint64_t calls = 0;
  ThreadCpu cpu;
};

// Drains `fd` until the end marker; a receive timeout (the socket's) ends it too once `sent` is
// set, in case the marker itself was dropped.
Received drain(int fd, const std::atomic<bool>& sent) {
  constexpr std::size_t kBatch = 64;
  std::vector<std::uint8_t> storage(kBatch * kMaxDatagramBytes);
  mmsghdr msgs[kBatch];
  iovec iovs[kBatch];
  Received r;
  const ThreadCpu start = thread_cpu();
  for (;;) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      iovs[i] = iovec{storage.data() + i * kMaxDatagramBytes, kMaxDatagramBytes};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = recvmmsg(fd, msgs, kBatch, MSG_WAITFORONE, nullptr);
    ++r.calls;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (sent.load()) break;
      continue;
    }
    bool end = false;
    for (int i = 0; i < n; ++i) {
      if (msgs[i].msg_len == kEndMarkerBytes) {
        end = true;
      } else {
        ++r.datagrams;
      }
    }
    if (end) break;
  }
  r.cpu = thread_cpu() - start;
  return r;
}

struct Sent {
  std::uint64_t datagrams = 0;
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;
  int last_errno = 0;
  ThreadCpu cpu;
  double wall_s = 0;
};

struct SendShape {
  std::size_t batch = 0;           // messages per sendmmsg call
  std::size_t segments = 0;        // datagrams per message (> 1: GSO)
  std::size_t datagram_bytes = 0;  // bytes per datagram
};

// Sends `datagrams` (rounded up to whole messages of `shape.segments`) in sendmmsg calls.
Sent send_all(int fd, std::uint64_t datagrams, const SendShape& shape) {
  const std::size_t batch = shape.batch;
  const std::size_t segments = shape.segments;
  const std::size_t message_bytes = shape.datagram_bytes * segments;
  std::vector<std::uint8_t> payload(batch * message_bytes, 0x5a);
  std::vector<mmsghdr> msgs(batch);
  std::vector<iovec> iovs(batch);
  std::vector<std::array<char, CMSG_SPACE(sizeof(std::uint16_t))>> control(batch);
  for (std::size_t i = 0; i < batch; ++i) {
    iovs[i] = iovec{payload.data() + i * message_bytes, message_bytes};
    msghdr& h = msgs[i].msg_hdr;
    h.msg_iov = &iovs[i];
    h.msg_iovlen = 1;
    if (segments > 1) {
      h.msg_control = control[i].data();
      h.msg_controllen = control[i].size();
      cmsghdr* cm = CMSG_FIRSTHDR(&h);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto seg16 = static_cast<std::uint16_t>(shape.datagram_bytes);
      std::memcpy(CMSG_DATA(cm), &seg16, sizeof seg16);
    }
  }
  Sent s;
  const std::int64_t wall_start = now_ns();
  const ThreadCpu start = thread_cpu();
  while (s.datagrams < datagrams) {
    const int n = sendmmsg(fd, msgs.data(), static_cast<unsigned>(batch), 0);
    ++s.calls;
    if (n < 0) {
      ++s.errors;
      s.last_errno = errno;
      if (s.errors > 1000) break;  // e.g. no GSO here: reported, not looped on forever
      continue;
    }
    s.datagrams += static_cast<std::uint64_t>(n) * segments;
  }
  s.cpu = thread_cpu() - start;
  s.wall_s = static_cast<double>(now_ns() - wall_start) / 1e9;
  return s;
}

Result<Report> run_once(const BenchOptions& opts, std::size_t segments) {
  Fd rx(socket(AF_INET, SOCK_DGRAM, 0));
  Fd tx(socket(AF_INET, SOCK_DGRAM, 0));
  if (rx.get() < 0 || tx.get() < 0) return fail("io", std::string("socket: ") + strerror(errno));
  int rcvbuf = 64 << 20;
  if (setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  timeval tick{0, 200'000};
  setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  auto addr = bind_loopback(rx.get());
  if (!addr) return Unexpected<Error>{addr.error()};
  if (connect(tx.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0)
    return fail("io", std::string("connect: ") + strerror(errno));

  const ProcSample before = sample_process(std::nullopt);
  std::atomic<bool> sent{false};
  Received received;
  std::thread receiver([&] { received = drain(rx.get(), sent); });
  const std::size_t datagram_bytes = static_cast<std::size_t>(opts.datagram_bytes);
  const Sent s = send_all(tx.get(), static_cast<std::uint64_t>(opts.datagrams),
                          {static_cast<std::size_t>(opts.batch), segments, datagram_bytes});
  sent.store(true);
  const std::uint8_t end = 0;
  (void)send(tx.get(), &end, sizeof end, 0);
  receiver.join();
  const ProcSample after = sample_process(std::nullopt);

  Report report("physical_limit");
  report.param("datagram_bytes", static_cast<double>(datagram_bytes));
  report.param("batch", static_cast<double>(opts.batch));
  report.param("segments", static_cast<double>(segments));
  report.param("gso", segments > 1 ? "on" : "off");
  report.param("pdus_per_packet", static_cast<double>(opts.pdus_per_packet));
  const auto sent_n = static_cast<double>(s.datagrams);
  const auto got_n = static_cast<double>(received.datagrams);
  report.figure("datagrams_sent", sent_n, "");
  report.figure("datagrams_received", got_n, "");
  report.figure("sendmmsg_calls", static_cast<double>(s.calls), "");
  report.figure("send_wall_s", s.wall_s, "s");
  if (s.datagrams > 0) {
    const double send_us = s.cpu.total() * 1e6 / sent_n;
    report.figure("send_cpu_us_per_datagram", send_us, "us");
    report.figure("send_sys_us_per_datagram", s.cpu.sys_s * 1e6 / sent_n, "us");
    const double pdus = static_cast<double>(opts.pdus_per_packet);
    report.figure("deliveries_per_send_cpu_s", send_us > 0 ? pdus * 1e6 / send_us : 0, "/cpu-s");
    if (received.datagrams > 0) {
      const double recv_us = received.cpu.total() * 1e6 / got_n;
      report.figure("recv_cpu_us_per_datagram", recv_us, "us");
      report.figure("recv_sys_us_per_datagram", received.cpu.sys_s * 1e6 / got_n, "us");
      report.figure("deliveries_per_send_and_recv_cpu_s", pdus * 1e6 / (send_us + recv_us),
                    "/cpu-s");
    }
  }
  add_bench_cpu(report, before, after);
  const bool all_sent = s.datagrams >= static_cast<std::uint64_t>(opts.datagrams);
  report.check("the sender sent every datagram", all_sent && s.errors == 0,
               std::to_string(s.datagrams) + " datagrams, " + std::to_string(s.errors) +
                   " failed calls" +
                   (s.errors > 0 ? ": " + std::string(std::strerror(s.last_errno)) : ""));
  if (received.datagrams < s.datagrams) {
    report.note(std::to_string(s.datagrams - received.datagrams) +
                " datagrams dropped by the receiving socket (its buffer was full)");
  }
  return report;
}

}  // namespace

Result<std::vector<Report>> run_sendmmsg(const BenchOptions& opts) {
  std::vector<Report> reports;
  for (std::uint64_t segments : opts.segments) {
    auto report = run_once(opts, static_cast<std::size_t>(segments));
    if (!report) return Unexpected<Error>{report.error()};
    reports.push_back(std::move(*report));
  }
  return reports;
}

}  // namespace qc::bench
