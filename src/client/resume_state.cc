#include "client/resume_state.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "client/command_text.h"
#include "client/state_files.h"
#include "proto/v2/codec.h"

namespace qc::client {
namespace {

namespace v2 = proto::v2;

constexpr std::string_view kHeader = "quicchat-resume 1";
constexpr std::string_view kEnd = "end";
constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

// Conversation keys come from the server; one that could break a line is not kept.
bool storable_conv(std::string_view conv) {
  if (conv.empty() || conv.size() > 256) return false;
  for (char c : conv) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

Unexpected<Error> bad_line(std::size_t number, std::string_view why) {
  return Unexpected<Error>{
      Error{"resume_state", "line " + std::to_string(number) + ": " + std::string(why)}};
}

Result<OutgoingSend> decode_send(std::string_view json) {
  auto frame = v2::decode_body(json);
  if (!frame) return fail("resume_state", frame.error().detail);
  auto* send = std::get_if<v2::Send>(&*frame);
  if (!send || send->cid.empty() || (send->to.empty() == send->conv.empty())) {
    return fail("resume_state", "not a send with a client id");
  }
  return OutgoingSend{0, std::move(send->cid), std::move(send->to), std::move(send->conv),
                      std::move(send->text)};
}

// One "seen" or "send" record into `state`.
Result<void> decode_record(std::string_view line, std::size_t number, ResumeState& state) {
  auto [kind, rest] = text::split_word(line);
  if (kind == "seen") {
    auto [conv, id_text] = text::split_word(rest);
    auto id = text::parse_id(id_text);
    if (!storable_conv(conv) || !id) return bad_line(number, "bad seen record");
    state.seen[std::string(conv)] = *id;
    return {};
  }
  if (kind == "epoch") {
    auto epoch = text::parse_id(rest);
    if (!epoch) return bad_line(number, "bad epoch record");
    state.epoch = *epoch;
    return {};
  }
  if (kind == "send") {
    auto send = decode_send(rest);
    if (!send) return bad_line(number, send.error().message);
    state.unacked.push_back(std::move(*send));
    return {};
  }
  return bad_line(number, "unknown record");
}

}  // namespace

std::string encode_resume_state(const ResumeState& state) {
  std::string out(kHeader);
  out += '\n';
  if (state.epoch != 0) out += "epoch " + std::to_string(state.epoch) + "\n";
  for (const auto& [conv, id] : state.seen) {
    if (storable_conv(conv)) out += "seen " + conv + " " + std::to_string(id) + "\n";
  }
  for (const OutgoingSend& s : state.unacked) {
    out += "send " + v2::encode_body(v2::Send{0, s.to, s.conv, s.text, s.cid}) + "\n";
  }
  out += kEnd;
  out += '\n';
  return out;
}

Result<ResumeState> decode_resume_state(std::string_view text) {
  ResumeState state;
  std::size_t number = 0;
  bool ended = false;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return bad_line(number + 1, "no end of line");
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    ++number;
    if (ended) return bad_line(number, "after the end");
    if (number == 1) {
      if (line != kHeader) return bad_line(number, "not a quicchat resume file");
    } else if (line == kEnd) {
      ended = true;
    } else if (auto ok = decode_record(line, number, state); !ok) {
      return Unexpected<Error>{ok.error()};
    }
  }
  if (!ended) return bad_line(number, "the file ends early");
  return state;
}

std::string resume_file(std::string_view state_dir, std::string_view server,
                        std::string_view user) {
  return user_state_dir(state_dir, server, user) + "/resume";
}

Result<ResumeState> load_resume_state(std::string_view state_dir, std::string_view server,
                                      std::string_view user) {
  const std::string file = resume_file(state_dir, server, user);
  std::ifstream in(file, std::ios::binary);
  if (!in) return ResumeState{};  // never written: nothing to resume
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = std::move(content).str();
  auto state = text.size() > kMaxFileBytes
                   ? Unexpected<Error>{Error{"resume_state", "larger than 16 MiB"}}
                   : decode_resume_state(text);
  if (state) return state;
  const std::string aside = file + ".corrupt";
  std::rename(file.c_str(), aside.c_str());
  return fail("resume_state", file + " is not valid (" + state.error().message + "); kept as " +
                                  aside + ", starting afresh");
}

Result<void> save_resume_state(std::string_view state_dir, std::string_view server,
                               std::string_view user, const ResumeState& state) {
  return write_state_file(user_state_dir(state_dir, server, user),
                          resume_file(state_dir, server, user), encode_resume_state(state));
}

}  // namespace qc::client
