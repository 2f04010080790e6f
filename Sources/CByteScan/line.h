#ifndef IDEMTOP_CBYTESCAN_LINE_H
#define IDEMTOP_CBYTESCAN_LINE_H
// The bulk read's fast path over one journal line: the JSON grammar checked and the top-level keys' values located
// in one pass of C, for the common shape of a line. Whatever it does not take (a syntax error, a duplicated or
// escaped key, a value of an unexpected type, nesting deeper than 64) it leaves to the Swift parser
// (`EventLineDecoder.fields`), which reads the line again and is the reference for every rule and message: so
// this code may refuse more than the grammar does, never accept more.
#include "shim.h"
#include <string.h>

/// The top-level keys, numbered as `JournalField`'s raw values.
enum {
    IDEM_F_V, IDEM_F_KIND, IDEM_F_AT, IDEM_F_TENANT, IDEM_F_TOKEN, IDEM_F_OPERATION, IDEM_F_FINGERPRINT,
    IDEM_F_STORED_FINGERPRINT, IDEM_F_OUTCOME, IDEM_F_EXPIRES_AT, IDEM_F_LOCKED_UNTIL, IDEM_F_REQUEST,
    IDEM_F_RESPONSE, IDEM_F_ERROR, IDEM_F_ACTOR, IDEM_F_REASON, IDEM_F_SAW_STATUS, IDEM_F_SAW_VERSION,
    IDEM_F_TARGET, IDEM_F_RESULT_STATUS, IDEM_F_UNKNOWN, IDEM_F_COUNT
};

/// What a key held: absent, a string (its bytes between the quotes at `start..<end`; escaped when it holds an
/// escape), null, or a plain integer (at most 18 digits, no fraction or exponent; its value in `number`).
enum { IDEM_T_ABSENT = 0, IDEM_T_STRING = 1, IDEM_T_ESCAPED = 2, IDEM_T_NULL = 3, IDEM_T_INTEGER = 4 };

typedef struct {
    int32_t start[IDEM_F_COUNT];
    int32_t end[IDEM_F_COUNT];
    uint8_t tag[IDEM_F_COUNT];
    /// `response.status`: its tag (absent when there is no response object or it has no status) and value.
    uint8_t status_tag;
    int64_t status;
    int64_t number[IDEM_F_COUNT];
} idem_line_fields;

#define IDEM_WS(c) ((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')

__attribute__((always_inline)) static inline ptrdiff_t idem_skip_ws(const uint8_t *p, ptrdiff_t i, ptrdiff_t n) {
    // Lines seldom hold white space between tokens: one compare says a byte above the space is none.
    if (__builtin_expect(i < n && p[i] > ' ', 1)) return i;
    while (i < n && IDEM_WS(p[i])) i++;
    return i;
}

/// The end of the JSON number at `p[i]`, or -1. `*plain` is set when it is an integer of at most 18 digits,
/// its value in `*value`.
static inline ptrdiff_t idem_number_end(const uint8_t *p, ptrdiff_t i, ptrdiff_t n, int *plain, int64_t *value) {
    int negative = 0;
    if (i < n && p[i] == '-') { negative = 1; i++; }
    if (i >= n || p[i] < '0' || p[i] > '9') return -1;
    ptrdiff_t digits = i;
    int64_t v = 0;
    if (p[i] == '0') {
        i++;
    } else {
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (i - digits < 18) v = v * 10 + (p[i] - '0');
            i++;
        }
    }
    int isPlain = i - digits <= 18;
    if (i < n && p[i] == '.') {
        isPlain = 0;
        i++;
        if (i >= n || p[i] < '0' || p[i] > '9') return -1;
        while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        isPlain = 0;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= n || p[i] < '0' || p[i] > '9') return -1;
        while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    }
    *plain = isPlain;
    *value = negative ? -v : v;
    return i;
}

static inline int idem_literal(const uint8_t *p, ptrdiff_t i, ptrdiff_t n, const char *word, ptrdiff_t len) {
    return i + len <= n && memcmp(p + i, word, (size_t)len) == 0;
}

