/**
 * What a PNG says about itself: the 8-byte signature, then the IHDR chunk (always first) with the
 * width and height. Enough for a test to tell that an uploaded file is a real image of that size.
 */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngSize(data: Buffer): { width: number; height: number } {
  if (data.length < 24 || !data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: no PNG signature');
  if (data.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('not a PNG: the first chunk is not IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
