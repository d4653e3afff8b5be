#include "export/output_rules.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "media/muxer.h"
#include "util/errors.h"

namespace reelforge {

namespace fs = std::filesystem;

namespace {
std::string lower_extension(const std::string& path) {
  std::string e = fs::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), ::tolower);
  return e;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// A codec's file path that no container of it holds: the error naming the fix.
[[noreturn]] void wrong_container(const CodecSpec& spec, const std::string& path, const std::string& ext) {
  std::vector<std::string> fits;
  for (const auto& c : codec_specs())
    if (std::find(c.extensions.begin(), c.extensions.end(), ext) != c.extensions.end()) fits.push_back("'" + c.codec + "'");
  if (fits.empty())
    throw InputError("unsupported output extension '" + ext + "' for '" + path + "': video_codec '" + spec.codec +
                     "' goes in " + join(spec.extensions, ", ") + "; audio only: " +
                     join(audio_only_extensions(), ", ") + "; or an image sequence such as frames/%05d.png");
  throw InputError("video_codec '" + spec.codec + "' cannot be written to a " + ext + " file ('" + path + "'): use " +
                   join(spec.extensions, " or ") + " for " + spec.codec + ", or video_codec " + join(fits, " / ") +
                   " for " + ext);
}

// "x/%d/f.png": a frame-number field in a folder name (one folder per frame is not a sequence we
// write). Said as such, rather than as an unsupported extension.
void check_no_field_in_folders(const std::string& path) {
  for (const auto& part : fs::path(path).parent_path())
    if (part.string().find('%') != std::string::npos && is_image_sequence_path(part.string()))
      throw InputError("output '" + path + "': the frame-number field (%d) must be in the file name, not in the folder '" +
                       part.string() + "'; use e.g. frames/%05d.png");
}

void check_sequence(const CodecSpec& spec, const std::string& path) {
  if (!spec.extensions.empty())
    throw InputError("video_codec '" + spec.codec + "' cannot write the image sequence '" + path +
                     "': sequences are PNG (video_codec='png'); for " + spec.codec + " give a file such as out" +
                     spec.extensions.front());
  const SequencePattern pat = parse_sequence_path(path);  // InputError for a malformed pattern
  if (pat.ext != ".png")
    throw InputError("image sequence '" + path + "' must name .png files (e.g. frames/%05d.png), got '" + pat.ext + "'");
}

// The folder the output is written in must exist and be writable (a sequence's own folder may
// be created, in an existing parent).
void check_output_folder(const std::string& path, bool sequence) {
  fs::path dir;
  if (sequence) {
    dir = fs::path(parse_sequence_path(path).dir);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) dir = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  } else {
    const fs::path f(path);
    dir = f.has_parent_path() ? f.parent_path() : fs::path(".");
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError("output folder does not exist: '" + dir.string() + "'");
  if (access(dir.c_str(), W_OK) != 0) throw InputError("output folder is not writable: '" + dir.string() + "'");
}
}  // namespace

const std::vector<std::string>& audio_only_extensions() {
  static const std::vector<std::string> ext = {".m4a", ".wav", ".mp3", ".aac", ".opus", ".ogg", ".oga", ".flac"};
  return ext;
}

bool is_audio_only_path(const std::string& path) {
  const auto& ext = audio_only_extensions();
  return !is_image_sequence_path(path) && std::find(ext.begin(), ext.end(), lower_extension(path)) != ext.end();
}

std::string resolve_output_codec(ExportOptions& o) {
  check_no_field_in_folders(o.path);
  if (is_audio_only_path(o.path)) return "";
  std::string& codec = o.video.codec;
  const bool sequence = is_image_sequence_path(o.path);
  const std::string ext = lower_extension(o.path);
  if (codec.empty() || codec == "auto") codec = sequence ? "png" : ext == ".webm" ? "vp9" : ext == ".gif" ? "gif" : "h264";
  const CodecSpec& spec = codec_spec(codec);  // unknown codec: InputError
  if (sequence)
    check_sequence(spec, o.path);
  else if (spec.extensions.empty())
    throw InputError("video_codec '" + codec + "' writes an image sequence, not the file '" + o.path +
                     "': give a pattern such as frames/%05d.png or a folder ending in '/'");
  else if (std::find(spec.extensions.begin(), spec.extensions.end(), ext) == spec.extensions.end())
    wrong_container(spec, o.path, ext);
  validate_video_options(o.video);
  return codec;
}

std::string validate_export_options(ExportOptions& o, int width, int height, int64_t frame_count) {
  const std::string codec = resolve_output_codec(o);
  check_output_folder(o.path, !codec.empty() && is_image_sequence_path(o.path));
  if (!codec.empty()) validate_frame_size(codec, width, height);
  if (!(o.stall_timeout > 0)) throw InputError("stall_timeout must be > 0 seconds, got " + std::to_string(o.stall_timeout));
  if (o.gpu_slots < 1 || o.gpu_slots > 16)
    throw InputError("gpu_slots must be 1..16 (frames in flight on the GPU; 3 is usually best), got " +
                     std::to_string(o.gpu_slots));
  if (o.audio_bitrate < 8000 || o.audio_bitrate > 512000)
    throw InputError("audio_bitrate must be 8000..512000 bits per second (e.g. 192000), got " +
                     std::to_string(o.audio_bitrate));
  if (o.queue_frames < 0) throw InputError("queue_frames must be >= 0 (0: automatic), got " + std::to_string(o.queue_frames));
  if (o.last_frame < 0) o.last_frame = frame_count;
  if (o.first_frame < 0 || o.first_frame >= o.last_frame || o.last_frame > frame_count)
    throw InputError("frames must be (first, last) with 0 <= first < last <= " + std::to_string(frame_count) +
                     " (the scene's frame count), got (" + std::to_string(o.first_frame) + ", " +
                     std::to_string(o.last_frame) + ")");
  return codec;
}

}  // namespace reelforge
