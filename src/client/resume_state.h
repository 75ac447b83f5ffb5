// What a v2 client keeps so that nothing is lost across a reconnect, a server restart or its
// own crash (issue 13, "Resume"): the last message id it saw per conversation (sent as the
// login's `since`) and the messages it sent that the server has not answered yet (sent again
// with the same client message id after the next login, so the server stores them once).
//
// The file is <state_dir>/<server>/<user>/resume (state_files.h: written atomically and
// fsync'd), text, one record per line:
//   quicchat-resume 1
//   epoch <n>                            the server's message id epoch the ids belong to
//   seen <conv> <id>                     one per conversation
//   send <the v2 send frame's JSON>      one per unanswered send, in the order sent (rid 0)
//   end
// A file that does not parse is reported and set aside as `resume.corrupt`; the client then
// starts from a fresh state (the server's read cursors still say what is unread).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/events.h"
#include "util/result.h"

namespace qc::client {

struct ResumeState {
  std::uint64_t epoch = 0;                    // 0: none seen yet
  std::map<std::string, std::uint64_t> seen;  // conversation -> the last message id seen
  std::vector<OutgoingSend> unacked;          // cid, recipients and text (rid not kept)
  friend bool operator==(const ResumeState&, const ResumeState&) = default;
};

std::string encode_resume_state(const ResumeState& state);
// The state, or an error naming the first line that is wrong.
Result<ResumeState> decode_resume_state(std::string_view text);

std::string resume_file(std::string_view state_dir, std::string_view server, std::string_view user);
// A missing file is a fresh state. A corrupt one is renamed to `resume.corrupt` and reported
// as the error (the caller goes on with a fresh state).
Result<ResumeState> load_resume_state(std::string_view state_dir, std::string_view server,
                                      std::string_view user);
Result<void> save_resume_state(std::string_view state_dir, std::string_view server,
                               std::string_view user, const ResumeState& state);

}  // namespace qc::client
