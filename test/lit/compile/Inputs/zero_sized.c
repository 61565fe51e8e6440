/* Calls a model with an empty input e [0, 4] and an empty output z [0, 4]
 * (y = concat(x, e) = x, z = relu(e)): their pointers may be NULL, the
 * argument checks accept that, and y is x. */
#include "zs.h"

#include <stdio.h>

int main(void) {
  float x[4] = {1.0f, -2.0f, 3.0f, -4.0f}, y[4] = {0};
  int i, status = zs_run(x, NULL, y, NULL, NULL);
  printf("status: %d\n", status);
  for (i = 0; i < 4; ++i)
    printf("y[%d] = %g\n", i, (double)y[i]);
  return 0;
}
