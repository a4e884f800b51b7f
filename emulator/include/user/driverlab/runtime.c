/*
 * DriverLab's additions to wasi-libc for user programs: ioctl(2) that reaches
 * the driver, sync(2) and syncfs(2), abort() that raises SIGABRT, glibc's
 * strerror texts, the process's working directory, and the null-pointer
 * check handler.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

__attribute__((import_module("driverlab"), import_name("ioctl")))
int __driverlab_ioctl(int fd, unsigned long request, unsigned long arg);
__attribute__((import_module("driverlab"), import_name("raise"), noreturn))
void __driverlab_raise(int sig);

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	unsigned long arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	r = __driverlab_ioctl(fd, request, arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

__attribute__((import_module("driverlab"), import_name("getpid"))) int __driverlab_getpid(void);
__attribute__((import_module("driverlab"), import_name("getppid"))) int __driverlab_getppid(void);

pid_t getpid(void)
{
	return __driverlab_getpid();
}

pid_t getppid(void)
{
	return __driverlab_getppid();
}

__attribute__((import_module("driverlab"), import_name("sync"))) void __driverlab_sync(void);
__attribute__((import_module("driverlab"), import_name("syncfs"))) int __driverlab_syncfs(int fd);

void sync(void)
{
	__driverlab_sync();
}

int syncfs(int fd)
{
	int r = __driverlab_syncfs(fd);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

void abort(void)
{
	__driverlab_raise(6);
}

/* glibc's messages, so perror() prints what it prints on Linux. */
char *strerror(int e)
{
	switch (e) {
	case 0: return "Success";
	case EPERM: return "Operation not permitted";
	case ENOENT: return "No such file or directory";
	case ESRCH: return "No such process";
	case EINTR: return "Interrupted system call";
	case EIO: return "Input/output error";
	case ENXIO: return "No such device or address";
	case E2BIG: return "Argument list too long";
	case ENOEXEC: return "Exec format error";
	case EBADF: return "Bad file descriptor";
	case ECHILD: return "No child processes";
	case EAGAIN: return "Resource temporarily unavailable";
	case ENOMEM: return "Cannot allocate memory";
	case EACCES: return "Permission denied";
	case EFAULT: return "Bad address";
	case EBUSY: return "Device or resource busy";
	case EEXIST: return "File exists";
	case EXDEV: return "Invalid cross-device link";
	case ENODEV: return "No such device";
	case ENOTDIR: return "Not a directory";
	case EISDIR: return "Is a directory";
	case EINVAL: return "Invalid argument";
	case ENFILE: return "Too many open files in system";
	case EMFILE: return "Too many open files";
	case ENOTTY: return "Inappropriate ioctl for device";
	case ETXTBSY: return "Text file busy";
	case EFBIG: return "File too large";
	case ENOSPC: return "No space left on device";
	case ESPIPE: return "Illegal seek";
	case EROFS: return "Read-only file system";
	case EMLINK: return "Too many links";
	case EPIPE: return "Broken pipe";
	case EDOM: return "Numerical argument out of domain";
	case ERANGE: return "Numerical result out of range";
	case EDEADLK: return "Resource deadlock avoided";
	case ENAMETOOLONG: return "File name too long";
	case ENOLCK: return "No locks available";
	case ENOSYS: return "Function not implemented";
	case ENOTEMPTY: return "Directory not empty";
	case ELOOP: return "Too many levels of symbolic links";
	case ETIMEDOUT: return "Connection timed out";
	case ENOTSUP: return "Operation not supported";
	default: return "Unknown error";
	}
}

/*
 * wasi-libc starts in "/"; a Linux process starts where its parent was.
 * glibc decides stdout's buffering before the first byte: fully buffered when
 * it is not a terminal (musl would send the first line unbuffered).
 */
__attribute__((constructor)) static void __driverlab_init_process(void)
{
	const char *pwd = getenv("PWD");
	if (pwd && *pwd == '/')
		chdir(pwd);
	if (!isatty(1))
		setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
}

/* -fsanitize=null reports a NULL dereference here: the CPU would have faulted. */
struct __driverlab_source_location { const char *file; unsigned line, column; };
void __ubsan_handle_type_mismatch_v1(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
	__driverlab_raise(11);
}
void __ubsan_handle_type_mismatch_v1_abort(void *data, void *ptr)
{
	__ubsan_handle_type_mismatch_v1(data, ptr);
}
