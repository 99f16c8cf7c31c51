#include <sqlite3.h>
#include "nk_sqlite_settings.h"

/* SQLite's process-wide settings, which `sqlite3_config` accepts only before
   SQLite is initialised (afterwards it answers SQLITE_MISUSE and changes
   nothing). A constructor makes them when the program is loaded, before
   main, before any thread and any connection, whatever opens SQLite first
   (the store, GRDB in a test).

   Memory statistics off: with them on (SQLite's default), every allocation
   SQLite makes takes a process-wide mutex and updates counters that nkwatch
   never reads (sqlite3_memory_used, sqlite3_soft_heap_limit64; GRDB reads
   none of them either). That was 10 % of the instructions of the ingest's
   writer, the one thread every file's rows go through (callgrind, the
   sample's 3 449 files: 578 M -> 520 M). SQLite's own advice for speed
   (compile-time SQLITE_DEFAULT_MEMSTATUS=0); Debian's library is built with
   the default. */

static int result = -1;

__attribute__((constructor))
static void nk_sqlite_settings(void) {
    result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int nk_sqlite_settings_result(void) {
    return result;
}
