#!/usr/bin/env bash
# Makes simulator/sample-video.mp4, the real H.264 video the simulator serves at the start of every
# media object large enough to hold it (simulator/media-bytes.ts pads it with a `free` box to the
# asset's size). Run once; the result is committed (about 20 KB). Needs ffmpeg (Debian: apt-get install ffmpeg).
# 180 s covers every transcript cue the simulator writes; 1 frame a second, a key frame every 10 s,
# a clock on a plain background: small, and seeking shows where it landed.
set -euo pipefail
cd "$(dirname "$0")/.."
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=0x1f3a5f:s=160x90:r=1,drawtext=text='%{pts\:hms}':fontcolor=white:fontsize=16:x=(w-tw)/2:y=(h-th)/2" \
  -t 180 -c:v libx264 -profile:v baseline -pix_fmt yuv420p -g 10 -crf 38 -preset veryslow \
  -movflags +faststart -map_metadata -1 -fflags +bitexact -flags:v +bitexact \
  simulator/sample-video.mp4
ls -l simulator/sample-video.mp4
