#include "process_control.h"

#include <errno.h>

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int homeport_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

int homeport_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0, 0, 0);
}

// Called through syscall(2): glibc 2.36 is the first to wrap them, and Debian 12 has 2.36 but
// older systems do not. The numbers are the same on every architecture (asm-generic).
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int homeport_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int homeport_pidfd_send_signal(int pidfd, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
}
#else
int homeport_set_parent_death_signal(int signal) {
    (void)signal;
    return -1;
}

int homeport_set_child_subreaper(void) {
    return -1;
}

int homeport_pidfd_open(int pid) {
    (void)pid;
    errno = ENOSYS;
    return -1;
}

int homeport_pidfd_send_signal(int pidfd, int signal) {
    (void)pidfd;
    (void)signal;
    errno = ENOSYS;
    return -1;
}
#endif
