// Small helpers for wasm binaries: appending a custom section (our .modinfo).
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function appendCustomSection(wasm: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb(nameBytes.length), ...nameBytes];
  const size = body.length + payload.length;
  const header = [0, ...uleb(size)];
  const out = new Uint8Array(wasm.length + header.length + body.length + payload.length);
  out.set(wasm, 0);
  out.set(header, wasm.length);
  out.set(body, wasm.length + header.length);
  out.set(payload, wasm.length + header.length + body.length);
  return out;
}
