/*
 * njord/config.h — the run configuration: typed keys in INI sections.
 *
 * A configuration holds one value for every key of a fixed schema (the table in
 * lib/core/config.c; njord_config_describe() prints it). Keys are named
 * "section.key", e.g. "time.dt", and are set from INI files
 * (njord_config_load) and from command-line style assignments
 * (njord_config_set, the CLI's --set section.key=value), later settings
 * overriding earlier ones. Nothing is ever ignored: an unknown section (even one
 * with no keys), an unknown key, a bad value or a key given twice in one file is
 * an error whose message names the key (and, for files, file:line); for an
 * unknown key or section it also suggests the closest known one ("did you mean
 * 'grid.trunc'?").
 *
 * INI syntax:
 *   [section]                 a section header; keys belong to the last header;
 *                             "[ grid ]" is [grid]; an empty or unknown name is
 *                             an error on the header's line
 *   key = value               also "key: value"; whitespace around both is ignored
 *   ; comment   # comment     whole-line comments
 *   key = value ; comment     inline comments: ';' or '#' preceded by whitespace
 *   key = "value"             one pair of enclosing double quotes is removed
 *                             (how an empty string is written: key = ""); a ';'
 *                             or '#' after whitespace starts a comment even inside
 *                             the quotes, so key = "a ; b" is an error
 *   A line may hold 8192 characters (after comments are removed). Leading
 *   indentation is allowed (there are no continuation lines). A key may appear
 *   in a file only once; the same section header may appear more than once.
 *   Section and key names and enum words are case-sensitive. Lines end in LF or
 *   CR LF (a CR elsewhere, as in old Mac files, is an error); control characters
 *   other than tab are errors (outside comments); an initial UTF-8 byte order
 *   mark is skipped.
 *
 * Value types and their text forms (the canonical form is what
 * njord_config_get() returns and njord_config_write() writes):
 *   int       decimal integer, optional sign; range-checked
 *   double    decimal number (e.g. 6.37122e6); finite and not too small for a
 *             normal double (1e-400 is an error, not 0); range-checked;
 *             canonical: the shortest text that reads back to the same double
 *   duration  a number with an optional unit s, min, h or d ("600", "600s",
 *             "10min", "6h", "1.5d"); the seconds are the decimal product
 *             rounded once ("1.1h" is exactly 3960); canonical: plain seconds
 *             ("21600"); njord_config_get_double() returns seconds
 *   bool      true/false, yes/no, on/off, 1/0 (any case); canonical true/false
 *   enum      one of the listed words
 *   string    any valid UTF-8 text without control characters and without a
 *             ';' or '#' preceded by whitespace (so that written files read back)
 *   list      comma-separated words ("u, v,zg"); each must be one of the allowed
 *             words when the key has such a set; no empty or repeated items;
 *             the words auto and none stand alone ("none,u" is an error);
 *             an empty value is the empty list; canonical "u,v,zg"
 *   datetime  ISO 8601 "YYYY-MM-DDTHH:MM:SS" (proleptic Gregorian calendar,
 *             years 0001-9999), validated (month, day of month, leap years)
 *   Numbers are read and written in the "C" locale whatever the program's
 *   locale (0.5 is never read or written as 0,5).
 *
 * Errors: NJORD_EINVAL (NULL argument, unknown section or key, bad value, type
 *   mismatch in a typed getter, malformed assignment or INI line), NJORD_EIO (file
 *   cannot be opened or read; the message names the path), NJORD_ENOMEM.
 *   Messages (njord_last_error()) look like
 *     "run.ini:12: grid.trunc: 5000 is out of range (1..4095)"
 *     "time.integrator: 'rk4' is not one of: leapfrog, imex-sil3"
 *     "run.ini:3: unknown key 'grid.trunk' (keys of [grid]: trunc, grid, nlat,
 *      nlon); did you mean 'grid.trunc'?".
 *   On error the configuration is unchanged (a failed load applies nothing).
 *
 * Ownership: strings returned by getters are owned by the configuration and stay
 *   valid until that key is set again or the configuration is destroyed. Strings
 *   passed in are only read during the call.
 *
 * Thread safety: a configuration must not be modified while another thread uses
 *   it; concurrent read-only calls (getters, write, equal_keys) on one
 *   configuration are safe. Error messages are per thread.
 */
