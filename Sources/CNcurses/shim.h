#ifndef IDEMTOP_CNCURSES_SHIM_H
#define IDEMTOP_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <ncursesw/curses.h>

/* Macros and globals Swift cannot import, as functions. */
static inline attr_t idem_a_normal(void) { return A_NORMAL; }
static inline attr_t idem_a_bold(void) { return A_BOLD; }
static inline attr_t idem_a_underline(void) { return A_UNDERLINE; }
static inline attr_t idem_a_reverse(void) { return A_REVERSE; }
static inline attr_t idem_a_dim(void) { return A_DIM; }

static inline WINDOW *idem_stdscr(void) { return stdscr; }
static inline FILE *idem_stdout(void) { return stdout; }
static inline FILE *idem_stdin(void) { return stdin; }

static inline int idem_colors(void) { return COLORS; }
static inline int idem_color_pairs(void) { return COLOR_PAIRS; }

/* Sets the attributes and colour pair for the text written next. */
static inline int idem_set_style(WINDOW *w, attr_t attrs, short pair) { return wattr_set(w, attrs, pair, NULL); }

/* Mouse: clicks and the wheel only. */
static inline mmask_t idem_mouse_mask(void) {
    return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int idem_mouse_is_click(mmask_t b) { return (b & (BUTTON1_CLICKED | BUTTON1_PRESSED)) != 0; }
static inline int idem_mouse_is_wheel_up(mmask_t b) { return (b & BUTTON4_PRESSED) != 0; }
static inline int idem_mouse_is_wheel_down(mmask_t b) { return (b & BUTTON5_PRESSED) != 0; }
#endif
