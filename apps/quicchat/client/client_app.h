// The terminal client's controller: the login dialogue, the command loop, logout, and
// reconnection. Input and output go through a Console (terminal or script); the chat
// connection is a client::ChatClient. Everything runs on the event loop.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "client/chat_client.h"
#include "client/command.h"
#include "quicchat/client/client_console.h"

namespace qc::app {

struct ClientAppOptions {
  std::optional<std::string> username;  // --user: skip the username prompt
  std::optional<std::string> password;  // --password-file: skip the password prompt
  bool reconnect = false;
  std::string server_label;  // "localhost:4433", for messages
};

class ClientApp {
 public:
  ClientApp(io::EventLoop& loop, quic::ClientEndpoint& endpoint, client::ClientMux& mux,
            client::ChatClientOptions chat_options, Console& console, ClientAppOptions options);

  // Connects; the loop then runs the dialogue. The exit code once the loop has stopped.
  Result<void> start();
  int exit_code() const { return exit_code_; }
  // SIGINT/SIGTERM: log out when logged in, otherwise stop.
  void interrupt();

 private:
  enum class Phase {
    Connecting,
    AskingUser,
    AskingPassword,
    AwaitingLogin,
    Chatting,
    LoggingOut,
    Reconnecting,
    Finished
  };

  void on_event(const client::Event& event);
  void on_connected();
  void on_login_ok(const client::LoginOk& ok);
  void on_login_retry(const client::LoginRetry& retry);
  void on_closed(const client::ConnectionClosed& closed);
  void on_line(std::optional<std::string> line);
  void on_credential_line(std::optional<std::string> line);
  using LineParser = Result<client::Command, std::string> (*)(std::string_view,
                                                              const client::NameResolver&);
  void on_command_line(std::string_view line);
  void on_held_line(std::string_view line);
  void run_line(std::string_view line, const LineParser& parse);
  void execute(const client::Command& command, std::string_view line);
  void report_undelivered(const client::ConnectionClosed& closed);

  void ask_credentials();
  void send_login();
  void begin_logout();
  void schedule_reconnect();
  void reconnect_now();
  void finish(int code);
  void fatal(std::string_view line);

  io::EventLoop& loop_;
  Console& console_;
  ClientAppOptions options_;
  client::ChatClient chat_;
  Phase phase_ = Phase::Connecting;
  std::string username_;
  std::string password_;
  // A command typed while reconnecting, run after the new login (on_held_line).
  std::optional<std::string> held_line_;
  bool ever_logged_in_ = false;
  bool ever_opened_ = false;
  std::chrono::milliseconds backoff_{500};
  int exit_code_ = 0;
};

}  // namespace qc::app
