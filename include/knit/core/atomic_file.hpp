// Writing files and folders so that nobody ever sees half of one.
//
//   write_file_atomically(path, bytes)
//       The bytes go to a new temporary file with a unique name in path's folder
//       (mkstemp: ".<name>.knit-tmp-XXXXXX"), are flushed to disk (fsync) and renamed onto
//       path. A reader of path sees the old file or the whole new one; two writers of the
//       same path at once leave one of their two files, whole. On every error the temporary
//       file is removed and a knit::io_error names path and the cause (a missing folder, a
//       directory in the way, a full disk, ...). A symbolic link at path is replaced by the
//       new file; the file it pointed to is left alone. A new file gets the usual
//       permissions (0666 minus the umask); a file that is replaced keeps its own.
//
//   temporary_directory staging(target)
//       A new empty folder with a unique name beside target (mkdtemp:
//       ".<name>.knit-tmp-XXXXXX" in target's parent). Fill it, then commit(): it is renamed
//       onto target (which must be absent or an empty folder). Without commit() the
//       destructor removes it with everything inside, so an exception leaves nothing.
//
// Interrupted runs. Every temporary file and folder is registered while it exists.
// remove_temporaries() removes them all and is async-signal-safe; after
// install_temporary_cleanup() a SIGINT, SIGTERM, SIGHUP or SIGQUIT removes them and then ends
// the process by the same signal (the knit-grn command installs it; a library user decides
// for their own program). What can remain: after SIGKILL, a crash or a power cut, the
// hidden `.<name>.knit-tmp-XXXXXX` files or folders of the writes in flight. They are never
// mistaken for data: the real name appears only by the final rename, whole, and no knit
// reader looks at these names. They can be deleted at any time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace knit {

void write_file_atomically(const std::string& path, std::string_view bytes);
// The same with the file's bytes given in pieces, in order (a large text made in parts need
// not be joined first). `threads` tasks (knit::parallel_for_without_blas) write chunks of
// at most 8 MB at their offsets side by side; the file is the same for every count.
void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces,
                           std::size_t threads = 1);

class temporary_directory {
public:
    explicit temporary_directory(const std::string& target);
    ~temporary_directory();
    temporary_directory(const temporary_directory&) = delete;
    temporary_directory& operator=(const temporary_directory&) = delete;

    // The folder to fill (in target's parent, so the rename never crosses file systems).
    const std::string& path() const { return path_; }
    // Renames the folder onto target; throws knit::io_error (and keeps the folder, which the
    // destructor then removes) when target is a file or a non-empty folder.
    void commit();

private:
    std::string target_, path_;
    int slot_ = -1;
    bool committed_ = false;
};

// Removes every temporary file and folder of the writes in flight. Async-signal-safe.
void remove_temporaries() noexcept;
// Installs handlers for SIGINT, SIGTERM, SIGHUP and SIGQUIT that call remove_temporaries()
// and then re-raise the signal with its default action.
void install_temporary_cleanup();

// True when both paths name the same existing file (same device and inode, following
// symbolic links): hard links and symbolic links to one file count as the same.
bool same_file(const std::string& a, const std::string& b);

}  // namespace knit
