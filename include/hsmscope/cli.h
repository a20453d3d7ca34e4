/* cli.h — the command line as data: commands, their options and output
 * formats. main() owns the tables; from them it parses options and checks
 * usage, and the functions here write the --help sections and the bash
 * and zsh completions, so none of them can drift from what the program
 * accepts.
 *
 * Ownership: the tables are the caller's (static const in main.c); the
 * functions only read them and write to out.
 */
#ifndef HSMSCOPE_CLI_H
#define HSMSCOPE_CLI_H

#include <stdio.h>

struct hs_cli_command {
	const char *name;           /* as typed: "analyze" */
	const char *args;           /* what follows it in --help: "FILE..." */
	const char *help;           /* one line or more ("\n" breaks, indented) */
	const char *formats;        /* its --format values, the default first,
	                               space-separated; NULL: no --format */
	unsigned opts;              /* the option groups it takes (a mask of
	                               hs_cli_option.group bits) */
};

struct hs_cli_option {
	const char *name;           /* long name, without "--" */
	char shortname;             /* '\0' when none */
	int has_arg;                /* 1: takes a value */
	const char *arg;            /* the value's name in --help: "FILE" */
	const char *values;         /* completion words of the value; "@file" for a
	                               path, "@formats" for the command's formats,
	                               NULL for free text */
	unsigned group;             /* one bit: which commands take it; 0: all */
	const char *help;           /* for --help ("\n" breaks, indented) */
};

/* The commands and options sections of --help. */
void hs_cli_help(FILE *out, const struct hs_cli_command *cmds, int ncmds,
                 const struct hs_cli_option *opts, int nopts);
/* A completion script for shell ("bash" or "zsh"): commands, each
 * command's options, --format values per command, option values, files.
 * Returns 0, or -1 for an unknown shell. */
int hs_cli_complete(FILE *out, const char *shell, const struct hs_cli_command *cmds, int ncmds,
                    const struct hs_cli_option *opts, int nopts);
/* Whether command c takes option o. */
int hs_cli_takes(const struct hs_cli_command *c, const struct hs_cli_option *o);

#endif
