/* version.h — the release, for --version, the man page, `make dist`, and
 * the index: an index written by another release is rebuilt, since its
 * parsers may have read the same log differently.
 *
 * Ownership: a string literal; nothing to free.
 */
#ifndef HSMSCOPE_VERSION_H
#define HSMSCOPE_VERSION_H

#define HS_VERSION "0.3.1"

#endif
