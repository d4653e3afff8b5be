#include "media/media_warnings.h"

#include <deque>
#include <mutex>
#include <unordered_set>

namespace reelforge {

namespace {
constexpr size_t kMaxQueued = 256;
std::mutex g_mutex;
std::deque<std::string> g_queue;
std::unordered_set<std::string> g_seen;
}  // namespace

void warn_media(const std::string& message) {
  std::lock_guard lock(g_mutex);
  if (!g_seen.insert(message).second) return;
  if (g_seen.size() > 4096) g_seen.clear();  // bounded memory over a long session
  if (g_queue.size() >= kMaxQueued) g_queue.pop_front();
  g_queue.push_back(message);
}

std::vector<std::string> take_media_warnings() {
  std::lock_guard lock(g_mutex);
  std::vector<std::string> out(g_queue.begin(), g_queue.end());
  g_queue.clear();
  return out;
}

}  // namespace reelforge
