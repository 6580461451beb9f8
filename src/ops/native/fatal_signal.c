/*
 * Last words for a process that a fault kills. Node cannot run JavaScript on a synchronous
 * fault (SIGSEGV, SIGBUS, ...), and chDB installs ClickHouse's own handlers, which log nowhere
 * we read and park the faulting thread: the process then hangs, alive, ignoring SIGTERM. This
 * handler, installed after chDB's, writes one pino-shaped JSON line to stderr and re-raises the
 * signal with its default action, so the process dies by it (exit status 128 + n) and a
 * supervisor restarts it. Only async-signal-safe calls (write, clock_gettime, raise) are used.
 * Built by src/ops/fatal-signal.ts with `cc -O2 -shared -fPIC`.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char prefix[1024];
static size_t prefix_len;
static char alt_stack[64 * 1024];

static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define N_FATAL (sizeof fatal / sizeof fatal[0])

static const char* name_of(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV\",\"msg\":\"fatal signal SIGSEGV: invalid memory access";
    case SIGBUS: return "SIGBUS\",\"msg\":\"fatal signal SIGBUS: bus error (a mapped file is truncated or was replaced in place?)";
    case SIGILL: return "SIGILL\",\"msg\":\"fatal signal SIGILL: illegal instruction";
    case SIGFPE: return "SIGFPE\",\"msg\":\"fatal signal SIGFPE: arithmetic fault";
    case SIGABRT: return "SIGABRT\",\"msg\":\"fatal signal SIGABRT: aborted";
    default: return "unknown\",\"msg\":\"fatal signal";
  }
}

/* Appends the decimal (base 10) or hex (base 16) digits of v; returns the new end. */
static char* put_uint(char* p, uint64_t v, unsigned base) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

static char* put_str(char* p, const char* s) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  return p + n;
}

static void on_fatal(int sig, siginfo_t* info, void* ctx) {
  (void)ctx;
  char line[1400];
  char* p = line;
  memcpy(p, prefix, prefix_len);
  p += prefix_len;
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
    p = put_str(p, ",\"time\":");
    p = put_uint(p, (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u, 10);
  }
  p = put_str(p, ",\"signal\":\"");
  p = put_str(p, name_of(sig));
  if (info != NULL && info->si_code > 0 && sig != SIGABRT) {
    p = put_str(p, " at 0x");
    p = put_uint(p, (uint64_t)(uintptr_t)info->si_addr, 16);
  }
  p = put_str(p, "; exiting\"}\n");
  const char* q = line;
  while (q < p) {
    ssize_t w = write(2, q, (size_t)(p - q));
    if (w <= 0) break;
    q += w;
  }
  /* SA_RESETHAND restored the default action: a fault re-executes the faulting instruction and
   * dies of it; a signal sent by kill(2) is delivered again here once this handler returns. */
  raise(sig);
}

/* Installs the handler for every fatal signal; returns 0, or -1 if sigaction failed. */
__attribute__((visibility("default"))) int fatal_signal_install(const char* line_prefix) {
  size_t n = strlen(line_prefix);
  if (n >= sizeof prefix) n = sizeof prefix - 1;
  memcpy(prefix, line_prefix, n);
  prefix_len = n;
  /* A stack overflow faults on the guard page: the handler needs a stack of its own. Only the
   * installing thread gets this one; other threads keep whatever alternate stack they have. */
  stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < N_FATAL; i++) {
    if (sigaction(fatal[i], &sa, NULL) != 0) return -1;
  }
  return 0;
}

/* 1 when every fatal signal is still handled here (chDB or anyone else may replace it later). */
__attribute__((visibility("default"))) int fatal_signal_installed(void) {
  for (size_t i = 0; i < N_FATAL; i++) {
    struct sigaction old;
    if (sigaction(fatal[i], NULL, &old) != 0) return 0;
    if (!(old.sa_flags & SA_SIGINFO) || old.sa_sigaction != on_fatal) return 0;
  }
  return 1;
}

/* The handler address now installed for `sig` (0 for the default), to see who owns a signal. */
__attribute__((visibility("default"))) uintptr_t fatal_signal_owner(int sig) {
  struct sigaction old;
  if (sigaction(sig, NULL, &old) != 0) return 0;
  return (old.sa_flags & SA_SIGINFO) ? (uintptr_t)old.sa_sigaction : (uintptr_t)old.sa_handler;
}
