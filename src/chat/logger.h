// The core's log lines go through this: to the configured sink, or to util/log by default.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include "chat/config.h"
#include "util/log.h"

namespace qc::chat {

class Logger {
 public:
  explicit Logger(LogSink sink) : sink_(std::move(sink)) {}

  void debug(std::string_view event, std::initializer_list<log::Field> fields = {}) const {
    write(log::Level::Debug, event, fields);
  }
  void info(std::string_view event, std::initializer_list<log::Field> fields = {}) const {
    write(log::Level::Info, event, fields);
  }
  void warn(std::string_view event, std::initializer_list<log::Field> fields = {}) const {
    write(log::Level::Warn, event, fields);
  }
  void at(log::Level level, std::string_view event,
          std::initializer_list<log::Field> fields = {}) const {
    write(level, event, fields);
  }

 private:
  void write(log::Level level, std::string_view event,
             std::initializer_list<log::Field> fields) const {
    if (sink_) {
      sink_(level, event, fields);
    } else if (log::enabled(level)) {
      log::write(level, event, fields);
    }
  }
  LogSink sink_;
};

}  // namespace qc::chat