/// Skips an object member's name at `p[i]` (white space before it skipped) and the `:` after it: the position after
/// the `:`, or -1 when there is none.
__attribute__((always_inline)) static inline ptrdiff_t idem_skip_name(const uint8_t *p, ptrdiff_t i, ptrdiff_t n) {
    int escaped = 0;
    i = idem_skip_ws(p, i, n);
    if (i >= n || p[i] != '"') return -1;
    i = idem_string_end(p, i + 1, n, &escaped);
    if (i < 0) return -1;
    i = idem_skip_ws(p, i, n);
    if (i >= n || p[i] != ':') return -1;
    return i + 1;
}

/// The end of the JSON value at `p[i]` (white space before it skipped), nested containers included; -1 when it is
/// not one, or nests deeper than 64.
static inline ptrdiff_t idem_value_end(const uint8_t *p, ptrdiff_t i, ptrdiff_t n) {
    uint64_t objects = 0; // bit d: whether the container open at depth d is an object
    int depth = 0;
    for (;;) {
        // A value starts here.
        i = idem_skip_ws(p, i, n);
        if (i >= n) return -1;
        uint8_t c = p[i];
        if (c == '{' || c == '[') {
            int object = c == '{';
            i = idem_skip_ws(p, i + 1, n);
            if (i >= n) return -1;
            if (p[i] == (object ? '}' : ']')) {
                i++;
            } else {
                if (depth == 64) return -1;
                if (object) objects |= (uint64_t)1 << depth; else objects &= ~((uint64_t)1 << depth);
                depth++;
                if (object) {
                    i = idem_skip_name(p, i, n);
                    if (i < 0) return -1;
                }
                continue;
            }
        } else if (c == '"') {
            int escaped = 0;
            i = idem_string_end(p, i + 1, n, &escaped);
            if (i < 0) return -1;
        } else if (c == 't') {
            if (!idem_literal(p, i, n, "true", 4)) return -1;
            i += 4;
        } else if (c == 'f') {
            if (!idem_literal(p, i, n, "false", 5)) return -1;
            i += 5;
        } else if (c == 'n') {
            if (!idem_literal(p, i, n, "null", 4)) return -1;
            i += 4;
        } else {
            int plain;
            int64_t v;
            i = idem_number_end(p, i, n, &plain, &v);
            if (i < 0) return -1;
        }
        // A value ended: close the containers it ends, or go on to the next member or element.
        for (;;) {
            if (depth == 0) return i;
            int object = (int)((objects >> (depth - 1)) & 1);
            i = idem_skip_ws(p, i, n);
            if (i >= n) return -1;
            if (p[i] == (object ? '}' : ']')) {
                i++;
                depth--;
                continue;
            }
            if (p[i] != ',') return -1;
            i++;
            if (object) {
                i = idem_skip_name(p, i, n);
                if (i < 0) return -1;
            }
            break;
        }
    }
}

