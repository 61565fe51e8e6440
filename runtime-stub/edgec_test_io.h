/*===- edgec_test_io.h - what the test harness needs from a platform ---===*
 *
 * The harness (harness.c) reads a model's inputs from files and writes its
 * outputs to files through these four functions. Each platform's I/O shim
 * implements them: semihosting on bare-metal boards (semihosting/), raw
 * system calls under qemu user mode (linux-user/, hexagon/). Firmware that
 * links a model never needs them.
 *===----------------------------------------------------------------------===*/
#ifndef EDGEC_TEST_IO_H
#define EDGEC_TEST_IO_H

/* Reads at most `capacity` bytes of file `path` into `buffer`; returns the
 * number of bytes read, or -1 when the file cannot be opened. */
long edgec_test_read(const char *path, void *buffer, long capacity);
/* Writes `size` bytes to file `path`; returns 0 on success. */
int edgec_test_write(const char *path, const void *data, long size);
/* Prints a NUL-terminated message to the console (stderr where there is one). */
void edgec_test_print(const char *text);
/* Ends the program with `status` (0 = success). */
void edgec_test_exit(int status) __attribute__((noreturn));

#endif /* EDGEC_TEST_IO_H */
