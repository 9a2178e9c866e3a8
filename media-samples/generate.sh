#!/usr/bin/env bash
# Regenerates the sample media in this folder with ffmpeg (lavfi testsrc2 + sine).
# Every sample is keyframe-aligned: a fixed GOP (-g = -keyint_min, no scene-cut keyframes) and
# Matroska clusters that are cut only at video keyframes, so each cluster is one fragment.
# Run from anywhere: media-samples/generate.sh   (needs ffmpeg with libx264 and AAC, and mkvtoolnix)
set -euo pipefail
cd "$(dirname "$0")"
ff=(ffmpeg -hide_banner -loglevel error -y)
# Clusters split at keyframes only: time and size limits far above one GOP.
mkvopts=(-cluster_time_limit 60000 -cluster_size_limit 50000000)

# video NAME PROFILE SIZE FPS GOP SECONDS [extra x264 params]
video() {
  local name=$1 profile=$2 size=$3 fps=$4 gop=$5 secs=$6 audio=$7
  local in=(-f lavfi -i "testsrc2=size=$size:rate=$fps:duration=$secs")
  local amap=()
  if [ "$audio" = aac ]; then
    in+=(-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$secs")
    amap=(-c:a aac -b:a 64k -ac 2)
  fi
  "${ff[@]}" "${in[@]}" -c:v libx264 -profile:v "$profile" -preset veryfast -pix_fmt yuv420p \
    -g "$gop" -keyint_min "$gop" -sc_threshold 0 -b:v 300k -maxrate 400k -bufsize 800k \
    "${amap[@]}" "${mkvopts[@]}" "$name.mkv"
}

video baseline-640x360-25fps      baseline 640x360  25 50 6 none
video main-640x360-30fps-aac      main     640x360  30 60 6 aac
video high-1280x720-30fps-aac     high     1280x720 30 60 6 aac
video high-1280x720-25fps         high     1280x720 25 50 4 none

# A tiny file (a few KB) for exhaustive tests: every prefix of it is read in the malformed-input suite.
"${ff[@]}" -f lavfi -i "testsrc2=size=160x120:rate=10:duration=1" -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=1" \
  -c:v libx264 -profile:v high -preset veryfast -pix_fmt yuv420p -g 5 -keyint_min 5 -sc_threshold 0 -b:v 100k \
  -c:a aac -b:a 12k -ac 1 "${mkvopts[@]}" tiny-160x120-10fps-aac.mkv

# ffmpeg's live layout: unknown-size Segment, sized Clusters with CRC-32, no Cues.
"${ff[@]}" -i high-1280x720-30fps-aac.mkv -c copy -live 1 "${mkvopts[@]}" live-high-1280x720-30fps-aac.mkv

# Resolution change mid-stream: two encodes whose every IDR carries its SPS/PPS in band
# (repeat-headers), joined by the concat demuxer without re-encoding. The track's CodecPrivate
# holds the first SPS; the second SPS (1280x720) arrives in band at the change.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for s in 640x360 1280x720; do
  "${ff[@]}" -f lavfi -i "testsrc2=size=$s:rate=30:duration=3" -c:v libx264 -profile:v high \
    -preset veryfast -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0 -b:v 300k \
    -x264-params repeat-headers=1 "$tmp/$s.mkv"
  echo "file '$tmp/$s.mkv'" >> "$tmp/list.txt"
done
"${ff[@]}" -f concat -safe 0 -i "$tmp/list.txt" -c copy "${mkvopts[@]}" resolution-change.mkv

# mkvmerge's layout: BlockGroups instead of SimpleBlocks, and AAC frames laced several to a block
# (mkvmerge picks Xiph, EBML or fixed lacing per block, whichever is smallest).
mkvmerge -q -o laced-blockgroups-640x360-30fps-aac.mkv --engage no_simpleblocks main-640x360-30fps-aac.mkv

# Truncated: cut in the middle of a cluster, as a power cut during a write leaves it.
size=$(stat -c %s main-640x360-30fps-aac.mkv)
head -c $((size * 3 / 5 + 333)) main-640x360-30fps-aac.mkv > truncated.mkv

# MP4 copies for file-source tests.
"${ff[@]}" -i main-640x360-30fps-aac.mkv -c copy -movflags +faststart main-640x360-30fps-aac.mp4
"${ff[@]}" -i baseline-640x360-25fps.mkv -c copy -movflags +faststart baseline-640x360-25fps.mp4
