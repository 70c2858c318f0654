#ifndef HOMEPORT_PROCESS_CONTROL_H
#define HOMEPORT_PROCESS_CONTROL_H

/// Asks the kernel to send `signal` to this process when its parent thread exits (Linux
/// prctl PR_SET_PDEATHSIG). Returns 0 on success, -1 where unsupported or on error.
int homeport_set_parent_death_signal(int signal);

/// Makes this process a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER, prctl(2)):
/// orphaned descendants are re-parented to it instead of to init. Returns 0 on success, -1
/// where unsupported or on error.
int homeport_set_child_subreaper(void);

/// pidfd_open(2): a file descriptor that refers to exactly this process, however its pid is
/// reused later. Returns -1 with errno set where unsupported (ENOSYS) or on error.
int homeport_pidfd_open(int pid);

/// pidfd_send_signal(2): signals the process the descriptor refers to; fails with ESRCH
/// once it has exited, never hitting a process that reused its pid.
int homeport_pidfd_send_signal(int pidfd, int signal);

#endif
