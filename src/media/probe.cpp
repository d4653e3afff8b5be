#include "media/probe.h"

#include "media/demux.h"
#include "media/orientation.h"

namespace reelforge {

MediaInfo probe(const std::string& path) {
  InputContextPtr fmt = open_input(path);
  MediaInfo info;
  if (fmt->duration != AV_NOPTS_VALUE) info.duration = fmt->duration / double(AV_TIME_BASE);
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    AVStream* st = fmt->streams[i];
    const AVCodecParameters* par = st->codecpar;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && !info.has_video && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      info.has_video = true;
      info.width = par->width;
      info.height = par->height;
      info.video_codec = avcodec_get_name(par->codec_id);
      info.rotation = stream_orientation(st).rotation;
      // The container's value wins over the codec's, as in ffmpeg (av_guess_sample_aspect_ratio).
      const AVRational sar = av_guess_sample_aspect_ratio(fmt.get(), st, nullptr);
      if (sar.num > 0 && sar.den > 0) {
        av_reduce(&info.sar_num, &info.sar_den, sar.num, sar.den, 1 << 16);
      }
      if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0) info.fps = av_q2d(st->avg_frame_rate);
      if (info.duration <= 0 && st->duration != AV_NOPTS_VALUE) info.duration = st->duration * av_q2d(st->time_base);
      // Still pictures come through the image demuxers: image2 or <codec>_pipe (png_pipe, ...).
      const std::string fmt_name = fmt->iformat->name;
      info.is_image = fmt_name == "image2" ||
                      (fmt_name.size() > 5 && fmt_name.compare(fmt_name.size() - 5, 5, "_pipe") == 0);
    } else if (par->codec_type == AVMEDIA_TYPE_AUDIO && !info.has_audio) {
      info.has_audio = true;
      info.sample_rate = par->sample_rate;
      info.channels = par->ch_layout.nb_channels;
      info.audio_codec = avcodec_get_name(par->codec_id);
    }
  }
  if (info.is_image) info.duration = 0.0;
  return info;
}

}  // namespace reelforge
