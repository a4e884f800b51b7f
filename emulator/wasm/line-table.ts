// An address -> source position table, as addr2line uses one: sorted ranges,
// each starting at an address and running to the next entry. An entry
// without a file ends the range before it (the end of a sequence in DWARF, a
// generated segment in a source map).

export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface LineEntry {
  address: number;
  position: SourcePosition | undefined;
}

export class LineTable {
  private readonly entries: LineEntry[];

  constructor(entries: LineEntry[]) {
    // Stable: at one address the last entry wins, as the last row of a DWARF sequence does.
    this.entries = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.address - b.e.address || a.i - b.i).map(({ e }) => e);
  }

  get size(): number { return this.entries.length; }

  /** The source position of the code at `address`, if the table covers it with a line (line 0 is compiler-made code). */
  lookup(address: number): SourcePosition | undefined {
    const e = this.entries;
    let lo = 0, hi = e.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid]!.address <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const pos = found >= 0 ? e[found]!.position : undefined;
    return pos && pos.line > 0 ? pos : undefined;
  }

  /** The first position the table has in [start, end): a function's own line, for an address it does not cover. */
  firstIn(start: number, end: number): SourcePosition | undefined {
    return this.entries.find((e) => e.address >= start && e.address < end && e.position && e.position.line > 0)?.position;
  }

  /** Every entry with a position, in address order. */
  positions(): { address: number; position: SourcePosition }[] {
    return this.entries.filter((x): x is { address: number; position: SourcePosition } => x.position !== undefined);
  }
}