/// The key whose bytes are `k[0..<len]`, as `JournalField.match` names it.
static inline int idem_field(const uint8_t *k, ptrdiff_t len) {
#define IDEM_EQ(s) (len == (ptrdiff_t)sizeof(s) - 1 && memcmp(k, s, sizeof(s) - 1) == 0)
    switch (len) {
    case 1: return k[0] == 'v' ? IDEM_F_V : IDEM_F_UNKNOWN;
    case 2: return IDEM_EQ("at") ? IDEM_F_AT : IDEM_F_UNKNOWN;
    case 4: return IDEM_EQ("kind") ? IDEM_F_KIND : IDEM_F_UNKNOWN;
    case 5: return IDEM_EQ("token") ? IDEM_F_TOKEN : IDEM_EQ("error") ? IDEM_F_ERROR
        : IDEM_EQ("actor") ? IDEM_F_ACTOR : IDEM_F_UNKNOWN;
    case 6: return IDEM_EQ("tenant") ? IDEM_F_TENANT : IDEM_EQ("reason") ? IDEM_F_REASON
        : IDEM_EQ("target") ? IDEM_F_TARGET : IDEM_F_UNKNOWN;
    case 7: return IDEM_EQ("outcome") ? IDEM_F_OUTCOME : IDEM_EQ("request") ? IDEM_F_REQUEST : IDEM_F_UNKNOWN;
    case 8: return IDEM_EQ("response") ? IDEM_F_RESPONSE : IDEM_F_UNKNOWN;
    case 9: return IDEM_EQ("operation") ? IDEM_F_OPERATION : IDEM_F_UNKNOWN;
    case 10: return IDEM_EQ("expires_at") ? IDEM_F_EXPIRES_AT : IDEM_EQ("saw_status") ? IDEM_F_SAW_STATUS
        : IDEM_F_UNKNOWN;
    case 11: return IDEM_EQ("fingerprint") ? IDEM_F_FINGERPRINT : IDEM_EQ("saw_version") ? IDEM_F_SAW_VERSION
        : IDEM_F_UNKNOWN;
    case 12: return IDEM_EQ("locked_until") ? IDEM_F_LOCKED_UNTIL : IDEM_F_UNKNOWN;
    case 13: return IDEM_EQ("result_status") ? IDEM_F_RESULT_STATUS : IDEM_F_UNKNOWN;
    case 18: return IDEM_EQ("stored_fingerprint") ? IDEM_F_STORED_FINGERPRINT : IDEM_F_UNKNOWN;
    default: return IDEM_F_UNKNOWN;
    }
#undef IDEM_EQ
}

/// A top-level key as written, quotes and colon included, in the first `len` bytes of a 16-byte pattern; len 0
/// for a key never guessed (the rare ones, one longer than 15 bytes, `unknown`).
typedef struct { char text[16]; uint8_t len; } idem_key_pattern;

static const idem_key_pattern idem_key_patterns[IDEM_F_COUNT] = {
    [IDEM_F_V] = {"\"v\":", 4}, [IDEM_F_KIND] = {"\"kind\":", 7}, [IDEM_F_AT] = {"\"at\":", 5},
    [IDEM_F_TENANT] = {"\"tenant\":", 9}, [IDEM_F_TOKEN] = {"\"token\":", 8},
    [IDEM_F_OPERATION] = {"\"operation\":", 12}, [IDEM_F_FINGERPRINT] = {"\"fingerprint\":", 14},
    [IDEM_F_OUTCOME] = {"\"outcome\":", 10}, [IDEM_F_EXPIRES_AT] = {"\"expires_at\":", 13},
    [IDEM_F_LOCKED_UNTIL] = {"\"locked_until\":", 15}, [IDEM_F_REQUEST] = {"\"request\":", 10},
    [IDEM_F_RESPONSE] = {"\"response\":", 11}, [IDEM_F_ERROR] = {"\"error\":", 8},
};

/// The key that most often follows each one in the lines `EventLineEncoder` writes (a request's, then a
/// completion's order); a guess, checked against the bytes (those not listed guess `v`, which rarely follows).
static const uint8_t idem_next_key[IDEM_F_COUNT + 1] = {
    [IDEM_F_V] = IDEM_F_KIND, [IDEM_F_KIND] = IDEM_F_AT, [IDEM_F_AT] = IDEM_F_TENANT, [IDEM_F_TENANT] = IDEM_F_TOKEN,
    [IDEM_F_TOKEN] = IDEM_F_OPERATION, [IDEM_F_OPERATION] = IDEM_F_FINGERPRINT,
    [IDEM_F_FINGERPRINT] = IDEM_F_OUTCOME, [IDEM_F_OUTCOME] = IDEM_F_EXPIRES_AT,
    [IDEM_F_EXPIRES_AT] = IDEM_F_LOCKED_UNTIL, [IDEM_F_LOCKED_UNTIL] = IDEM_F_REQUEST,
    [IDEM_F_STORED_FINGERPRINT] = IDEM_F_EXPIRES_AT, [IDEM_F_REQUEST] = IDEM_F_UNKNOWN,
    [IDEM_F_RESPONSE] = IDEM_F_UNKNOWN, [IDEM_F_UNKNOWN] = IDEM_F_UNKNOWN, [IDEM_F_COUNT] = IDEM_F_V,
};

