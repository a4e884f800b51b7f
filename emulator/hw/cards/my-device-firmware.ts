// The MY_DEVICE firmware image format ("BIOS download"), the official image, and the C header
// `<asm/my_device_fw.h>` through which drivers receive it.
//
// Reference: shared/design/my_device-datasheet.md, "Firmware". Format: bytes 0-3 "MDFW", byte 4
// version, bytes 5-6 body length (LE), the body, then one checksum byte chosen so that the sum of
// every byte of the image is 0 mod 256. The card checks exactly this at start-up (ERROR=2 if not).

export const FW_MAGIC = 'MDFW';
/** Magic (4) + version (1) + body length (2). */
export const FW_HEADER_SIZE = 7;
export const FW_CHECKSUM_SIZE = 1;
/** The firmware load area of the shared-memory window is 4 KiB; no image can be larger. */
export const FW_MAX_IMAGE_SIZE = 0x1000;
export const FW_MAX_BODY_SIZE = FW_MAX_IMAGE_SIZE - FW_HEADER_SIZE - FW_CHECKSUM_SIZE;
/** The body of the official image: 256 bytes, enough to make a memcpy_toio worth doing. */
export const FW_OFFICIAL_BODY_SIZE = 256;

export type FirmwareCheck =
  | { ok: true; version: number; size: number }
  | { ok: false; reason: string };

/**
 * Checks an image the way the card's boot ROM does. `bytes` may be longer than the image (the whole
 * load area); only the bytes the header announces count.
 */
export function checkFirmwareImage(bytes: Uint8Array): FirmwareCheck {
  if (bytes.length < FW_HEADER_SIZE + FW_CHECKSUM_SIZE) {
    return { ok: false, reason: `image of ${bytes.length} bytes is shorter than the ${FW_HEADER_SIZE + FW_CHECKSUM_SIZE}-byte minimum` };
  }
  for (let i = 0; i < FW_MAGIC.length; i++) {
    if (bytes[i] !== FW_MAGIC.charCodeAt(i)) {
      return { ok: false, reason: `bad magic ${describeMagic(bytes)} (expected "MDFW"): no firmware was copied to offset 0x1000?` };
    }
  }
  const version = bytes[4]!;
  const bodyLength = bytes[5]! | (bytes[6]! << 8);
  const size = FW_HEADER_SIZE + bodyLength + FW_CHECKSUM_SIZE;
  if (size > FW_MAX_IMAGE_SIZE || size > bytes.length) {
    return { ok: false, reason: `body length ${bodyLength} makes a ${size}-byte image, larger than the ${Math.min(FW_MAX_IMAGE_SIZE, bytes.length)}-byte load area` };
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum = (sum + bytes[i]!) & 0xff;
  if (sum !== 0) {
    return { ok: false, reason: `checksum error: the ${size} image bytes sum to 0x${sum.toString(16).padStart(2, '0')} mod 256, not 0 (image truncated or corrupted?)` };
  }
  return { ok: true, version, size };
}

/** The official body: a readable banner, then a fixed pattern. Deterministic, so the image is too. */
function officialBody(): Uint8Array {
  const body = new Uint8Array(FW_OFFICIAL_BODY_SIZE);
  const banner = 'MY_DEVICE multiport firmware 1.0';
  for (let i = 0; i < body.length; i++) {
    body[i] = i < banner.length ? banner.charCodeAt(i) : (i * 37 + 11) & 0xff;
  }
  return body;
}

/** Builds a valid image: header, body, checksum. */
export function buildFirmwareImage(version = 1, body: Uint8Array = officialBody()): Uint8Array {
  if (!Number.isInteger(version) || version < 0 || version > 0xff) throw new RangeError(`firmware version must be a byte, got ${version}`);
  if (body.length > FW_MAX_BODY_SIZE) throw new RangeError(`firmware body of ${body.length} bytes exceeds the ${FW_MAX_BODY_SIZE}-byte maximum`);
  const image = new Uint8Array(FW_HEADER_SIZE + body.length + FW_CHECKSUM_SIZE);
  for (let i = 0; i < FW_MAGIC.length; i++) image[i] = FW_MAGIC.charCodeAt(i);
  image[4] = version;
  image[5] = body.length & 0xff;
  image[6] = body.length >> 8;
  image.set(body, FW_HEADER_SIZE);
  let sum = 0;
  for (let i = 0; i < image.length - 1; i++) sum = (sum + image[i]!) & 0xff;
  image[image.length - 1] = (0x100 - sum) & 0xff;
  return image;
}

/** The image every driver ships (version 1, 256-byte body, 264 bytes in all). */
export const MY_DEVICE_FW: Uint8Array = buildFirmwareImage();

/** The text of `<asm/my_device_fw.h>`: `my_device_fw[]` and `MY_DEVICE_FW_SIZE`. */
export function firmwareHeaderC(image: Uint8Array = MY_DEVICE_FW): string {
  const lines: string[] = [];
  for (let i = 0; i < image.length; i += 12) {
    const row = Array.from(image.subarray(i, i + 12), (b) => '0x' + b.toString(16).padStart(2, '0'));
    lines.push('\t' + row.join(', ') + ',');
  }
  return [
    '/* <asm/my_device_fw.h>: firmware image for the MY_DEVICE multiport card.',
    ' * Copy it to offset 0x1000 of the shared-memory window between the two CONTROL',
    ' * writes of the start-up sequence (see the MY_DEVICE datasheet). Generated; do not edit. */',
    '#ifndef _ASM_MY_DEVICE_FW_H',
    '#define _ASM_MY_DEVICE_FW_H',
    '',
    `#define MY_DEVICE_FW_SIZE ${image.length}`,
    '',
    'static const unsigned char my_device_fw[] = {',
    ...lines,
    '};',
    '',
    '#endif /* _ASM_MY_DEVICE_FW_H */',
    '',
  ].join('\n');
}

function describeMagic(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
}
