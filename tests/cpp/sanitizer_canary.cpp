// Proof that the sanitizer build reports and stops (scripts/asan.sh, REELFORGE_SANITIZE=ON only):
// `sanitizer_canary asan` overflows a heap buffer, `sanitizer_canary ubsan` overflows a signed int.
// CTest expects the sanitizer's report and that the program never gets past the error.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  volatile int n = argc + 15;  // opaque to the optimiser
  if (std::strcmp(what, "asan") == 0) {
    std::vector<char> v(size_t(n), 0);
    v.data()[n] = 1;  // one past the end
  } else if (std::strcmp(what, "ubsan") == 0) {
    volatile int big = 2147483647;
    volatile int sum = big + (n - 16);  // n - 16 == 1: INT_MAX + 1
    std::printf("sum %d\n", sum);
  } else {
    return 2;
  }
  std::puts("survived");  // only reached if the sanitizer recovered
  return 0;
}
