// Atomic file and folder writes, and the cleanup of interrupted ones
// (see include/knit/core/atomic_file.hpp).
#include "knit/core/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"

namespace knit {
namespace {

// ---- the registry of temporaries in flight --------------------------------------------
// Fixed slots and atomic states only, so that a signal handler may walk it.

constexpr int slot_count = 64;
constexpr std::size_t path_capacity = 4096;

struct slot {
    std::atomic<int> state{0};  // 0 free, 1 being filled, 2 registered
    bool directory = false;
    char path[path_capacity] = {};
};
slot slots[slot_count];

// Returns the slot, or -1 when the path is too long or 64 writes are in flight (that one
// temporary is then not removed by a signal; everything else still works).
int register_temporary(const std::string& path, bool directory) {
    if (path.size() >= path_capacity) return -1;
    for (int i = 0; i < slot_count; ++i) {
        int expected = 0;
        if (slots[i].state.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
            std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
            slots[i].directory = directory;
            slots[i].state.store(2, std::memory_order_release);
            return i;
        }
    }
    return -1;
}

void unregister_temporary(int i) {
    if (i >= 0) slots[i].state.store(0, std::memory_order_release);
}

// ---- removing a folder from a signal handler --------------------------------------------
// Only open, getdents64, unlinkat, close and rmdir: no allocation, no stdio.

#ifdef __linux__
void remove_entries_signal_safe(int folder, int depth) noexcept {
    if (depth > 32) return;
    alignas(8) char buffer[2048];
    for (bool removed = true; removed;) {  // entries removed while listing may hide others
        removed = false;
        if (lseek(folder, 0, SEEK_SET) != 0) return;
        long n;
        while ((n = syscall(SYS_getdents64, folder, buffer, sizeof buffer)) > 0) {
            for (long at = 0; at < n;) {
                // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name.
                std::uint16_t length;
                std::memcpy(&length, buffer + at + 16, sizeof length);
                const char* name = buffer + at + 19;
                at += length;
                if (length == 0) return;
                if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
                if (unlinkat(folder, name, 0) == 0) {
                    removed = true;
                    continue;
                }
                const int child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child < 0) continue;
                remove_entries_signal_safe(child, depth + 1);
                close(child);
                if (unlinkat(folder, name, AT_REMOVEDIR) == 0) removed = true;
            }
        }
    }
}
#endif

void remove_tree_signal_safe(const char* path) noexcept {
#ifdef __linux__
    const int folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (folder < 0) return;
    remove_entries_signal_safe(folder, 0);
    close(folder);
    rmdir(path);
#else
    (void)path;  // elsewhere a folder left by a signal stays (hidden, see the header)
#endif
}

extern "C" void remove_temporaries_and_reraise(int signal_number) {
    remove_temporaries();
    raise(signal_number);  // SA_RESETHAND restored the default action; delivered on return
}

// ---- helpers ----------------------------------------------------------------------------

std::string reason(int err) { return std::generic_category().message(err); }

mode_t process_umask() {
    // Read once (setting it back at once); a new file gets 0666 minus this, as open() does.
    static const mode_t mask = [] {
        const mode_t m = ::umask(0);
        ::umask(m);
        return m;
    }();
    return mask;
}

// The folder and the hidden temporary-name template beside `target`.
std::string temporary_template(const std::string& target, const char* what) {
    const std::filesystem::path p(target);
    std::string name = p.filename().string();
    if (name.empty() || name == "." || name == "..")
        throw io_error("cannot write '" + target + "': got no " + what + " name at the end of the path, expected one");
    const std::string folder = p.has_parent_path() ? p.parent_path().string() : ".";
    if (name.size() > 200) name.resize(200);  // the whole name must fit in NAME_MAX (255)
    return folder + "/." + name + ".knit-tmp-XXXXXX";
}

// All of `bytes` at `offset`; 0, or the errno of the failure. On Linux the kernel starts
// writing the range to disk at once (sync_file_range), so the final fsync has less left
// to wait for.
int write_all_at(int fd, std::string_view bytes, std::uint64_t offset) {
    const char* at = bytes.data();
    std::size_t left = bytes.size();
    off_t where = off_t(offset);
    while (left > 0) {
        const ssize_t n = ::pwrite(fd, at, left, where);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : EIO;
        at += n;
        where += n;
        left -= static_cast<std::size_t>(n);
    }
#ifdef __linux__
    if (!bytes.empty()) ::sync_file_range(fd, off_t(offset), off_t(bytes.size()), SYNC_FILE_RANGE_WRITE);
#endif
    return 0;
}

void sync_folder(const std::string& path) {
    // Makes the rename itself durable; a file system that cannot sync a folder is no error.
    const std::filesystem::path p(path);
    const std::string folder = p.has_parent_path() ? p.parent_path().string() : ".";
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
    write_file_atomically(path, std::vector<std::string_view>{bytes});
}

void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces, std::size_t threads) {
    struct stat existing {};
    const bool exists = ::stat(path.c_str(), &existing) == 0;
    if (exists && S_ISDIR(existing.st_mode))
        throw io_error("cannot write '" + path + "': it is a directory, expected a file name");
    std::string temporary = temporary_template(path, "file");
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0) {
        const int err = errno;
        const std::filesystem::path p(path);
        throw io_error("cannot write '" + path + "': cannot create a file in '" +
                       (p.has_parent_path() ? p.parent_path().string() : std::string(".")) + "': " + reason(err));
    }
    const int slot = register_temporary(temporary, false);
    const mode_t mode = exists && S_ISREG(existing.st_mode) ? (existing.st_mode & 07777) : (0666 & ~process_umask());
    ::fchmod(fd, mode);
    auto fail = [&](const char* step, int err) {
        ::unlink(temporary.c_str());
        unregister_temporary(slot);
        throw io_error("cannot write '" + path + "': " + step + ": " + reason(err));
    };
    // The bytes in chunks of at most 8 MB at their offsets, written by `threads` tasks: the
    // copies into the page cache run side by side. The first failing chunk's error wins.
    constexpr std::size_t chunk = std::size_t(8) << 20;
    std::vector<std::pair<std::string_view, std::uint64_t>> chunks;
    std::uint64_t offset = 0;
    for (const std::string_view piece : pieces)
        for (std::size_t at = 0; at < piece.size(); at += chunk) {
            chunks.emplace_back(piece.substr(at, chunk), offset);
            offset += std::min(chunk, piece.size() - at);
        }
    std::vector<int> errors(chunks.size(), 0);
    parallel_for_without_blas(chunks.size(), std::max<std::size_t>(1, threads), [&](std::size_t i) {
        errors[i] = write_all_at(fd, chunks[i].first, chunks[i].second);
    });
    for (const int err : errors)
        if (err != 0) {
            ::close(fd);
            ::unlink(temporary.c_str());
            unregister_temporary(slot);
            throw io_error("cannot write '" + path + "': " + reason(err));
        }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        fail("flushing to disk failed", err);
    }
    if (::close(fd) != 0) fail("closing failed", errno);
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot rename the temporary file onto it", errno);
    unregister_temporary(slot);
    sync_folder(path);
}

