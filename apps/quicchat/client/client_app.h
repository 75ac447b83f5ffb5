// The terminal client's controller: the login dialogue, the command loop, logout, and
// reconnection. Input and output go through a Console (terminal or script); the chat
// connection is a client::ChatClient. Everything runs on the event loop.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/chat_client.h"
#include "client/command.h"
#include "client/resume_book.h"
#include "quicchat/client/client_console.h"
#include "quicchat/client/server_rotation.h"

namespace qc::app {

struct ClientAppOptions {
  std::optional<std::string> username;  // --user: skip the username prompt
  std::optional<std::string> password;  // --password-file: skip the password prompt
  bool register_account = false;        // --register: create the account, then log in (v2)
  bool reconnect = false;
  std::string server_label;  // "localhost:4433", "[::1]:4433", for messages
  // --server's candidates in order (expand_candidates); empty: the transport options' server.
  std::vector<ServerCandidate> servers;
  std::string state_key;    // names the server's folder in state_dir: "::1:4433"
  std::string verify_hint;  // said after "certificate verification failed: ..."
  bool json = false;        // --json: one JSON object per line (client/json_events.h)
  std::string state_dir;    // --state-dir: where the v2 device id is kept (empty: not kept)
  // Wall-clock milliseconds since the Unix epoch, for HH:MM and JSON "ts" (tests fix it).
  std::function<std::int64_t()> now_ms;
};

class ClientApp {
 public:
  ClientApp(io::EventLoop& loop, quic::ClientEndpoint& endpoint, client::ClientMux& mux,
            client::ChatClientOptions chat_options, Console& console, ClientAppOptions options);
  ~ClientApp();
  ClientApp(const ClientApp&) = delete;
  ClientApp& operator=(const ClientApp&) = delete;

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
    AskingPasswordAgain,  // --register: the new password, repeated
    AwaitingLogin,
    Chatting,
    LoggingOut,
    Reconnecting,
    Finished
  };

  void on_event(const client::Event& event);
  void on_connected();
  void on_login_ok(const client::LoginOk& ok);
  void on_welcome(const client::Welcome& welcome);
  void after_login();
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
  void keep_unanswered_sends(bool will_resend);
  void resend_unanswered();
  void show_pending();
  void show_who();

  // v2 rooms, history, the current conversation (client_app_rooms.cc).
  Result<void> execute_v2(const client::Command& command, std::string_view line);
  Result<void> run_history(const client::HistoryCmd& history);
  Result<void> run_more();
  void open_conversation(const std::optional<client::Conversation>& conv);
  std::string prompt() const;
  void request_command_line();

  // Resume, dedupe and read cursors (client_app_resume.cc).
  void load_resume_state();
  bool track(const client::Event& event);  // false: a message already shown (not shown again)
  void show_page(const client::HistoryPage& page);
  void sent_v2();  // a send just queued: kept until answered, shown as pending
  void schedule_flush();
  void flush_reads_and_state();
  void save_resume_state();

  // Output (client_app_output.cc): v1 lines as the seed's, v2 lines with HH:MM, or JSON.
  bool v2() const;
  std::int64_t now_ms() const;
  void show(const client::Event& event);
  void say(std::string_view code, std::string_view line);       // a "[Sys] ..." line
  void complain(std::string_view code, std::string_view text);  // a "[Err] text" line
  void print_line(std::string_view line);                       // with HH:MM in front in v2

  // Accounts (client_app_account.cc): --register's password, and /passwd's dialogue.
  void on_new_password_line(std::optional<std::string> line);
  void start_passwd();
  void on_passwd_line(std::optional<std::string> line);
  void on_request_done(const client::RequestDone& done);

  void ask_credentials();
  void ask_password();
  void send_login();
  std::string device_id();
  void begin_logout();
  void schedule_reconnect();
  void reconnect_now();
  Result<void> connect_current();
  void connect_failed(std::string_view reason);
  std::string server_label() const;
  void finish(int code);
  void fatal(std::string_view line);

  io::EventLoop& loop_;
  Console& console_;
  ClientAppOptions options_;
  ServerRotation servers_;
  client::ChatClient chat_;
  Phase phase_ = Phase::Connecting;
  std::string username_;
  std::string password_;
  // /passwd: the old password, then the new one twice, each read without echo (step 0, 1, 2).
  struct PasswdDialogue {
    int step = 0;
    std::string old_password, new_password;
  };
  std::optional<PasswdDialogue> passwd_;
  std::string changed_password_;  // sent in a passwd: the password once the server says ok
  // A command typed while reconnecting, run after the new login (on_held_line).
  std::optional<std::string> held_line_;
  bool ever_logged_in_ = false;
  bool ever_opened_ = false;
  io::TimePoint connect_started_{};
  std::string device_id_;    // v2: for username_ on this server
  bool v2_display_ = false;  // the server selected v2 once: lines carry HH:MM from then on
  // v2: sends the server had not answered when the connection was lost; sent again (same cid)
  // after the next login when reconnecting.
  std::vector<client::OutgoingSend> to_resend_;
  // v2: where a line without an address goes (/open), and the resume/read bookkeeping kept in
  // the state folder (resume_state.h).
  std::optional<client::Conversation> current_;
  // The last page of history shown, for /more: its conversation, first id, size, and `more`.
  struct ShownHistory {
    std::string conv, label;
    std::uint64_t first_id = 0;
    std::uint32_t limit = 0;
    bool more = false;
  };
  std::optional<ShownHistory> last_history_;
  client::ResumeBook book_;
  bool resume_loaded_ = false;
  std::optional<io::EventLoop::TimerId> flush_timer_;
  std::chrono::milliseconds backoff_{500};
  int exit_code_ = 0;
};

}  // namespace qc::app
