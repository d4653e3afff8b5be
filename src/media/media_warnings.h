// Warnings about media (damaged data skipped, frames held) collected for the bindings to log.
// The core holds no Python: warnings queue here, and Python drains them into logging ("reelforge").
#pragma once
#include <string>
#include <vector>

namespace reelforge {

// Queues `message` once per process (repeats of the same text are dropped: a source reopened for a
// seek hits the same damage again). Thread-safe; the queue keeps at most 256 unread messages.
void warn_media(const std::string& message);

// The queued messages, oldest first; empties the queue.
std::vector<std::string> take_media_warnings();

}  // namespace reelforge
