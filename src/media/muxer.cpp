#include "media/muxer.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include <signal.h>

#include "util/errors.h"

namespace reelforge {

namespace fs = std::filesystem;

namespace {
// Temporary names carry the writer's pid ("<base>-<pid>-<random>"), so the next export to the
// same target can tell a dead process's leftovers (SIGKILL, power loss) from a running export's.
std::string part_name(const std::string& base) {
  std::random_device rd;
  return base + "-" + std::to_string(getpid()) + "-" + std::to_string(rd() % 1000000);
}

// Removes entries of `dir` named "<base>-<pid>-<n>" whose process no longer exists.
void remove_stale_parts(const fs::path& dir, const std::string& base) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= base.size() + 1 || name.compare(0, base.size() + 1, base + "-") != 0) continue;
    const std::string rest = name.substr(base.size() + 1);
    const size_t dash = rest.find('-');
    if (dash == std::string::npos || dash == 0 || rest.find_first_not_of("0123456789-") != std::string::npos) continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || pid == long(getpid()) || !(kill(pid_t(pid), 0) != 0 && errno == ESRCH)) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}
}  // namespace

Muxer::Muxer(const std::string& path) : path_(path) {
  const AVOutputFormat* of = av_guess_format(nullptr, path.c_str(), nullptr);
  if (!of)
    throw InputError("cannot tell the container format from the output name '" + path +
                     "': use an extension such as .mp4, .mov, .mkv, .webm, .m4a, .wav");
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw InputError("output folder does not exist: '" + dir.string() + "'");
  const std::string base = "." + target.filename().string() + ".part";
  remove_stale_parts(dir, base);
  tmp_ = (dir / part_name(base)).string();
  int err = avformat_alloc_output_context2(&fmt_, of, nullptr, tmp_.c_str());
  if (err < 0 || !fmt_) throw EncoderError("cannot create output for '" + path + "': " + av_error_text(err));
}

Muxer::~Muxer() {
  if (fmt_) {
    if (fmt_->pb && !(fmt_->oformat->flags & AVFMT_NOFILE)) avio_closep(&fmt_->pb);
    avformat_free_context(fmt_);
  }
  if (!done_) std::remove(tmp_.c_str());
}

bool Muxer::wants_global_header() const { return fmt_->oformat->flags & AVFMT_GLOBALHEADER; }

int Muxer::add_stream(const AVCodecContext* enc) {
  AVStream* st = avformat_new_stream(fmt_, nullptr);
  if (!st) throw std::bad_alloc();
  int err = avcodec_parameters_from_context(st->codecpar, enc);
  if (err < 0) throw EncoderError("cannot set stream parameters: " + av_error_text(err));
  st->time_base = enc->time_base;
  if (enc->codec_type == AVMEDIA_TYPE_VIDEO) st->avg_frame_rate = enc->framerate;
  // Matroska's CodecDelay means "block timestamp minus delay is when the first sample plays", so
  // Opus blocks must be written `initial_padding` later than the encoder's (negative) pts.
  // libavformat up to 59.30 writes CodecDelay but not the offset, then shifts every stream by
  // the pre-skip to avoid the negative timestamp: video ends up 6.5 ms late against the audio.
  // Applying the offset here keeps the first audio block at 0 and nothing gets shifted; later
  // libavformat applies it itself (ts_offset in matroskaenc.c).
#if LIBAVFORMAT_VERSION_INT <= AV_VERSION_INT(59, 30, 100)
  const std::string container = fmt_->oformat->name;
  if (enc->codec_id == AV_CODEC_ID_OPUS && enc->initial_padding > 0 &&
      (container == "webm" || container == "matroska"))
    pts_offset_.resize(size_t(st->index) + 1, 0), pts_offset_[size_t(st->index)] = enc->initial_padding;
#endif
  return st->index;
}

