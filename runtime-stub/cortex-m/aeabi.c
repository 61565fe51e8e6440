/* The Arm run-time ABI's memory helpers (__aeabi_memcpy/memset/memclr and
 * their 4/8-byte-aligned forms), which LLVM calls on Arm instead of
 * memcpy/memset. Note __aeabi_memset's argument order: (dest, n, c). */
#include <stddef.h>

void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);

void __aeabi_memcpy(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memcpy4(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memcpy8(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memmove(void *dest, const void *src, size_t n) { memmove(dest, src, n); }
void __aeabi_memmove4(void *dest, const void *src, size_t n) { memmove(dest, src, n); }
void __aeabi_memmove8(void *dest, const void *src, size_t n) { memmove(dest, src, n); }
void __aeabi_memset(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memset4(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memset8(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memclr(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memclr4(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memclr8(void *dest, size_t n) { memset(dest, 0, n); }
