/* Runs a compiled Fashion-MNIST artifact over a file of images:
 *   eval IMAGES.bin COUNT LOGITS.bin
 * IMAGES.bin holds COUNT float32 [1,1,28,28] images back to back; LOGITS.bin
 * gets COUNT x 10 float32 logits. Prints the mean nanoseconds per inference
 * (the best of three passes over the images). Built per artifact with
 *   cc -O2 -include NAME.h -DRUN=NAME_run_packed -DARENA_BYTES=NAME_ARENA_BYTES */
#ifndef PASSES
#define PASSES 3 /* over the images; the fastest pass's time is printed */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s IMAGES.bin COUNT LOGITS.bin\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]);
  float *images = malloc((size_t)count * 784 * sizeof(float));
  float *logits = malloc((size_t)count * 10 * sizeof(float));
  void *arena = aligned_alloc(16, ((size_t)ARENA_BYTES + 16) & ~(size_t)15);
  FILE *f = fopen(argv[1], "rb");
  if (!images || !logits || !arena || !f || fread(images, sizeof(float) * 784, (size_t)count, f) != (size_t)count) {
    fprintf(stderr, "cannot read %ld images from %s\n", count, argv[1]);
    return 2;
  }
  fclose(f);
  double best = 0;
  for (int pass = 0; pass < PASSES; ++pass) {
    double start = now_ns();
    for (long i = 0; i < count; ++i) {
      const void *in[1] = {images + i * 784};
      void *out[1] = {logits + i * 10};
      if (RUN(in, out, arena) != 0) {
        fprintf(stderr, "run failed on image %ld\n", i);
        return 1;
      }
    }
    double ns = (now_ns() - start) / count;
    if (pass == 0 || ns < best)
      best = ns;
  }
  f = fopen(argv[3], "wb");
  if (!f || fwrite(logits, sizeof(float) * 10, (size_t)count, f) != (size_t)count) {
    fprintf(stderr, "cannot write %s\n", argv[3]);
    return 2;
  }
  fclose(f);
  printf("%.1f\n", best);
  return 0;
}
