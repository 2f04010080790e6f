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
    sqlite3_int64 field[IDEM_TALLY_FIELDS];
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

static inline void idem_tally_final(sqlite3_context *ctx) {
    idem_tally_state *s = sqlite3_aggregate_context(ctx, 0);
    idem_tally_state empty;
    if (!s) { memset(&empty, 0, sizeof empty); s = &empty; }
    sqlite3_result_blob(ctx, s->field, (int)sizeof s->field, SQLITE_TRANSIENT);
}

/// Makes `idem_tally` callable on `db` (its statements only: not from a schema, trigger or view).
static inline int idem_register_tally(sqlite3 *db) {
    return sqlite3_create_function_v2(db, "idem_tally", 11, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                      0, 0, idem_tally_step, idem_tally_final, 0);
}
#endif