void Muxer::write_header() {
  int err = 0;
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    err = avformat_query_codec(fmt_->oformat, fmt_->streams[i]->codecpar->codec_id, FF_COMPLIANCE_NORMAL);
    if (err == 0)
      throw InputError(std::string("codec '") + avcodec_get_name(fmt_->streams[i]->codecpar->codec_id) +
                       "' cannot be stored in a ." + fmt_->oformat->name + " file; choose another container or codec");
  }
  if (!(fmt_->oformat->flags & AVFMT_NOFILE)) {
    err = avio_open(&fmt_->pb, tmp_.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) throw EncoderError("cannot write output '" + path_ + "': " + av_error_text(err));
  }
  err = avformat_write_header(fmt_, nullptr);
  if (err < 0) throw EncoderError("cannot write the header of '" + path_ + "': " + av_error_text(err));
  header_ = true;
}

void Muxer::write(AVPacket* pkt, int stream, AVRational enc_time_base) {
  pkt->stream_index = stream;
  if (size_t(stream) < pts_offset_.size() && pts_offset_[size_t(stream)]) {  // in enc_time_base (1/48000)
    if (pkt->pts != AV_NOPTS_VALUE) pkt->pts += pts_offset_[size_t(stream)];
    if (pkt->dts != AV_NOPTS_VALUE) pkt->dts += pts_offset_[size_t(stream)];
  }
  av_packet_rescale_ts(pkt, enc_time_base, fmt_->streams[stream]->time_base);
  int err = av_interleaved_write_frame(fmt_, pkt);
  if (err < 0) throw EncoderError("writing '" + path_ + "' failed: " + av_error_text(err));
}

void Muxer::finish() {
  int err = av_write_trailer(fmt_);
  if (err < 0) throw EncoderError("finishing '" + path_ + "' failed: " + av_error_text(err));
  if (fmt_->pb && !(fmt_->oformat->flags & AVFMT_NOFILE)) {
    err = avio_closep(&fmt_->pb);
    if (err < 0) throw EncoderError("closing '" + path_ + "' failed: " + av_error_text(err));
  }
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec) throw EncoderError("cannot move the finished file to '" + path_ + "': " + ec.message());
  done_ = true;
}

// -- image sequences ---------------------------------------------------------------------------

namespace {
// Splits a file name around its one printf frame-number field (%d, %5d, %05d); "%%" is a literal
// '%'. False if there is no such field; InputError for a second one or a malformed '%'.
bool split_pattern(const std::string& name, std::string& prefix, std::string& suffix, int& width) {
  bool found = false;
  std::string* out = &prefix;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') {
      *out += name[i];
      continue;
    }
    if (i + 1 < name.size() && name[i + 1] == '%') {
      *out += '%';
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    if (j >= name.size() || name[j] != 'd' || j - i - 1 > 2)
      throw InputError("bad frame-number field in '" + name + "': use %d or %05d (and %% for a literal %)");
    if (found) throw InputError("'" + name + "' has two frame-number fields; use one, e.g. frame_%05d.png");
    found = true;
    width = j > i + 1 ? std::stoi(name.substr(i + 1, j - i - 1)) : 0;
    out = &suffix;
    i = j;
  }
  return found;
}
}  // namespace

bool is_image_sequence_path(const std::string& path) {
  if (!path.empty() && path.back() == '/') return true;
  const std::string name = fs::path(path).filename().string();
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') continue;
    if (i + 1 < name.size() && name[i + 1] == '%') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    if (j < name.size() && name[j] == 'd') return true;
  }
  return false;
}

SequencePattern parse_sequence_path(const std::string& path) {
  SequencePattern p;
  std::string name;
  fs::path dir;
  if (!path.empty() && path.back() == '/') {
    const size_t end = path.find_last_not_of('/');
    dir = end == std::string::npos ? fs::path("/") : fs::path(path.substr(0, end + 1));
    name = "%05d.png";
  } else {
    const fs::path f(path);
    dir = f.has_parent_path() ? f.parent_path() : fs::path(".");
    name = f.filename().string();
  }
  if (dir.string().find('%') != std::string::npos)
    throw InputError("the frame-number field of '" + path + "' must be in the file name, not the folder");
  if (!split_pattern(name, p.prefix, p.suffix, p.width))
    throw InputError("'" + path + "' is not an image-sequence pattern: use e.g. frames/%05d.png or a folder ending in '/'");
  // Not fs::path::extension(): the suffix of "%05d.png" is ".png", which it takes for a dotfile.
  const size_t dot = p.suffix.rfind('.');
  p.ext = dot == std::string::npos || p.suffix.find('/', dot) != std::string::npos ? "" : p.suffix.substr(dot);
  std::transform(p.ext.begin(), p.ext.end(), p.ext.begin(), ::tolower);
  p.dir = dir.string();
  return p;
}

