#ifndef IDEMTOP_CSQLITE_SHIM_H
#define IDEMTOP_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <string.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer; Swift cannot import it.
static inline sqlite3_destructor_type idem_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// `idem_tally(kind, outcome, at, tenant, token, expires_at, locked_until, response_status, saw_status, saw_version,
/// result_status)`: the aggregate `SQLiteSummary` counts `idem_events` with, one step a row. It judges each row as
/// the reader does (IdemStore/SQLiteEventRow.swift, `decode`; keep the two in step, SQLiteSummaryTests damages a
/// row each way) and counts it as the fold does (outcomes on requests only). Its result is a blob of
/// IDEM_TALLY_FIELDS native int64s: rows, the five kinds, the five outcomes, the newest `at`, rows malformed, and
/// 1 when the newest `at` is of a row (0 when no row was well formed).
/// In C because one step here costs less than each of the thirty built-in aggregates it replaces.
enum { IDEM_TALLY_FIELDS = 14 };

typedef struct {
    sqlite3_int64 field[IDEM_TALLY_FIELDS];  // at most 16 (idem_counters_final)
} idem_tally_state;

/// The index of the value's text (as `sqlite3_value_text` gives it) among `names`; -1 when none, -2 when NULL.
static inline int idem_tally_find(sqlite3_value *v, const char *const *names, int count) {
    if (sqlite3_value_type(v) == SQLITE_NULL) return -2;
    const unsigned char *text = sqlite3_value_text(v);
    int bytes = sqlite3_value_bytes(v);
    if (!text) return -1;
    for (int i = 0; i < count; i++) {
        if ((int)strlen(names[i]) == bytes && memcmp(names[i], text, (size_t)bytes) == 0) return i;
    }
    return -1;
}

/// NULL or an integer (`optionalInt`); with `small`, of magnitude at most INT32_MAX too (`optionalSmallInt`).
static inline int idem_tally_int_ok(sqlite3_value *v, int small) {
    int type = sqlite3_value_type(v);
    if (type == SQLITE_NULL) return 1;
    if (type != SQLITE_INTEGER) return 0;
    if (!small) return 1;
    sqlite3_int64 x = sqlite3_value_int64(v);
    return x >= -2147483647LL && x <= 2147483647LL;
}

static inline void idem_tally_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    static const char *const kinds[] = {"request", "completed", "failed", "purge", "replay"};
    static const char *const outcomes[] = {"executed", "replayed", "mismatch", "conflict", "reexecuted"};
    static const char *const statuses[] = {"in_progress", "stuck", "completed", "failed", "expired", "purged"};
    idem_tally_state *s = sqlite3_aggregate_context(ctx, (int)sizeof(idem_tally_state));
    if (!s) { sqlite3_result_error_nomem(ctx); return; }
    if (argc != 11) { sqlite3_result_error(ctx, "idem_tally takes 11 arguments", -1); return; }
    s->field[0] += 1;
    // at: an integer, never NULL; kind: known; tenant and token: not NULL.
    int ok = sqlite3_value_type(argv[2]) == SQLITE_INTEGER
        && sqlite3_value_type(argv[3]) != SQLITE_NULL && sqlite3_value_type(argv[4]) != SQLITE_NULL;
    int kind = idem_tally_find(argv[0], kinds, 5);
    int outcome = idem_tally_find(argv[1], outcomes, 5);
    // An outcome, when there is one, is known; a request has one.
    ok = ok && kind >= 0 && outcome != -1 && !(kind == 0 && outcome == -2);
    ok = ok && idem_tally_int_ok(argv[5], 0) && idem_tally_int_ok(argv[6], 0) && idem_tally_int_ok(argv[7], 1)
        && idem_tally_int_ok(argv[9], 1) && idem_tally_int_ok(argv[10], 1);
    ok = ok && idem_tally_find(argv[8], statuses, 6) != -1;
    if (!ok) { s->field[12] += 1; return; }
    s->field[1 + kind] += 1;
    if (kind == 0) s->field[6 + outcome] += 1;
    sqlite3_int64 at = sqlite3_value_int64(argv[2]);
    if (!s->field[13] || at > s->field[11]) s->field[11] = at;
    s->field[13] = 1;
}

