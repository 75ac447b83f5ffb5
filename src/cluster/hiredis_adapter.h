// hiredis's async API on io::EventLoop: the addRead/delRead/addWrite/delWrite/cleanup hooks that
// hiredis's own adapters (adapters/libevent.h, ...) provide for other loops.
#pragma once

#include <functional>

#include "io/event_loop.h"
#include "util/result.h"

struct redisAsyncContext;

namespace qc::cluster {

// Hooks `ac`'s socket to `loop`. on_gone runs once, inside hiredis's cleanup of the context
// (whoever frees it: hiredis after an error, or the owner), while the context and its error are
// still readable; the context is freed right after it returns.
Result<void> attach_to_loop(redisAsyncContext* ac, io::EventLoop& loop,
                            std::function<void(redisAsyncContext*)> on_gone);

}  // namespace qc::cluster
