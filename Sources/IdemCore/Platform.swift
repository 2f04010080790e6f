// idemtop builds on Linux (Glibc: mallopt, posix_fadvise, O_DIRECT-free pread; ncursesw and SQLite from Debian's
// -dev packages). Say so at once on another system instead of failing deep in a C header.
#if !os(Linux)
#error("idemtop builds on Linux only (Debian 12 or similar, with libncurses-dev and libsqlite3-dev)")
#endif
