// A fast 64-bit content hash (two independent 32-bit FNV-1a lanes) for
// content addressing: compile caching and srcversion. Not cryptographic.
export function fnv1a64(parts: (string | Uint8Array)[]): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  const enc = new TextEncoder();
  for (const part of parts) {
    const bytes = typeof part === 'string' ? enc.encode(part) : part;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      h1 = Math.imul(h1 ^ b, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ 0xff, 0x01000193);
    h2 = Math.imul(h2 ^ (bytes.length & 0xff), 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
