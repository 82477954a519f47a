// SPDX-License-Identifier: MIT
/*
 * Running a helper program (dtc) with an argument vector: no shell sees a
 * file name, so none can be taken for a command, whatever it holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fvimage.h"

extern char **environ;

pid_t spawn_argv(char *const argv[], int *out_fd, bool quiet)
{
	posix_spawn_file_actions_t fa;
	int pipe_fd[2] = { -1, -1 };
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (out_fd) {
		if (pipe(pipe_fd) != 0) {
			posix_spawn_file_actions_destroy(&fa);
			return -1;
		}
		posix_spawn_file_actions_adddup2(&fa, pipe_fd[1], STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, pipe_fd[0]);
		posix_spawn_file_actions_addclose(&fa, pipe_fd[1]);
	}
	if (quiet)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	if (rc != 0)
		errno = rc; /* posix_spawnp returns its error, the callers read errno */
	posix_spawn_file_actions_destroy(&fa);
	if (out_fd) {
		close(pipe_fd[1]);
		if (rc != 0)
			close(pipe_fd[0]);
		else
			*out_fd = pipe_fd[0];
	}
	return rc == 0 ? pid : -1;
}

int spawn_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127; /* lost (SIGCHLD ignored, say): not a success */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

const char *spawn_path_arg(const char *path, char *buf, size_t size)
{
	/* a file name starting with '-' would be read as an option */
	if (path[0] != '-')
		return path;
	snprintf(buf, size, "./%s", path);
	return buf;
}
