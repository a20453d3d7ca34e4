/* test_config.c — the configuration reader: items and their lines,
 * comments and blanks, bad lines reported with file:line:col and skipped,
 * a missing file is empty, HSMSCOPE_CONFIG and XDG_CONFIG_HOME pick it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hsmscope/config.h"

static const char *write_tmp(const char *text)
{
	static char path[] = "/tmp/hs_config_test.XXXXXX";
	int fd;
	FILE *f;

	strcpy(path, "/tmp/hs_config_test.XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_items(void)
{
	struct hs_config c;
	struct hs_error err;
	const char *p = write_tmp("# colours\n\ncolor.error = red, default  \n  time=relative\r\n"
	                          "columns = n,func,rv\nthis line is wrong\nkey.next_error = n\n=novalue\n");

	CHECK(hs_config_load(p, &c, &err) == 2);
	CHECK(c.n == 4);
	CHECK(strcmp(c.items[0].key, "color.error") == 0 && strcmp(c.items[0].value, "red, default") == 0);
	CHECK(c.items[0].line == 3);
	CHECK(strcmp(c.items[1].key, "time") == 0 && strcmp(c.items[1].value, "relative") == 0);
	CHECK(strcmp(c.items[3].key, "key.next_error") == 0 && c.items[3].line == 7);
	CHECK(err.line == 6 && err.col == 1 && strstr(err.msg, "key = value") != NULL && err.hint[0]);
	CHECK(strcmp(err.file, p) == 0);
	hs_config_free(&c);
	remove(p);
}

static void test_missing_and_paths(void)
{
	struct hs_config c;
	struct hs_error err;
	char buf[512];

	CHECK(hs_config_load("/nonexistent/hsmscope/config", &c, &err) == 0 && c.n == 0);
	hs_config_free(&c);
	setenv("HSMSCOPE_CONFIG", "/x/y", 1);
	hs_config_path(buf, sizeof buf);
	CHECK(strcmp(buf, "/x/y") == 0);
	unsetenv("HSMSCOPE_CONFIG");
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	hs_config_path(buf, sizeof buf);
	CHECK(strcmp(buf, "/cfg/hsmscope/config") == 0);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	hs_config_path(buf, sizeof buf);
	CHECK(strcmp(buf, "/home/u/.config/hsmscope/config") == 0);
}

static void test_long_line(void)
{
	struct hs_config c;
	struct hs_error err;
	char *text = malloc(5000);
	const char *p;

	memset(text, 'a', 4000);
	strcpy(text + 4000, " = 1\ntime = delta\n");
	p = write_tmp(text);
	CHECK(hs_config_load(p, &c, &err) == 1);
	CHECK(c.n == 1 && strcmp(c.items[0].key, "time") == 0 && c.items[0].line == 2);
	CHECK(err.line == 1);
	hs_config_free(&c);
	remove(p);
	free(text);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* hs_config_set: the key replaced in place, duplicates dropped, other lines
 * kept byte for byte, appended when absent, removed with NULL; a new file
 * in a new directory is 0600; a symlink is never written through. */
static void test_set(void)
{
	struct hs_error err;
	struct stat sb;
	char dir[] = "/tmp/hs_config_set.XXXXXX", path[256], link[256];
	const char *p = write_tmp("# mine\ncolor.error = red\n  columns=n,func\ntime = delta\ncolumns = rv\n");

	CHECK(hs_config_set(p, "columns", "n,time,rv:20", &err) == 0);
	CHECK(strcmp(slurp(p), "# mine\ncolor.error = red\ncolumns = n,time,rv:20\ntime = delta\n") == 0);
	CHECK(hs_config_set(p, "sql.timeout", "5", &err) == 0);
	CHECK(strcmp(slurp(p), "# mine\ncolor.error = red\ncolumns = n,time,rv:20\ntime = delta\n"
	                       "sql.timeout = 5\n") == 0);
	CHECK(hs_config_set(p, "columns", NULL, &err) == 0);
	CHECK(strcmp(slurp(p), "# mine\ncolor.error = red\ntime = delta\nsql.timeout = 5\n") == 0);
	remove(p);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/a/b/config", dir);
	CHECK(hs_config_set(path, "columns", "n,func", &err) == 0);
	CHECK(strcmp(slurp(path), "columns = n,func\n") == 0);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* a last line without its newline keeps its text */
	p = write_tmp("time = delta");
	CHECK(hs_config_set(p, "columns", "n", &err) == 0);
	CHECK(strcmp(slurp(p), "time = delta\ncolumns = n\n") == 0);
	snprintf(link, sizeof link, "%s/link", dir);
	CHECK(symlink(p, link) == 0);
	CHECK(hs_config_set(link, "columns", "rv", &err) == -1 && strstr(err.msg, "regular") != NULL);
	CHECK(strcmp(slurp(p), "time = delta\ncolumns = n\n") == 0);
	remove(link);
	remove(p);
	remove(path);
	snprintf(path, sizeof path, "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	test_set();
	test_items();
	test_missing_and_paths();
	test_long_line();
	TEST_END();
}
