/* p11conc.c — a concurrent PKCS#11 signing workload for the real-capture
 * tests (test/capture/concurrency.sh) and the committed spy fixtures
 * (test/fixtures/spy/conc-*.log).
 *
 * Usage: p11conc MODULE TOKEN_LABEL USER_PIN KEY_LABEL THREADS ITERATIONS
 *
 * The main thread initialises the module (CKF_OS_LOCKING_OK), finds the
 * token by label, opens a session, logs the user in and finds the private
 * key by label. THREADS threads are then released together; each opens
 * its own session, does ITERATIONS rounds of C_SignInit(CKM_SHA256_RSA_PKCS)
 * + C_Sign, and closes its session. The main thread then ends its find,
 * logs out, closes its session and finalises. Every call is expected to
 * return CKR_OK: the workload is clean, so a trace of it must show no
 * anomaly. Prints "sessions=<main> <t1> <t2> ..." (each thread's handle,
 * in thread order) and "signatures=<n>"; exits non-zero on any failure.
 *
 * Several processes: run it several times at once with the same log.
 * SoftHSM now and then finds no token in a process that starts while
 * another reads its token store, so a caller can start them one by one
 * and still have them sign at once: with P11CONC_READY=FILE set, the
 * process creates FILE once it holds its key; with P11CONC_GO=FILE set, it
 * then waits (up to 60 s) for FILE to exist before releasing its threads.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p11;
static CK_OBJECT_HANDLE key;
static CK_SLOT_ID slot;
static int iterations;
static pthread_barrier_t go;

struct worker {
	pthread_t tid;
	CK_SESSION_HANDLE sess;
	int ok;                     /* signatures made */
	CK_RV err;                  /* first error, CKR_OK none */
};

static void die(const char *what, CK_RV rv)
{
	fprintf(stderr, "p11conc: %s: rv=0x%lx\n", what, (unsigned long)rv);
	exit(2);
}

/* Says this process is ready (P11CONC_READY) and waits for the go
 * (P11CONC_GO); both optional. */
static void rendezvous(void)
{
	const char *ready = getenv("P11CONC_READY"), *go_file = getenv("P11CONC_GO");
	FILE *f;
	int i;

	if (ready && *ready) {
		if (!(f = fopen(ready, "w")) || fclose(f) != 0) {
			fprintf(stderr, "p11conc: cannot create %s\n", ready);
			exit(2);
		}
	}
	if (!go_file || !*go_file)
		return;
	for (i = 0; i < 6000 && access(go_file, F_OK) != 0; i++)
		usleep(10000);
	if (i == 6000) {
		fprintf(stderr, "p11conc: no %s after 60 s\n", go_file);
		exit(2);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE data[64], sig[1024];
	CK_ULONG len;
	CK_RV rv;
	int i;

	pthread_barrier_wait(&go);
	rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &w->sess);
	if (rv != CKR_OK) {
		w->err = rv;
		return NULL;
	}
	for (i = 0; i < iterations && w->err == CKR_OK; i++) {
		snprintf((char *)data, sizeof data, "session %lu message %03d",
		         (unsigned long)w->sess, i);
		rv = p11->C_SignInit(w->sess, &mech, key);
		if (rv == CKR_OK) {
			len = sizeof sig;
			rv = p11->C_Sign(w->sess, data, strlen((char *)data), sig, &len);
		}
		if (rv == CKR_OK)
			w->ok++;
		else
			w->err = rv;
	}
	rv = p11->C_CloseSession(w->sess);
	if (rv != CKR_OK && w->err == CKR_OK)
		w->err = rv;
	return NULL;
}

int main(int argc, char **argv)
{
	CK_RV (*gfl)(CK_FUNCTION_LIST_PTR_PTR);
	CK_C_INITIALIZE_ARGS ia;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16, i, count = 0;
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[2];
	CK_TOKEN_INFO ti;
	struct worker *w;
	int nthreads, t, total = 0;
	size_t len;
	void *h;
	CK_RV rv;

	if (argc != 7 || (nthreads = atoi(argv[5])) < 1 || (iterations = atoi(argv[6])) < 1) {
		fprintf(stderr, "usage: p11conc MODULE TOKEN PIN KEY_LABEL THREADS ITERATIONS\n");
		return 1;
	}
	if (!(h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) ||
	    !(*(void **)&gfl = dlsym(h, "C_GetFunctionList"))) {
		fprintf(stderr, "p11conc: cannot load %s\n", argv[1]);
		return 1;
	}
	if ((rv = gfl(&p11)) != CKR_OK)
		die("C_GetFunctionList", rv);
	memset(&ia, 0, sizeof ia);
	ia.flags = CKF_OS_LOCKING_OK;
	if ((rv = p11->C_Initialize(&ia)) != CKR_OK)
		die("C_Initialize", rv);
	if ((rv = p11->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
		die("C_GetSlotList", rv);
	len = strlen(argv[2]);
	for (i = 0; i < n; i++)
		if (p11->C_GetTokenInfo(slots[i], &ti) == CKR_OK && len <= sizeof ti.label &&
		    memcmp(ti.label, argv[2], len) == 0 &&
		    (len == sizeof ti.label || ti.label[len] == ' '))
			break;
	if (i == n) {
		fprintf(stderr, "p11conc: no token '%s'\n", argv[2]);
		return 1;
	}
	slot = slots[i];
	if ((rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s)) != CKR_OK)
		die("C_OpenSession", rv);
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[3], strlen(argv[3]));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) /* another process of the app */
		die("C_Login", rv);
	tmpl[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof cls };
	tmpl[1] = (CK_ATTRIBUTE){ CKA_LABEL, argv[4], strlen(argv[4]) };
	if ((rv = p11->C_FindObjectsInit(s, tmpl, 2)) != CKR_OK)
		die("C_FindObjectsInit", rv);
	if ((rv = p11->C_FindObjects(s, &key, 1, &count)) != CKR_OK || count != 1)
		die("C_FindObjects", rv);
	if ((rv = p11->C_FindObjectsFinal(s)) != CKR_OK)
		die("C_FindObjectsFinal", rv);

	rendezvous();
	w = calloc((size_t)nthreads, sizeof *w);
	if (!w)
		return 1;
	pthread_barrier_init(&go, NULL, (unsigned)nthreads);
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0)
			return 1;
	for (t = 0; t < nthreads; t++)
		pthread_join(w[t].tid, NULL);
	printf("sessions=%lu", (unsigned long)s);
	for (t = 0; t < nthreads; t++) {
		printf(" %lu", (unsigned long)w[t].sess);
		total += w[t].ok;
		if (w[t].err != CKR_OK)
			die("a worker thread", w[t].err);
	}
	printf("\nsignatures=%d\n", total);
	if ((rv = p11->C_Logout(s)) != CKR_OK)
		die("C_Logout", rv);
	if ((rv = p11->C_CloseSession(s)) != CKR_OK)
		die("C_CloseSession", rv);
	if ((rv = p11->C_Finalize(NULL)) != CKR_OK)
		die("C_Finalize", rv);
	return 0;
}
