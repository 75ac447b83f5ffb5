// The admin socket (`quicchat server --admin-socket PATH`): a unix stream socket, mode 0600,
// speaking ops/admin_protocol.h (one JSON request per line, one JSON reply per line) on the
// server's event loop: who is logged in, kick a user, the metrics as text, accounts changed on
// the server's own store (their reply waits for the hashing pool). Each request is one log line,
// `admin action=...` (info for what changes something, debug for the questions); the request
// itself is never logged (it may hold a password).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "io/event_loop.h"
#include "ops/admin_protocol.h"
#include "ops/stream_server.h"
#include "util/result.h"

namespace qc::server {

class ChatServer;

class AdminSocket {
 public:
  // The server must outlive the socket.
  static Result<std::unique_ptr<AdminSocket>> start(io::EventLoop& loop, ChatServer& server,
                                                    std::string path);
  ~AdminSocket();  // closes the socket and removes its file
  AdminSocket(const AdminSocket&) = delete;
  AdminSocket& operator=(const AdminSocket&) = delete;

  // One request (not an account change) -> its reply; `sessions` is set when it closed some.
  ops::AdminReply answer(const ops::AdminRequest& request, std::optional<std::size_t>& sessions);

  // What `reload` does (the server's command sets it): the text of the reply, or why it was
  // refused. Without one, `reload` is answered with an error.
  using ReloadHandler = std::function<Result<std::string>()>;
  void on_reload(ReloadHandler handler) { reload_ = std::move(handler); }

 private:
  AdminSocket(io::EventLoop& loop, ChatServer& server, std::string path)
      : loop_(loop), server_(server), path_(std::move(path)) {}
  ops::StreamNext on_input(std::string& input, std::string& output, const std::string& peer);
  // Answers on the stream connection `conn` once the hashing pool is done.
  void change_account(ops::AccountRequest request, const std::string& peer, std::uint64_t conn);
  // nodes, who_cluster in a cluster: answers on `conn` once Redis did.
  void ask_cluster(ops::AdminRequest request, const std::string& peer, std::uint64_t conn);

  io::EventLoop& loop_;
  ChatServer& server_;
  std::string path_;
  std::unique_ptr<ops::StreamServer> stream_;
  ReloadHandler reload_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards the pool's answers
};

}  // namespace qc::server
