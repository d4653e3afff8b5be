// The export pipeline, as named stages on their own threads joined by bounded queues
// (backpressure): decode (decode_stage.h) -> render: composite + NV12/RGBA readback
// (render_stage.h) -> encode + mux (encode_stage.h, outputs.h), watched by a Watchdog
// (watchdog.h), with progress and cancel. Outputs are opened before any frame (open_outputs);
// every option is checked before that (output_rules.h). Audio is mixed and encoded in the encode
// stage right after each video frame, so the packets of both streams are written interleaved.
//
// Output formats (codec_specs() in media/video_encoder.h): h264/hevc (.mp4 .mov .mkv .m4v) and
// vp9 (.webm .mkv; Opus audio in .webm) take the GPU's NV12 readback; prores 4444 with alpha
// (.mov), gif (.gif) and png sequences (frames/%05d.png, or a folder ending in '/') take the
// premultiplied RGBA readback, converted on the render thread (RgbaConverter). gif and png carry
// no audio.
#pragma once
#include <memory>

#include "export/export_hooks.h"
#include "export/export_options.h"
#include "export/output_rules.h"
#include "media/video_encoder.h"
#include "timeline/timeline.h"

namespace reelforge {

class Export {
 public:
  // Validates everything it can before any work (validate_export_options). `hooks`: tests only.
  Export(std::shared_ptr<const Timeline> timeline, ExportOptions options, LogFn log = {}, ExportHooks hooks = {});
  ~Export();  // cancels and joins if still running
  void start();
  bool started() const;
  // Waits up to `seconds`; true once the export has finished (successfully or not).
  bool wait_for(double seconds);
  ExportProgress progress() const;
  void cancel();
  // After wait_for() returned true: the result, or the export's exception rethrown.
  ExportResult result();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the supervisor thread
};

}  // namespace reelforge
