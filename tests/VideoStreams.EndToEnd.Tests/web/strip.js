// The capture-time strip of the agent's synthetic source, read in the browser (the writer and the reference reader
// are SyntheticPattern.cs in src/VideoStreams.Producer/Sources). 64 black or white blocks across the top
// stripHeight(h) rows of the frame, left to right: start marker (white, black), 44 bits of Unix epoch milliseconds
// (most significant first, white = 1), CRC-16/CCITT-FALSE of those bits taken as six big-endian bytes, end marker
// (black, white). Each block is judged by the mean of its middle (a quarter of its width and of the strip's height
// trimmed on each side) against mid-grey, which survives H.264 compression and scaling to RGB.
(function () {
  "use strict";
  const BLOCKS = 64;
  const TIME_BITS = 44;
  const CHECK_BITS = 16;

  /** Rows of the strip in a frame of `height` rows: a twelfth, rounded up to whole macroblocks, at least 16. */
  const stripHeight = (height) => Math.max(16, (Math.floor(height / 12) + 15) & ~15);

  const blockStart = (block, width) => Math.floor((block * width) / BLOCKS);

  /** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of a 44-bit value as six big-endian bytes. */
  const crc16 = (value) => {
    let crc = 0xffff;
    for (let i = 5; i >= 0; i--) {
      const byte = Math.floor(value / 2 ** (8 * i)) % 256;
      crc ^= byte << 8;
      for (let k = 0; k < 8; k++) {
        crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
    }
    return crc;
  };

  /**
   * The capture time (epoch ms) in a frame's strip, or null when there is no valid strip (markers or check wrong).
   * `rgba`: RGBA pixels (ImageData.data) of the frame's top rows, `width` pixels a row and at least
   * stripHeight(height) rows; `height`: the whole frame's height, which sets the strip's height.
   */
  const readCaptureTime = (rgba, width, height) => {
    const rows = stripHeight(height);
    if (width < 2 * BLOCKS || height < 64 || rgba.length < width * rows * 4) {
      return null;
    }
    const bits = new Array(BLOCKS);
    for (let block = 0; block < BLOCKS; block++) {
      const x0 = blockStart(block, width);
      const x1 = blockStart(block + 1, width);
      const inset = Math.floor((x1 - x0) / 4);
      let sum = 0;
      let count = 0;
      for (let y = Math.floor(rows / 4); y < rows - Math.floor(rows / 4); y++) {
        for (let x = x0 + inset; x < x1 - inset; x++) {
          const p = (y * width + x) * 4;
          sum += rgba[p] + rgba[p + 1] + rgba[p + 2];
          count += 3;
        }
      }
      bits[block] = sum > 128 * count;
    }
    if (!bits[0] || bits[1] || bits[BLOCKS - 2] || !bits[BLOCKS - 1]) {
      return null;
    }
    let value = 0;
    for (let i = 0; i < TIME_BITS; i++) {
      value = value * 2 + (bits[2 + i] ? 1 : 0);
    }
    let check = 0;
    for (let i = 0; i < CHECK_BITS; i++) {
      check = (check << 1) | (bits[2 + TIME_BITS + i] ? 1 : 0);
    }
    return check === crc16(value) ? value : null;
  };

  window.CaptureStrip = { stripHeight, readCaptureTime };
})();
