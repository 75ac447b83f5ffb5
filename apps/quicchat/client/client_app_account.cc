// ClientApp and the account (v2): --register's repeated password, and /passwd, which asks for
// the old password and the new one twice, without echo, and keeps the new one for reconnects.
#include "quicchat/client/client_app.h"
#include "util/account_rules.h"

namespace qc::app {

using namespace qc::client;

void ClientApp::on_new_password_line(std::optional<std::string> line) {
  if (!line) return fatal("[Err] End of input before login");
  if (*line != password_) return fatal("[Err] Passwords do not match");
  send_login();
}

void ClientApp::start_passwd() {
  passwd_ = PasswdDialogue{};
  console_.request_line("Old password: ", true);
}

void ClientApp::on_passwd_line(std::optional<std::string> line) {
  if (!line) {  // end of input inside the dialogue: as at the prompt
    passwd_.reset();
    return begin_logout();
  }
  PasswdDialogue& dialogue = *passwd_;
  switch (dialogue.step++) {
    case 0:
      dialogue.old_password = std::move(*line);
      return console_.request_line("New password: ", true);
    case 1:
      dialogue.new_password = std::move(*line);
      return console_.request_line("Repeat new password: ", true);
    default:
      break;
  }
  const PasswdDialogue done = std::move(dialogue);
  passwd_.reset();
  if (*line != done.new_password) {
    complain("passwd", "Passwords do not match; the password was not changed.");
  } else if (auto problem = password_problem(done.new_password)) {
    complain("passwd", "The password was not changed: " + *problem);
  } else if (auto sent = chat_.change_password(done.old_password, done.new_password); !sent) {
    complain(sent.error().code, sent.error().message);
  } else {
    changed_password_ = done.new_password;
  }
  request_command_line();
}

// The next login (a reconnect) needs the new password.
void ClientApp::on_request_done(const RequestDone& done) {
  if (done.what == Done::PasswordChanged) password_ = changed_password_;
}

}  // namespace qc::app
