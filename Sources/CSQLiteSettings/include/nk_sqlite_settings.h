#ifndef NK_SQLITE_SETTINGS_H
#define NK_SQLITE_SETTINGS_H

/// What `sqlite3_config` answered to nkwatch's process-wide SQLite settings,
/// made when the program is loaded (before any thread can start SQLite):
/// SQLITE_OK (0) when they took effect.
int nk_sqlite_settings_result(void);

#endif
