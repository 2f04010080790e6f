#ifndef IDEMTOP_CBYTESCAN_SHIM_H
#define IDEMTOP_CBYTESCAN_SHIM_H
// Byte scans the journal decoder runs on every string, sixteen bytes a step. In C because Swift's SIMD types do
// not give a byte mask (`movemask`) and generic SIMD code was 30x slower than the eight-byte SWAR loop it replaces;
// SSE2 is part of every x86-64 CPU. Other CPUs get the byte loop.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__SSE2__)
/// A bit for each of the 16 bytes at `p` that is a quote, a backslash or a control character (below 0x20).
__attribute__((always_inline)) static inline unsigned idem_stops16(const uint8_t *p) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1f);
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
    // v <= 0x1f (unsigned) exactly when max(v, 0x1f) == 0x1f.
    stop = _mm_or_si128(stop, _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
    return (unsigned)_mm_movemask_epi8(stop);
}
#endif

/// The position of the first byte in `p[i..<n]` that ends a JSON string's plain run: a quote, a backslash or a
/// control character (below 0x20); `n` when there is none.
static inline ptrdiff_t idem_string_stop(const uint8_t *p, ptrdiff_t i, ptrdiff_t n) {
#if defined(__SSE2__)
    while (i + 16 <= n) {
        unsigned mask = idem_stops16(p + i);
        if (mask) return i + __builtin_ctz(mask);
        i += 16;
    }
#endif
    while (i < n) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
        i++;
    }
    return n;
}

static inline int idem_is_hex(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Checks the escape whose backslash is `p[j]` and returns the position after it, or -1 when it is not one JSON
/// allows (or the line ends inside it).
__attribute__((always_inline)) static inline ptrdiff_t idem_escape_end(const uint8_t *p, ptrdiff_t j, ptrdiff_t n) {
    if (j + 1 >= n) return -1;
    switch (p[j + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return j + 2;
    case 'u':
        if (j + 6 > n || !idem_is_hex(p[j + 2]) || !idem_is_hex(p[j + 3]) || !idem_is_hex(p[j + 4])
            || !idem_is_hex(p[j + 5])) return -1;
        return j + 6;
    default: return -1;
    }
}

/// The end of the JSON string whose contents start at `p[i]`: the position after its closing quote, with
/// `*escaped` set when it holds an escape; -1 when it is not a valid string there (no closing quote, a bad escape,
/// a control character), for the caller to read again for the reason. One pass, sixteen bytes a step: within a
/// step every quote, backslash and control byte is taken from the step's masks in turn, so a string dense with
/// escapes (a JSON body held as a string) is not scanned again from each escape.
__attribute__((always_inline)) static inline ptrdiff_t idem_string_end(const uint8_t *p, ptrdiff_t i, ptrdiff_t n, int *escaped) {
#if defined(__SSE2__)
    while (i + 16 <= n) {
        unsigned mask = idem_stops16(p + i);
        if (!mask) {
            i += 16;
            continue;
        }
        ptrdiff_t first = i + __builtin_ctz(mask);
        if (p[first] == '"') return first + 1;
        if (p[first] < 0x20) return -1;
        // The step holds an escape: all of its escapes from its masks at once when they are simple: no backslash
        // beside another (`\\`) and none in the last byte (its escape would end in the next step), so each
        // backslash escapes the byte after it and a quote after a backslash is escaped. The string ends at the first
        // quote not escaped or control byte; the escapes before it must be of one byte that JSON allows (`\"` nearly
        // always, in a body held as a string). Anything else (a `\u`, a double backslash, a bad escape) takes the
        // loop below, a stop at a time.
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned slashes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        if ((slashes & (slashes >> 1)) == 0 && (slashes & 0x8000) == 0) {
            unsigned quotes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
            unsigned stops = (quotes & ~(slashes << 1)) | (mask & ~quotes & ~slashes);
            unsigned before = stops ? (1u << __builtin_ctz(stops)) - 1 : 0xffff;
            unsigned escapes = (slashes & before) << 1;
            int simple = (escapes & ~quotes) == 0;
            if (!simple) {
                __m128i ok = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), _mm_cmpeq_epi8(v, _mm_set1_epi8('b')));
                ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('f')), _mm_cmpeq_epi8(v, _mm_set1_epi8('n'))));
                ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('t'))));
                simple = (escapes & ~(quotes | (unsigned)_mm_movemask_epi8(ok))) == 0;
            }
            if (simple) {
                *escaped = 1;
                if (stops) {
                    ptrdiff_t j = i + __builtin_ctz(stops);
                    return p[j] == '"' ? j + 1 : -1;
                }
                i += 16;
                continue;
            }
        }
        ptrdiff_t next = i + 16;
        while (mask) {
            ptrdiff_t j = i + __builtin_ctz(mask);
            uint8_t c = p[j];
            if (c == '"') return j + 1;
            if (c < 0x20) return -1;
            *escaped = 1;
            ptrdiff_t after = idem_escape_end(p, j, n);
            if (after < 0) return -1;
            if (after >= i + 16) { next = after; break; }
            mask &= ~0u << (after - i);
        }
        i = next;
    }