/// Whether the bytes at `p[i]` are the pattern of key `k`: one 16-byte compare.
__attribute__((always_inline)) static inline int idem_key_is(const uint8_t *p, ptrdiff_t i, ptrdiff_t n, int k) {
    unsigned len = idem_key_patterns[k].len;
    if (len == 0 || i + 16 > n) return 0;
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
    __m128i pattern = _mm_loadu_si128((const __m128i *)idem_key_patterns[k].text);
    unsigned same = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, pattern));
    unsigned want = (1u << len) - 1;
    return (same & want) == want;
#else
    return memcmp(p + i, idem_key_patterns[k].text, len) == 0;
#endif
}

/// Reads an object's member name at `p[i]` (white space before it skipped) and the `:` after it: the position
/// after the `:`, the name's bytes at `*start..<*end`; -1 when it is not a plain (unescaped) name.
__attribute__((always_inline)) static inline ptrdiff_t idem_member_name(const uint8_t *p, ptrdiff_t i, ptrdiff_t n,
                                                                        ptrdiff_t *start, ptrdiff_t *end) {
    i = idem_skip_ws(p, i, n);
    if (i >= n || p[i] != '"') return -1;
    int escaped = 0;
    ptrdiff_t after = idem_string_end(p, i + 1, n, &escaped);
    if (after < 0 || escaped) return -1;
    *start = i + 1;
    *end = after - 1;
    i = idem_skip_ws(p, after, n);
    if (i >= n || p[i] != ':') return -1;
    return idem_skip_ws(p, i + 1, n);
}

/// Of the response object at `p[i]` (its `{`), the position after it, `status` read into `f`; -1 to leave the
/// line to the Swift parser.
static inline ptrdiff_t idem_response_end(const uint8_t *p, ptrdiff_t i, ptrdiff_t n, idem_line_fields *f) {
    i = idem_skip_ws(p, i + 1, n);
    if (i < n && p[i] == '}') return i + 1;
    for (;;) {
        ptrdiff_t ks, ke;
        i = idem_member_name(p, i, n, &ks, &ke);
        if (i < 0 || i >= n) return -1;
        if (ke - ks == 6 && memcmp(p + ks, "status", 6) == 0) {
            if (f->status_tag != IDEM_T_ABSENT) return -1;
            if (p[i] == 'n') {
                if (!idem_literal(p, i, n, "null", 4)) return -1;
                f->status_tag = IDEM_T_NULL;
                i += 4;
            } else {
                int plain;
                if (p[i] != '-' && (p[i] < '0' || p[i] > '9')) return -1;
                i = idem_number_end(p, i, n, &plain, &f->status);
                if (i < 0 || !plain) return -1;
                f->status_tag = IDEM_T_INTEGER;
            }
        } else {
            i = idem_value_end(p, i, n);
            if (i < 0) return -1;
        }
        i = idem_skip_ws(p, i, n);
        if (i >= n) return -1;
        if (p[i] == '}') return i + 1;
        if (p[i] != ',') return -1;
        i++;
    }
}

