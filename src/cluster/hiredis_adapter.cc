#include "cluster/hiredis_adapter.h"

#include <hiredis/async.h>

#include <memory>

namespace qc::cluster {
namespace {

struct Adapter {
  redisAsyncContext* ac;
  io::EventLoop& loop;
  std::function<void(redisAsyncContext*)> on_gone;
  int fd;
  bool watching = false;     // readable (the loop needs it before a writable watch)
  bool want_write = false;   // hiredis has output pending
  bool write_armed = false;  // a one-shot writable watch is set
};

Adapter* of(void* privdata) { return static_cast<Adapter*>(privdata); }

void watch(Adapter& a) {
  if (a.watching) return;
  redisAsyncContext* ac = a.ac;
  // hiredis may free the context inside the call: nothing here touches it afterwards.
  a.watching = a.loop.watch_readable(a.fd, [ac] { redisAsyncHandleRead(ac); }).ok();
}

void add_read(void* privdata) {
  if (privdata) watch(*of(privdata));
}

void del_read(void* privdata) {
  if (!privdata) return;
  Adapter& a = *of(privdata);
  if (!a.watching) return;
  a.loop.unwatch(a.fd);
  a.watching = false;
  a.write_armed = false;  // unwatch dropped it
}

void add_write(void* privdata) {
  if (!privdata) return;
  Adapter& a = *of(privdata);
  a.want_write = true;
  watch(a);
  if (a.write_armed || !a.watching) return;
  // The loop's writable watch is one-shot and cannot be withdrawn: del_write only clears
  // want_write, and a stray wake-up then does nothing.
  Adapter* self = &a;
  a.write_armed = a.loop
                      .watch_writable_once(a.fd,
                                           [self] {
                                             self->write_armed = false;
                                             if (self->want_write) redisAsyncHandleWrite(self->ac);
                                           })
                      .ok();
}

void del_write(void* privdata) {
  if (privdata) of(privdata)->want_write = false;
}

void cleanup(void* privdata) {
  if (!privdata) return;
  std::unique_ptr<Adapter> a(of(privdata));
  // Idempotent: some hiredis paths clean up twice.
  a->ac->ev.data = nullptr;
  a->ac->ev.cleanup = nullptr;
  if (a->watching) a->loop.unwatch(a->fd);
  if (a->on_gone) a->on_gone(a->ac);
}

}  // namespace

Result<void> attach_to_loop(redisAsyncContext* ac, io::EventLoop& loop,
                            std::function<void(redisAsyncContext*)> on_gone) {
  if (ac->ev.data != nullptr) return fail("redis", "the context has an event loop already");
  auto* a = new Adapter{ac, loop, std::move(on_gone), ac->c.fd};
  ac->ev.data = a;
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  watch(*a);
  if (!a->watching) return fail("redis", "cannot watch the Redis socket");
  return {};
}

}  // namespace qc::cluster
