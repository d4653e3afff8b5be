// doctest's main() (`reelforge_tests --help` lists its options; -tc=NAME runs one case), with
// FFmpeg's console chatter limited to errors, as the Python module does.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

extern "C" {
#include <libavutil/log.h>
}

int main(int argc, char** argv) {
  av_log_set_level(AV_LOG_ERROR);
  return doctest::Context(argc, argv).run();
}
