#ifndef IDEMTOP_CBYTESCAN_SHIM_H
#define IDEMTOP_CBYTESCAN_SHIM_H
// Byte scans the journal decoder runs on every string, sixteen bytes a step. In C because Swift's SIMD types do
// not give a byte mask (`movemask`) and generic SIMD code was 30x slower than the eight-byte SWAR loop it replaces;
// SSE2 is part of every x86-64 CPU. Other CPUs get the byte loop.
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The position of the first byte in `p[i..<n]` that ends a JSON string's plain run: a quote, a backslash or a
/// control character (below 0x20); `n` when there is none.
static inline ptrdiff_t idem_string_stop(const uint8_t *p, ptrdiff_t i, ptrdiff_t n) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1f);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        // v <= 0x1f (unsigned) exactly when max(v, 0x1f) == 0x1f.
        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
        int mask = _mm_movemask_epi8(stop);
        if (mask) return i + __builtin_ctz((unsigned)mask);
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

/// Asks for the cache line at `p` ahead of its use (the fold's record index, a lookup a few events ahead).
static inline void idem_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