#ifndef NJORD_CONFIG_H
#define NJORD_CONFIG_H

#include <stdio.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A configuration (opaque handle). */
typedef struct njord_config njord_config;

/** Create a configuration with every key at its default. */
int njord_config_create(njord_config **cfg);

/** Free a configuration. NULL is allowed. */
void njord_config_destroy(njord_config *cfg);

/** Apply the INI file at path over the current values: keys the file does not
 *  name keep their values. The whole file is checked before anything is applied.
 *  Errors name path:line and section.key: unknown section, unknown key, bad value
 *  (type, range, enum word), duplicate key, malformed line, line too long. A file
 *  that cannot be opened or read is NJORD_EIO naming the path. */
int njord_config_load(njord_config *cfg, const char *path);

/** Apply one assignment "section.key=value", as the CLI's --set does. Whitespace
 *  around the key and the value is ignored; the value follows the INI rules
 *  (one pair of enclosing double quotes is removed). */
int njord_config_set(njord_config *cfg, const char *assignment);

/** Set key ("section.key") from its text form value (same rules as in a file). */
int njord_config_set_value(njord_config *cfg, const char *key, const char *value);

/** Canonical text of key's value, or NULL (with a message) for an unknown key or
 *  a NULL argument. Every key has a value; a string may be "". */
const char *njord_config_get(const njord_config *cfg, const char *key);

/** Value of an int key. Other types: NJORD_EINVAL naming the key's type. */
int njord_config_get_int(const njord_config *cfg, const char *key, long *v);

/** Value of a double, int or duration key; durations in seconds. */
int njord_config_get_double(const njord_config *cfg, const char *key, double *v);

/** Value of a bool key: 1 (true) or 0 (false). */
int njord_config_get_bool(const njord_config *cfg, const char *key, int *v);

/** Items of a list key: *n items (possibly 0) in *items, owned by cfg (valid
 *  until the key is set again or cfg is destroyed). */
int njord_config_get_list(const njord_config *cfg, const char *key, int *n,
                          const char *const **items);

/** Write the whole configuration as INI text to f: every section and every key,
 *  each preceded by a '#' comment giving its meaning, type, units, allowed values
 *  and default. njord_config_load() of the text gives an equal configuration.
 *  Errors: NJORD_EIO if writing fails. */
int njord_config_write(const njord_config *cfg, FILE *f);

/** The text of njord_config_write() as a malloc'ed, NUL-terminated string; the
 *  caller frees it with free(). */
int njord_config_to_string(const njord_config *cfg, char **ini);

/** Write a Markdown table of every key of the schema to f: key (section.key),
 *  type, default, units, allowed values / range, meaning. */
int njord_config_describe(FILE *f);

/** Compare selected keys of two configurations (for restarts: the keys that must
 *  not change). keys holds nkeys names "section.key"; keys == NULL compares every
 *  key (nkeys is then ignored). Values are compared in canonical form, so "6h" and
 *  "21600" are equal.
 *  Returns 1 if all are equal (*first_diff = NULL), 0 if some differ
 *  (*first_diff = the first differing key's name, owned by the library, and
 *  njord_last_error() describes the difference with both values), or a negative
 *  NJORD_E* on error (unknown key, NULL configuration). first_diff may be NULL. */
int njord_config_equal_keys(const njord_config *a, const njord_config *b,
                            const char *const *keys, int nkeys, const char **first_diff);

#ifdef __cplusplus
}
#endif

#endif /* NJORD_CONFIG_H */
