// FNV-1a (64-bit) for content addressing: compile caching and srcversion.
export function fnv1a64(parts: (string | Uint8Array)[]): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const enc = new TextEncoder();
  for (const part of parts) {
    const bytes = typeof part === 'string' ? enc.encode(part) : part;
    for (let i = 0; i < bytes.length; i++) {
      h ^= BigInt(bytes[i]!);
      h = (h * prime) & 0xffffffffffffffffn;
    }
    h ^= 0xffn;
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
