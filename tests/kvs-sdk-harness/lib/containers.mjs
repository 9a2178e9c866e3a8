// Just enough of MP4 and JPEG to judge what the playback APIs return: the top-level boxes of an ISO BMFF file, and a
// JPEG's frame size (SOF marker).

/** Top-level boxes: [{ type, offset, size }]. Throws on a box that runs past the end. */
export function mp4Boxes(bytes) {
  const boxes = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    if (size === 1) {
      size = Number(bytes.readBigUInt64BE(offset + 8));
    } else if (size === 0) {
      size = bytes.length - offset;
    }
    if (size < 8 || offset + size > bytes.length) {
      throw new Error(`box ${JSON.stringify(type)} at ${offset} claims ${size} bytes; the file has ${bytes.length}`);
    }
    boxes.push({ type, offset, size });
    offset += size;
  }
  return boxes;
}

/** A baseline or progressive JPEG's { width, height }, or undefined when the bytes are not a JPEG. */
export function jpegSize(bytes) {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9) {
    return undefined;
  }
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    const length = bytes.readUInt16BE(offset + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}