std::string SequencePattern::file_name(int64_t index) const {
  std::string n = std::to_string(index);
  if (int(n.size()) < width) n.insert(0, size_t(width) - n.size(), '0');
  return prefix + n + suffix;
}

ImageSequenceWriter::ImageSequenceWriter(const std::string& path) : pat_(parse_sequence_path(path)) {
  const fs::path dir(pat_.dir);
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    remove_stale_parts(dir, ".reelforge-frames.part");
    tmp_ = (dir / part_name(".reelforge-frames.part")).string();
  } else if (fs::exists(dir, ec)) {
    throw InputError("'" + pat_.dir + "' exists and is not a folder; image sequences are written into a folder");
  } else {
    const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    if (!fs::is_directory(parent, ec)) throw InputError("output folder does not exist: '" + parent.string() + "'");
    const std::string base = "." + dir.filename().string() + ".part";
    remove_stale_parts(parent, base);
    tmp_ = (parent / part_name(base)).string();
    new_dir_ = true;
  }
  if (!fs::create_directory(tmp_, ec) || ec)
    throw EncoderError("cannot create the folder '" + tmp_ + "': " + (ec ? ec.message() : "it already exists"));
}

ImageSequenceWriter::~ImageSequenceWriter() {
  if (done_) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

void ImageSequenceWriter::write(const AVPacket* pkt, int64_t index) {
  const std::string file = (fs::path(tmp_) / pat_.file_name(index)).string();
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (!f) throw EncoderError("cannot write '" + file + "': " + std::strerror(errno));
  const bool ok = std::fwrite(pkt->data, 1, size_t(pkt->size), f) == size_t(pkt->size);
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) throw EncoderError("writing '" + file + "' failed: " + std::strerror(ok ? errno : err));
  if (index >= 0) {
    if (size_t(index) >= written_.size()) written_.resize(size_t(index) + 1, false);
    written_[size_t(index)] = true;
  }
}

void ImageSequenceWriter::remove_older_frames() const {
  std::error_code ec;
  for (fs::directory_iterator it(pat_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= pat_.prefix.size() + pat_.suffix.size() || name.rfind(pat_.prefix, 0) != 0 ||
        name.compare(name.size() - pat_.suffix.size(), pat_.suffix.size(), pat_.suffix) != 0)
      continue;
    const std::string digits = name.substr(pat_.prefix.size(), name.size() - pat_.prefix.size() - pat_.suffix.size());
    if (digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const int64_t index = std::stoll(digits);
    if (pat_.file_name(index) != name || (size_t(index) < written_.size() && written_[size_t(index)])) continue;
    std::error_code rm;
    fs::remove(it->path(), rm);
  }
}

void ImageSequenceWriter::finish() {
  std::error_code ec;
  if (new_dir_) {
    fs::rename(tmp_, pat_.dir, ec);
    if (ec) throw EncoderError("cannot move the finished frames to '" + pat_.dir + "': " + ec.message());
  } else {
    for (const auto& e : fs::directory_iterator(tmp_)) {
      fs::rename(e.path(), fs::path(pat_.dir) / e.path().filename(), ec);
      if (ec) throw EncoderError("cannot move '" + e.path().filename().string() + "' into '" + pat_.dir + "': " + ec.message());
    }
    fs::remove(tmp_, ec);
    remove_older_frames();  // the folder holds this sequence only, never a mix with an older, longer one
  }
  done_ = true;
}

}  // namespace reelforge
