#include "quicchat/common/admin_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include "ops/unix_socket.h"

namespace qc::app {
namespace {

// Sends one request line and reads one reply line.
Result<std::string> exchange(const std::string& path, const std::string& line,
                             std::chrono::seconds timeout) {
  auto fd = ops::connect_unix(path);
  if (!fd) return Unexpected{fd.error()};
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string out = line + "\n";
  std::string reply;
  if (send(*fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size())) {
    char buf[65536];
    ssize_t n;
    while (reply.find('\n') == std::string::npos && (n = recv(*fd, buf, sizeof buf, 0)) > 0) {
      reply.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(*fd);
  const std::size_t newline = reply.find('\n');
  if (newline == std::string::npos) return fail("admin", "no reply from the server at " + path);
  reply.resize(newline);
  return reply;
}

}  // namespace

Result<ops::AdminReply> ask_admin(const std::string& socket_path, const ops::AdminRequest& request,
                                  std::chrono::seconds timeout) {
  auto line = exchange(socket_path, ops::encode_admin_request(request), timeout);
  if (!line) return Unexpected{line.error()};
  auto reply = ops::decode_admin_reply(*line);
  if (!reply) return fail("admin", "bad reply from the server: " + reply.error().message);
  return reply;
}

}  // namespace qc::app