temporary_directory::temporary_directory(const std::string& target) {
    // "data/", "." and "a/.." name folders too: work on the absolute, normal form.
    target_ = std::filesystem::absolute(target).lexically_normal().string();
    while (target_.size() > 1 && target_.back() == '/') target_.pop_back();
    path_ = temporary_template(target_, "folder");
    if (::mkdtemp(path_.data()) == nullptr) {
        const int err = errno;
        throw io_error("cannot write '" + target_ + "': cannot create a folder beside it: " + reason(err));
    }
    ::chmod(path_.c_str(), 0777 & ~process_umask());
    slot_ = register_temporary(path_, true);
}

temporary_directory::~temporary_directory() {
    if (!committed_) {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    unregister_temporary(slot_);
}

void temporary_directory::commit() {
    if (committed_) return;
    if (::rename(path_.c_str(), target_.c_str()) != 0) {
        const int err = errno;
        throw io_error("cannot move the new folder onto '" + target_ + "': " + reason(err) +
                       (err == ENOTEMPTY || err == EEXIST ? " (expected no folder or an empty one there)" : ""));
    }
    committed_ = true;
    unregister_temporary(slot_);
    slot_ = -1;
    sync_folder(target_);
}

void remove_temporaries() noexcept {
    for (auto& s : slots) {
        if (s.state.load(std::memory_order_acquire) != 2) continue;
        if (s.directory) remove_tree_signal_safe(s.path);
        else ::unlink(s.path);
    }
}

void install_temporary_cleanup() {
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
        struct sigaction previous {};
        if (::sigaction(signal_number, nullptr, &previous) != 0) continue;
        if (previous.sa_handler == SIG_IGN) continue;  // e.g. SIGHUP under nohup stays ignored
        struct sigaction action {};
        action.sa_handler = remove_temporaries_and_reraise;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        ::sigaction(signal_number, &action, nullptr);
    }
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {}, sb {};
    if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace knit
