// A test VFS that wraps the default one and records, on one sequence, every write and fsync of a
// WAL file (what "durable before the ack" is about), and can make every write fail as a full disk
// would. Registered as the default VFS (for the whole test process: it only forwards otherwise).
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>

namespace qc::store::test {

struct SyncRecord {
  std::atomic<std::uint64_t> sequence{0};       // one counter for every event below
  std::atomic<std::uint64_t> last_wal_write{0};  // the sequence number of the latest WAL write
  std::atomic<std::uint64_t> last_wal_sync{0};
  std::atomic<std::uint64_t> wal_syncs{0};
  std::atomic<bool> disk_full{false};  // every xWrite fails with SQLITE_FULL
  std::uint64_t next() { return ++sequence; }
};

namespace vfs_detail {

struct File {
  sqlite3_file base;
  sqlite3_file* real;  // right after this struct, in the same allocation
  bool wal;
};

inline SyncRecord& record() {
  static SyncRecord r;
  return r;
}
inline sqlite3_vfs*& real_vfs() {
  static sqlite3_vfs* v = nullptr;
  return v;
}
inline sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

inline int close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
inline int read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real(f)->pMethods->xRead(real(f), buf, n, off);
}
inline int write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (record().disk_full) return SQLITE_FULL;
  const int rc = real(f)->pMethods->xWrite(real(f), buf, n, off);
  if (reinterpret_cast<File*>(f)->wal) record().last_wal_write = record().next();
  return rc;
}
inline int truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
inline int sync(sqlite3_file* f, int flags) {
  const int rc = real(f)->pMethods->xSync(real(f), flags);
  if (reinterpret_cast<File*>(f)->wal && rc == SQLITE_OK) {
    ++record().wal_syncs;
    record().last_wal_sync = record().next();
  }
  return rc;
}
inline int file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
inline int lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
inline int unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
inline int check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
inline int file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
inline int sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
inline int device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
inline int shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
inline int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
inline void shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
inline int shm_unmap(sqlite3_file* f, int del) {
  return real(f)->pMethods->xShmUnmap(real(f), del);
}
inline int fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return real(f)->pMethods->xFetch(real(f), off, n, out);
}
inline int unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), off, p);
}

inline const sqlite3_io_methods kMethods = {
    3,        close,         read,           write,       truncate,  sync,
    file_size, lock,         unlock,         check_reserved, file_control, sector_size,
    device_characteristics, shm_map, shm_lock, shm_barrier, shm_unmap, fetch,
    unfetch,
};

inline int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
  auto* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->wal = (flags & SQLITE_OPEN_WAL) != 0;
  const int rc = real_vfs()->xOpen(real_vfs(), name, file->real, flags, out);
  file->base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}
inline int remove(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs()->xDelete(real_vfs(), name, sync_dir);
}
inline int access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs()->xAccess(real_vfs(), name, flags, out);
}
inline int full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs()->xFullPathname(real_vfs(), name, n, out);
}
inline int randomness(sqlite3_vfs*, int n, char* out) {
  return real_vfs()->xRandomness(real_vfs(), n, out);
}
inline int sleep(sqlite3_vfs*, int us) { return real_vfs()->xSleep(real_vfs(), us); }
inline int current_time(sqlite3_vfs*, double* out) {
  return real_vfs()->xCurrentTime(real_vfs(), out);
}
inline int last_error(sqlite3_vfs*, int n, char* out) {
  return real_vfs()->xGetLastError(real_vfs(), n, out);
}
inline int current_time_ms(sqlite3_vfs*, sqlite3_int64* out) {
  return real_vfs()->xCurrentTimeInt64(real_vfs(), out);
}

}  // namespace vfs_detail

// Installs the recording VFS as the default (once) and returns its record.
inline SyncRecord& install_sync_recording_vfs() {
  static sqlite3_vfs vfs{};
  static const bool installed = [] {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    vfs_detail::real_vfs() = base;
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(vfs_detail::File)) + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = "qc-sync-recording";
    vfs.xOpen = vfs_detail::open;
    vfs.xDelete = vfs_detail::remove;
    vfs.xAccess = vfs_detail::access;
    vfs.xFullPathname = vfs_detail::full_pathname;
    vfs.xRandomness = vfs_detail::randomness;
    vfs.xSleep = vfs_detail::sleep;
    vfs.xCurrentTime = vfs_detail::current_time;
    vfs.xGetLastError = vfs_detail::last_error;
    vfs.xCurrentTimeInt64 = vfs_detail::current_time_ms;
    return sqlite3_vfs_register(&vfs, 1) == SQLITE_OK;
  }();
  (void)installed;
  return vfs_detail::record();
}

}  // namespace qc::store::test
