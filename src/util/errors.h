// Exception types of the core. The bindings map each to a Python class in reelforge.errors.
#pragma once
#include <stdexcept>
#include <string>

namespace reelforge {

struct Error : std::runtime_error { using std::runtime_error::runtime_error; };
// Bad parameters from the user (maps to a ValueError subclass).
struct InputError : Error { using Error::Error; };
// Missing, unreadable or undecodable media.
struct MediaError : Error { using Error::Error; };
// The media file does not exist (maps to a FileNotFoundError subclass).
struct MediaNotFound : MediaError { using MediaError::MediaError; };
// No encoder could be opened, or encoding/muxing failed.
struct EncoderError : Error { using Error::Error; };
// Vulkan failures (carry the VkResult name).
struct GpuError : Error { using Error::Error; };
// The export watchdog saw no progress for stall_timeout seconds.
struct ExportStalled : Error { using Error::Error; };
// cancel() was called (or Ctrl-C) while exporting.
struct ExportCancelled : Error { using Error::Error; };

// FFmpeg's text for an AVERROR code (av_strerror).
std::string av_error_text(int err);

}  // namespace reelforge