/// Checks one line (without its `\n`) as a JSON object and locates its top-level keys' values in `f`: 1 when it
/// did, 0 when the line is left to the Swift parser (see the top of this file). The bodies (`request`, and of
/// `response` all but `status`) are checked and skipped. Keys that hold strings must hold a string or null, the
/// counts a plain integer or null.
static inline int idem_line_fields_scan(const uint8_t *p, ptrdiff_t n, idem_line_fields *f) {
    memset(f->tag, 0, sizeof f->tag);
    f->status_tag = IDEM_T_ABSENT;
    if (n > INT32_MAX) return 0;
    ptrdiff_t i = idem_skip_ws(p, 0, n);
    if (i >= n || p[i] != '{') return 0;
    i = idem_skip_ws(p, i + 1, n);
    if (i < n && p[i] == '}') {
        i++;
    } else {
        int k = IDEM_F_COUNT; // the key before the first
        for (;;) {
            // The key the writer puts next, compared whole; any other read and named.
            int guess = idem_next_key[k];
            i = idem_skip_ws(p, i, n);
            if (idem_key_is(p, i, n, guess)) {
                k = guess;
                i = idem_skip_ws(p, i + idem_key_patterns[guess].len, n);
            } else {
                ptrdiff_t ks, ke;
                i = idem_member_name(p, i, n, &ks, &ke);
                if (i < 0) return 0;
                k = idem_field(p + ks, ke - ks);
            }
            if (i >= n) return 0;
            if (k != IDEM_F_UNKNOWN && k != IDEM_F_V) {
                if (f->tag[k] != IDEM_T_ABSENT) return 0;
            }
            uint8_t c = p[i];
            switch (k) {
            case IDEM_F_V: case IDEM_F_UNKNOWN: case IDEM_F_REQUEST:
                // `"v":1,` on every line: one digit and what ends it, without the general value skip.
                if (k == IDEM_F_V && c >= '0' && c <= '9' && i + 1 < n && (p[i + 1] == ',' || p[i + 1] == '}')) {
                    i++;
                    break;
                }
                i = idem_value_end(p, i, n);
                if (i < 0) return 0;
                if (k == IDEM_F_REQUEST) f->tag[k] = IDEM_T_NULL; // present: only its duplicate matters
                break;
            case IDEM_F_RESPONSE:
                if (c == 'n') {
                    if (!idem_literal(p, i, n, "null", 4)) return 0;
                    i += 4;
                } else {
                    if (c != '{') return 0;
                    i = idem_response_end(p, i, n, f);
                    if (i < 0) return 0;
                }
                f->tag[k] = IDEM_T_NULL;
                break;
            case IDEM_F_SAW_VERSION: case IDEM_F_RESULT_STATUS:
                if (c == 'n') {
                    if (!idem_literal(p, i, n, "null", 4)) return 0;
                    f->tag[k] = IDEM_T_NULL;
                    i += 4;
                } else {
                    int plain;
                    if (c != '-' && (c < '0' || c > '9')) return 0;
                    i = idem_number_end(p, i, n, &plain, &f->number[k]);
                    if (i < 0 || !plain) return 0;
                    f->tag[k] = IDEM_T_INTEGER;
                }
                break;
            default:
                if (c == 'n') {
                    if (!idem_literal(p, i, n, "null", 4)) return 0;
                    f->tag[k] = IDEM_T_NULL;
                    i += 4;
                } else {
                    if (c != '"') return 0;
                    int escaped = 0;
                    ptrdiff_t after = idem_string_end(p, i + 1, n, &escaped);
                    if (after < 0) return 0;
                    f->start[k] = (int32_t)(i + 1);
                    f->end[k] = (int32_t)(after - 1);
                    f->tag[k] = escaped ? IDEM_T_ESCAPED : IDEM_T_STRING;
                    i = after;
                }
            }
            i = idem_skip_ws(p, i, n);
            if (i >= n) return 0;
            if (p[i] == '}') { i++; break; }
            if (p[i] != ',') return 0;
            i++;
        }
    }
    i = idem_skip_ws(p, i, n);
    return i == n;
}

/// The fields' parts, for Swift (which sees the arrays as tuples, and copies the whole struct to read one part
/// through `pointee`).
static inline int idem_lf_tag(const idem_line_fields *f, int k) { return f->tag[k]; }
static inline int32_t idem_lf_start(const idem_line_fields *f, int k) { return f->start[k]; }
static inline int32_t idem_lf_end(const idem_line_fields *f, int k) { return f->end[k]; }
static inline int64_t idem_lf_number(const idem_line_fields *f, int k) { return f->number[k]; }
static inline int idem_lf_status_tag(const idem_line_fields *f) { return f->status_tag; }
static inline int64_t idem_lf_status(const idem_line_fields *f) { return f->status; }

#endif