/// The result of an aggregate whose state is `bytes` of int64 counters: the counters as a blob, zeros when no row
/// was stepped (SQLite then never made the state).
static inline void idem_counters_final(sqlite3_context *ctx, int bytes) {
    sqlite3_int64 empty[16];
    void *s = sqlite3_aggregate_context(ctx, 0);
    if (!s) {
        memset(empty, 0, sizeof empty);
        s = empty;
    }
    sqlite3_result_blob(ctx, s, bytes, SQLITE_TRANSIENT);
}

static inline void idem_tally_final(sqlite3_context *ctx) {
    idem_counters_final(ctx, (int)sizeof(idem_tally_state));
}

/// Makes `idem_tally` callable on `db` (its statements only: not from a schema, trigger or view).
static inline int idem_register_tally(sqlite3 *db) {
    return sqlite3_create_function_v2(db, "idem_tally", 11, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                      0, 0, idem_tally_step, idem_tally_final, 0);
}
/// `idem_statuses(status, expires_at, created_at, locked_until, now, retention, lock_timeout)`: tokens by derived
/// status at `now`, counted over `idem_tokens` as `SQLiteSummary.statusSQL` states it (purged, then expired at
/// `coalesce(expires_at, created_at + retention)`, then an in-progress token stuck at `coalesce(locked_until,
/// created_at + lock_timeout)`, else the stored status), in one step a row instead of a sort of every row.
/// Its result is a blob of IDEM_STATUSES_FIELDS native int64s: in_progress, stuck, completed, failed, expired,
/// purged (`TokenStatus`'s order here), then rows it could not judge: an unknown status, or a time that is neither
/// NULL nor an integer (the caller then leaves the summary to the fold, which says what is wrong).
enum { IDEM_STATUSES_FIELDS = 7 };

typedef struct {
    sqlite3_int64 field[IDEM_STATUSES_FIELDS];
} idem_statuses_state;

/// `coalesce(a, b + offset) <= now` for integer-or-NULL `a` and `b`: 1 past the deadline, 0 not, -1 not an integer.
static inline int idem_statuses_past(sqlite3_value *a, sqlite3_value *b, sqlite3_int64 offset, sqlite3_int64 now) {
    int ta = sqlite3_value_type(a);
    if (ta == SQLITE_INTEGER) return now >= sqlite3_value_int64(a);
    if (ta != SQLITE_NULL) return -1;
    int tb = sqlite3_value_type(b);
    if (tb == SQLITE_NULL) return 0;  // NULL + offset is NULL: never past
    if (tb != SQLITE_INTEGER) return -1;
    sqlite3_int64 deadline;
    if (__builtin_add_overflow(sqlite3_value_int64(b), offset, &deadline)) return -1;  // SQL would make it a REAL
    return now >= deadline;
}

static inline void idem_statuses_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    static const char *const stored[] = {"in_progress", "completed", "failed", "purged"};
    idem_statuses_state *s = sqlite3_aggregate_context(ctx, (int)sizeof(idem_statuses_state));
    if (!s) { sqlite3_result_error_nomem(ctx); return; }
    if (argc != 7) { sqlite3_result_error(ctx, "idem_statuses takes 7 arguments", -1); return; }
    sqlite3_int64 now = sqlite3_value_int64(argv[4]);
    int status = idem_tally_find(argv[0], stored, 4);
    if (status < 0) { s->field[6] += 1; return; }
    if (status == 3) { s->field[5] += 1; return; }
    int expired = idem_statuses_past(argv[1], argv[2], sqlite3_value_int64(argv[5]), now);
    if (expired < 0) { s->field[6] += 1; return; }
    if (expired) { s->field[4] += 1; return; }
    if (status == 0) {
        int stuck = idem_statuses_past(argv[3], argv[2], sqlite3_value_int64(argv[6]), now);
        if (stuck < 0) { s->field[6] += 1; return; }
        s->field[stuck ? 1 : 0] += 1;
        return;
    }
    s->field[status == 1 ? 2 : 3] += 1;
}

static inline void idem_statuses_final(sqlite3_context *ctx) {
    idem_counters_final(ctx, (int)sizeof(idem_statuses_state));
}

/// Makes `idem_statuses` callable on `db`, as `idem_register_tally` does for `idem_tally`.
static inline int idem_register_statuses(sqlite3 *db) {
    return sqlite3_create_function_v2(db, "idem_statuses", 7, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                      0, 0, idem_statuses_step, idem_statuses_final, 0);
}
#endif
