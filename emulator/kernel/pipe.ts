// Pipes (fs/pipe.c): a bounded buffer with readers and writers that sleep.
export const PIPE_BUF_SIZE = 65536;

export class Pipe {
  private chunks: Uint8Array[] = [];
  size = 0;
  readers = 0;
  writers = 0;

  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, PIPE_BUF_SIZE - this.size);
    if (n > 0) { this.chunks.push(bytes.slice(0, n)); this.size += n; }
    return n;
  }

  take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.size));
    let off = 0;
    while (off < out.length) {
      const c = this.chunks[0]!;
      const n = Math.min(c.length, out.length - off);
      out.set(c.subarray(0, n), off);
      off += n;
      if (n === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(n);
    }
    this.size -= out.length;
    return out;
  }
}
