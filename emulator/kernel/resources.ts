// I/O port and memory resources (kernel/resource.c): the trees behind
// request_region/request_mem_region, /proc/ioports and /proc/iomem.
export interface Resource {
  start: number;
  end: number;
  name: string;
  owner?: string;
  children: Resource[];
}

export class ResourceTree {
  readonly root: Resource;

  constructor(name: string, end: number, private readonly digits: number) {
    this.root = { start: 0, end, name, children: [] };
  }

  /** __request_region: nests inside a parent that fully contains it; any partial overlap is a conflict. */
  request(start: number, n: number, name: string, owner?: string): Resource | undefined {
    const end = start + n - 1;
    const parent = this.parentFor(start, n, name);
    if (!parent) return undefined;
    const res: Resource = { start, end, name, owner, children: [] };
    parent.children.push(res);
    parent.children.sort((a, b) => a.start - b.start);
    return res;
  }

  /** check_region: whether request() would succeed, without claiming anything. */
  isFree(start: number, n: number, name = ''): boolean {
    return this.parentFor(start, n, name) !== undefined;
  }

  /** Where a region would nest, or undefined when it conflicts or lies outside the tree. */
  private parentFor(start: number, n: number, name: string): Resource | undefined {
    const end = start + n - 1;
    if (n <= 0 || start < this.root.start || end > this.root.end) return undefined;
    let parent = this.root;
    for (;;) {
      const child = parent.children.find((c) => start <= c.end && c.start <= end);
      if (!child) return parent;
      if (child.start <= start && end <= child.end && child.owner === undefined && child.children !== undefined && child.name !== name && isBusAlias(child)) {
        parent = child;
        continue;
      }
      return undefined;
    }
  }

  /** Claims for system devices that drivers may nest inside (none conflict by default). */
  insertSystem(start: number, end: number, name: string): Resource {
    const res: Resource = { start, end, name, children: [] };
    this.root.children.push(res);
    this.root.children.sort((a, b) => a.start - b.start);
    return res;
  }

  /** __release_region: true when a region with exactly this start and size existed. */
  release(start: number, n: number): boolean {
    const end = start + n - 1;
    const walk = (parent: Resource): boolean => {
      const i = parent.children.findIndex((c) => c.start === start && c.end === end);
      if (i >= 0 && parent.children[i]!.children.length === 0) { parent.children.splice(i, 1); return true; }
      return parent.children.some((c) => c.start <= start && end <= c.end && walk(c));
    };
    return walk(this.root);
  }

  /** Every region a module still holds (for rmmod leak checks). */
  ownedBy(owner: string): Resource[] {
    const out: Resource[] = [];
    const walk = (r: Resource) => { for (const c of r.children) { if (c.owner === owner) out.push(c); walk(c); } };
    walk(this.root);
    return out;
  }

  format(): string {
    let out = '';
    const walk = (r: Resource, depth: number) => {
      for (const c of r.children) {
        out += `${'  '.repeat(depth)}${hex(c.start, this.digits)}-${hex(c.end, this.digits)} : ${c.name}\n`;
        walk(c, depth + 1);
      }
    };
    walk(this.root, 0);
    return out;
  }
}

const busAliases = new WeakSet<Resource>();
function isBusAlias(r: Resource): boolean { return busAliases.has(r); }
/** Marks a system region (e.g. "PCI Bus 0000:00") that driver claims may nest inside. */
export function markContainer(r: Resource): Resource { busAliases.add(r); return r; }

function hex(v: number, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}