#endif
    while (i < n) {
        uint8_t c = p[i];
        if (c == '"') return i + 1;
        if (c < 0x20) return -1;
        if (c == '\\') {
            *escaped = 1;
            i = idem_escape_end(p, i, n);
            if (i < 0) return -1;
        } else {
            i++;
        }
    }
    return -1;
}

/// Packs a SHA-256 digest written as 64 lower-case hex digits at `p` into four words, each the big-endian value of
/// eight of its bytes (`out[0]` the first): 1 when every byte is a digit or `a`-`f`, else 0 (upper case or not hex:
/// the caller keeps the text).
static inline int idem_sha256_hex(const uint8_t *p, uint64_t out[4]) {
#if defined(__SSE2__)
    uint8_t bytes[32];
    const __m128i below0 = _mm_set1_epi8('0' - 1), above9 = _mm_set1_epi8('9' + 1);
    const __m128i belowA = _mm_set1_epi8('a' - 1), aboveF = _mm_set1_epi8('f' + 1);
    const __m128i low = _mm_set1_epi16(0x00ff);
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        // Signed compares: a byte from 0x80 up is negative, so neither a digit nor a letter.
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, below0), _mm_cmplt_epi8(v, above9));
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(v, belowA), _mm_cmplt_epi8(v, aboveF));
        if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff) return 0;
        __m128i value = _mm_or_si128(_mm_and_si128(digit, _mm_sub_epi8(v, _mm_set1_epi8('0'))),
                                     _mm_and_si128(letter, _mm_sub_epi8(v, _mm_set1_epi8('a' - 10))));
        // Each 16-bit lane holds a digit pair, the first (the high nibble) in its low byte.
        __m128i pairs = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(value, low), 4), _mm_srli_epi16(value, 8));
        uint8_t lanes[16];
        _mm_storeu_si128((__m128i *)lanes, _mm_packus_epi16(pairs, pairs));
        memcpy(bytes + 8 * k, lanes, 8);
    }
    for (int w = 0; w < 4; w++) {
        uint64_t x;
        memcpy(&x, bytes + 8 * w, 8);
        out[w] = __builtin_bswap64(x);
    }
    return 1;
#else
    for (int w = 0; w < 4; w++) {
        uint64_t x = 0;
        for (int j = 0; j < 16; j++) {
            uint8_t c = p[16 * w + j];
            uint64_t d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else return 0;
            x = x << 4 | d;
        }
        out[w] = x;
    }
    return 1;
#endif
}

/// The time of day in milliseconds of an RFC 3339 instant written as the journal's writer writes it, 24 bytes
/// `YYYY-MM-DDThh:mm:ss.fffZ` (`T` or `t`, `Z` or `z`; the date is not read here), checked as
/// `Instant.rfc3339Time` checks it (hour below 24, minute below 60, second below 61); -1 for any other shape,
/// which the Swift parse reads.
static inline int64_t idem_time_of_day_ms(const uint8_t *p) {
    if ((p[10] != 'T' && p[10] != 't' && p[10] != ' ') || p[13] != ':' || p[16] != ':' || p[19] != '.'
        || (p[23] != 'Z' && p[23] != 'z')) return -1;
    unsigned h1 = p[11] - '0', h2 = p[12] - '0', m1 = p[14] - '0', m2 = p[15] - '0', s1 = p[17] - '0',
             s2 = p[18] - '0', f1 = p[20] - '0', f2 = p[21] - '0', f3 = p[22] - '0';
    // Unsigned: a byte below '0' wraps to a large value, so one compare a digit (or-ed, one branch).
    if ((h1 > 9) | (h2 > 9) | (m1 > 9) | (m2 > 9) | (s1 > 9) | (s2 > 9) | (f1 > 9) | (f2 > 9) | (f3 > 9)) return -1;
    unsigned hour = h1 * 10 + h2, minute = m1 * 10 + m2, second = s1 * 10 + s2;
    if (hour >= 24 || minute >= 60 || second >= 61) return -1;
    return ((int64_t)hour * 3600 + minute * 60 + second) * 1000 + f1 * 100 + f2 * 10 + f3;
}

/// Asks for the cache line at `p` ahead of its use (the fold's record index, a lookup a few events ahead).
static inline void idem_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
