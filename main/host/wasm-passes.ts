// binaryen passes over the C code the machine runs. Preemption points for
// all of it (modules and user programs); for kernel modules, before
// Asyncify and the preemption points rewrite them:
//
//  * source lines: the DWARF line table of the linked module is attached to
//    binaryen's IR (each load, store, call, division... gets the position of
//    the original instruction), so that the positions follow the code through
//    every later pass and come out as a source map of the final binary. DWARF
//    itself would not survive those passes.
//  * memory checks: a load or store that could touch the NULL page or a wild
//    address traps there, leaving the address (emulator/wasm/faults.ts).
//  * a stack limit: the C stack may not grow below the running task's stack.
import type binaryenModule from 'binaryen';
import { bodyAnchors, codeLayout, type AnchorKind } from '../../emulator/wasm/binary.js';
import { DwarfError, dwarfLineTable } from '../../emulator/wasm/dwarf-line.js';
import type { SourcePosition } from '../../emulator/wasm/line-table.js';
import { ADDRESS_LIMIT, FAULT_ADDRESS_GLOBAL, FAULT_BULK, FAULT_KIND_GLOBAL, FAULT_SITE_SHIFT, FAULT_STACK, FAULT_WRITE, NULL_GUARD, STACK_LIMIT_GLOBAL } from '../../emulator/wasm/faults.js';

type Binaryen = typeof binaryenModule;
type Module = InstanceType<Binaryen['Module']>;
type Ref = number;

/** Raw C API entry points binaryen.js exports but does not declare. */
interface BinaryenRaw {
  _BinaryenFunctionAddVar(func: number, type: number): number;
  _BinaryenLoadSetPtr(expr: Ref, ptr: Ref): void;
  _BinaryenStoreSetPtr(expr: Ref, ptr: Ref): void;
  _BinaryenMemoryCopySetDest(expr: Ref, dest: Ref): void;
  _BinaryenMemoryCopySetSource(expr: Ref, source: Ref): void;
  _BinaryenMemoryCopySetSize(expr: Ref, size: Ref): void;
  _BinaryenMemoryFillSetDest(expr: Ref, dest: Ref): void;
  _BinaryenMemoryFillSetSize(expr: Ref, size: Ref): void;
  _BinaryenGlobalSetSetValue(expr: Ref, value: Ref): void;
  _BinaryenLoopGetBody(expr: Ref): Ref;
  _BinaryenLoopSetBody(expr: Ref, body: Ref): void;
  _BinaryenFunctionSetBody(func: number, body: Ref): void;
}

/** Where each anchor expression of a function came from in the C source. */
export type Positions = Map<Ref, SourcePosition>;

interface Info { id: number; [field: string]: unknown }

/** The operands of an expression in evaluation order: the order its instructions had in the binary. */
function children(b: Binaryen, info: Info): Ref[] {
  const list = (...xs: unknown[]) => xs.filter((x): x is Ref => typeof x === 'number' && x !== 0);
  switch (info.id) {
    case b.BlockId: return list(...(info.children as Ref[]));
    case b.IfId: return list(info.condition, info.ifTrue, info.ifFalse);
    case b.LoopId: return list(info.body);
    case b.BreakId: case b.SwitchId: return list(info.value, info.condition);
    case b.CallId: return list(...(info.operands as Ref[]));
    case b.CallIndirectId: return list(...(info.operands as Ref[]), info.target);
    case b.LocalSetId: case b.GlobalSetId: case b.UnaryId: case b.DropId: case b.ReturnId: return list(info.value);
    case b.LoadId: return list(info.ptr);
    case b.StoreId: return list(info.ptr, info.value);
    case b.BinaryId: return list(info.left, info.right);
    case b.SelectId: return list(info.ifTrue, info.ifFalse, info.condition);
    case b.MemoryGrowId: return list(info.delta);
    case b.MemoryCopyId: return list(info.dest, info.source, info.size);
    case b.MemoryFillId: return list(info.dest, info.value, info.size);
    case b.MemoryInitId: return list(info.dest, info.offset, info.size);
    default: return [];
  }
}

function anchorKind(b: Binaryen, info: Info): AnchorKind | undefined {
  switch (info.id) {
    case b.LoadId: return 'load';
    case b.StoreId: return 'store';
    case b.CallId: return 'call';
    case b.CallIndirectId: return 'call_indirect';
    case b.UnreachableId: return 'unreachable';
    case b.MemoryCopyId: return 'memory.copy';
    case b.MemoryFillId: return 'memory.fill';
    case b.GlobalSetId: return 'global.set';
    case b.BinaryId: {
      const op = info.op as number;
      return [b.DivSInt32, b.DivUInt32, b.RemSInt32, b.RemUInt32, b.DivSInt64, b.DivUInt64, b.RemSInt64, b.RemUInt64].includes(op) ? 'divide' : undefined;
    }
    default: return undefined;
  }
}

/** binaryen.js describes most expressions; the ones without fields (nop, unreachable) it cannot. */
function describe(b: Binaryen, e: Ref): Info {
  const id = b.getExpressionId(e);
  if (id === b.UnreachableId || id === b.NopId) return { id };
  try {
    return b.getExpressionInfo(e) as unknown as Info;
  } catch {
    return { id };
  }
}

/**
 * Post-order walk (operands, then the expression): the order of the binary's instructions.
 * A structured instruction (loop) comes before its body in the binary: `pre` sees those in that order.
 */
function walk(b: Binaryen, root: Ref, visit: (e: Ref, info: Info) => void, pre?: (e: Ref, info: Info) => void): void {
  const go = (e: Ref) => {
    const info = describe(b, e);
    pre?.(e, info);
    for (const c of children(b, info)) go(c);
    visit(e, info);
  };
  if (root) go(root);
}

function definedFunctions(b: Binaryen, mod: Module): { ref: number; name: string; body: Ref }[] {
  const out: { ref: number; name: string; body: Ref }[] = [];
  for (let i = 0, n = mod.getNumFunctions(); i < n; i++) {
    const ref = mod.getFunctionByIndex(i);
    const fi = b.getFunctionInfo(ref);
    if (!fi.module) out.push({ ref, name: fi.name, body: fi.body });
  }
  return out;
}

/**
 * The passes over one kernel module, in the order they must run (before the
 * preemption points and Asyncify): attachSourcePositions(), then the checks,
 * which report the source line of the access they guard.
 */
export class KernelCodePasses {
  private readonly raw: BinaryenRaw;
  private readonly files = new Map<string, number>();
  /** Per function: the source position of each anchor expression. */
  private readonly positions = new Map<number, Positions>();

  constructor(private readonly b: Binaryen, private readonly mod: Module) {
    this.raw = b as unknown as BinaryenRaw;
  }

  private fileIndex(file: string): number {
    let i = this.files.get(file);
    if (i === undefined) { i = this.mod.addDebugInfoFileName(file); this.files.set(file, i); }
    return i;
  }

  private locate(fn: number, e: Ref, pos: SourcePosition | undefined): void {
    if (pos) this.mod.setDebugLocation(fn, e, this.fileIndex(pos.file), pos.line, pos.column);
  }

  /**
   * Gives each anchor expression (load, store, call, division, ...) the
   * source position its instruction has in `original`'s DWARF line table.
   * binaryen's reader keeps the instructions of a kind in binary order, so
   * the k-th load of a function in the IR is its k-th load in the binary; in
   * a function where the counts disagree, that kind keeps no positions.
   */
  attachSourcePositions(original: Uint8Array): void {
    const { b, mod } = this;
    let table;
    try {
      table = dwarfLineTable(original);
    } catch (e) {
      // Lines are a help in an oops, not a reason to refuse a module: without them it still loads.
      if (e instanceof DwarfError) return;
      throw e;
    }
    if (!table) return;
    const layout = codeLayout(original);
    definedFunctions(b, mod).forEach((fn, k) => {
      const body = layout.bodies[k];
      const anchors = body && bodyAnchors(original, body);
      if (!anchors) return;
      const fromBinary = new Map<AnchorKind, number[]>();
      for (const a of anchors) {
        let list = fromBinary.get(a.kind);
        if (!list) fromBinary.set(a.kind, (list = []));
        list.push(a.offset - layout.codeStart);
      }
      const fromIr = new Map<AnchorKind, Ref[]>();
      const note = (kind: AnchorKind, e: Ref) => {
        let list = fromIr.get(kind);
        if (!list) fromIr.set(kind, (list = []));
        list.push(e);
      };
      walk(b, fn.body, (e, info) => {
        const kind = anchorKind(b, info);
        if (kind) note(kind, e);
      }, (e, info) => { if (info.id === b.LoopId) note('loop', e); });
      const positions: Positions = new Map();
      let first: { address: number; pos: SourcePosition } | undefined;
      for (const [kind, exprs] of fromIr) {
        const addresses = fromBinary.get(kind);
        if (!addresses || addresses.length !== exprs.length) continue;
        exprs.forEach((e, i) => {
          const pos = table.lookup(addresses[i]!);
          if (!pos) return;
          positions.set(e, pos);
          if (!first || addresses[i]! < first.address) first = { address: addresses[i]!, pos };
          // A loop is no instruction of its own in the final code: its position is for its preemption point.
          if (kind !== 'loop') this.locate(fn.ref, e, pos);
        });
      }
      this.positions.set(fn.ref, positions);
      if (first) this.entries.set(fn.ref, first.pos);
    });
  }

  /** The source position of a function's first statement, for its entry's preemption point. */
  private readonly entries = new Map<number, SourcePosition>();

  /**
   * Where a preemption point reports being (a soft lockup's RIP): in a loop, the loop's line;
   * at a function's entry, its first line. For addPreemptionPoints().
   */
  readonly locatePoint = (fn: number, at: Ref | 'entry', point: Ref): void => {
    const positions = this.positions.get(fn);
    let pos: SourcePosition | undefined;
    if (at === 'entry') pos = this.entries.get(fn);
    else if (positions) {
      // The line of the loop's first statement: clang often gives the loop instruction itself
      // the line before the loop, or none.
      walk(this.b, at, (e) => { if (e !== at) pos ??= positions.get(e); });
      pos ??= positions.get(at);
    }
    this.locate(fn, point, pos);
  };

  private sites = 0;

  /**
   * A firing check's code: the address and the kind of access into the fault
   * globals, then the trap. Each check numbers its kind (FAULT_SITE_SHIFT), so
   * that no optimizer folds two traps, and their source lines, into one.
   */
  private faultTrap(fn: number, address: Ref, kind: number, at: Ref): Ref {
    const { b, mod } = this;
    const trap = mod.unreachable();
    const site = ++this.sites;
    const block = mod.block(null, [
      mod.global.set(FAULT_ADDRESS_GLOBAL, address),
      mod.global.set(FAULT_KIND_GLOBAL, mod.i32.const(kind | (site << FAULT_SITE_SHIFT))),
      trap,
    ], b.none);
    // The trap reports the source line of the access it guards.
    const pos = this.positions.get(fn)?.get(at);
    this.locate(fn, trap, pos);
    this.locate(fn, block, pos);
    return block;
  }

  /**
   * Puts a check before every load and store whose effective address
   * (pointer + static offset) could be below NULL_GUARD or at or past
   * ADDRESS_LIMIT: one wrapping add and an unsigned compare with a constant.
   * Accesses at constant addresses in range (globals) need none. memory.copy
   * and memory.fill check their destination (and source) ranges.
   */
  addMemoryChecks(): void {
    const { b, mod } = this;
    mod.addGlobal(FAULT_ADDRESS_GLOBAL, b.i32, true, mod.i32.const(0));
    mod.addGlobal(FAULT_KIND_GLOBAL, b.i32, true, mod.i32.const(0));
    mod.addGlobalExport(FAULT_ADDRESS_GLOBAL, FAULT_ADDRESS_GLOBAL);
    mod.addGlobalExport(FAULT_KIND_GLOBAL, FAULT_KIND_GLOBAL);
    for (const fn of definedFunctions(b, mod)) {
      const accesses: { e: Ref; info: Info }[] = [];
      walk(b, fn.body, (e, info) => {
        if (info.id === b.LoadId || info.id === b.StoreId || info.id === b.MemoryCopyId || info.id === b.MemoryFillId) accesses.push({ e, info });
      });
      let scratch = -1;
      const temp = () => (scratch >= 0 ? scratch : (scratch = this.raw._BinaryenFunctionAddVar(fn.ref, b.i32)));
      for (const { e, info } of accesses) {
        if (info.id === b.LoadId || info.id === b.StoreId) this.checkAccess(fn.ref, e, info, temp);
        else this.checkBulk(fn.ref, e, info);
      }
    }
  }

  private checkAccess(fn: number, e: Ref, info: Info, temp: () => number): void {
    const { b, mod, raw } = this;
    const ptr = info.ptr as Ref;
    const offset = info.offset as number;
    const bytes = info.bytes as number;
    const ptrInfo = describe(b, ptr);
    if (ptrInfo.id === b.ConstId) {
      const ea = ((ptrInfo.value as number) >>> 0) + offset;
      if (ea >= NULL_GUARD && ea + bytes <= ADDRESS_LIMIT) return;
    }
    const t = temp();
    const kind = bytes | (info.id === b.StoreId ? FAULT_WRITE : 0);
    // ptr + offset - NULL_GUARD wraps around for the NULL page: one compare covers both ends.
    const outside = mod.i32.ge_u(
      mod.i32.add(mod.local.tee(t, ptr, b.i32), mod.i32.const((offset - NULL_GUARD) | 0)),
      mod.i32.const(ADDRESS_LIMIT - NULL_GUARD - bytes + 1),
    );
    const checked = mod.block(null, [
      mod.if(outside, this.faultTrap(fn, mod.i32.add(mod.local.get(t, b.i32), mod.i32.const(offset | 0)), kind, e)),
      mod.local.get(t, b.i32),
    ], b.i32);
    if (info.id === b.LoadId) raw._BinaryenLoadSetPtr(e, checked);
    else raw._BinaryenStoreSetPtr(e, checked);
  }

  /**
   * memory.copy(dest, src, n) / memory.fill(dest, value, n): a non-empty range
   * must lie in [NULL_GUARD, ADDRESS_LIMIT). The operands are evaluated in
   * that order, so dest and src are kept in locals and checked in the size
   * operand, once n is known.
   */
  private checkBulk(fn: number, e: Ref, info: Info): void {
    const { b, mod, raw } = this;
    const isCopy = info.id === b.MemoryCopyId;
    const [dest, src, size] = [0, 1, 2].map(() => raw._BinaryenFunctionAddVar(fn, b.i32)) as [number, number, number];
    const outside = (addr: number) => mod.i32.and(
      mod.i32.ne(mod.local.get(size, b.i32), mod.i32.const(0)),
      mod.i32.or(
        mod.i32.lt_u(mod.local.get(addr, b.i32), mod.i32.const(NULL_GUARD)),
        mod.i32.gt_u(mod.local.get(size, b.i32), mod.i32.sub(mod.i32.const(ADDRESS_LIMIT), mod.local.get(addr, b.i32))),
      ),
    );
    const checks = [mod.if(outside(dest), this.faultTrap(fn, mod.local.get(dest, b.i32), FAULT_BULK | FAULT_WRITE, e))];
    if (isCopy) checks.push(mod.if(outside(src), this.faultTrap(fn, mod.local.get(src, b.i32), FAULT_BULK, e)));
    const checkedSize = mod.block(null, [mod.local.set(size, info.size as Ref), ...checks, mod.local.get(size, b.i32)], b.i32);
    if (isCopy) {
      raw._BinaryenMemoryCopySetDest(e, mod.local.tee(dest, info.dest as Ref, b.i32));
      raw._BinaryenMemoryCopySetSource(e, mod.local.tee(src, info.source as Ref, b.i32));
      raw._BinaryenMemoryCopySetSize(e, checkedSize);
    } else {
      raw._BinaryenMemoryFillSetDest(e, mod.local.tee(dest, info.dest as Ref, b.i32));
      raw._BinaryenMemoryFillSetSize(e, checkedSize);
    }
  }

  /**
   * Every write of __stack_pointer checks the new value against the exported
   * STACK_LIMIT_GLOBAL, which the kernel sets to the bottom of the running
   * task's stack: a C stack that grows past it traps instead of overwriting
   * what lies below, as Linux's guard page below a vmap'd stack does.
   */
  addStackLimit(): void {
    const { b, mod, raw } = this;
    mod.addGlobal(STACK_LIMIT_GLOBAL, b.i32, true, mod.i32.const(NULL_GUARD));
    mod.addGlobalExport(STACK_LIMIT_GLOBAL, STACK_LIMIT_GLOBAL);
    for (const fn of definedFunctions(b, mod)) {
      const sets: { e: Ref; info: Info }[] = [];
      walk(b, fn.body, (e, info) => { if (info.id === b.GlobalSetId && info.name === '__stack_pointer') sets.push({ e, info }); });
      if (!sets.length) continue;
      const t = raw._BinaryenFunctionAddVar(fn.ref, b.i32);
      for (const { e, info } of sets) {
        const checked = mod.block(null, [
          mod.if(mod.i32.lt_u(mod.local.tee(t, info.value as Ref, b.i32), mod.global.get(STACK_LIMIT_GLOBAL, b.i32)),
            this.faultTrap(fn.ref, mod.local.get(t, b.i32), FAULT_STACK | FAULT_WRITE, e)),
          mod.local.get(t, b.i32),
        ], b.i32);
        raw._BinaryenGlobalSetSetValue(e, checked);
      }
    }
  }
}

/**
 * Preemption points (ARCHITECTURE.md, "preemption points and lockups"): every
 * loop header and function entry spends one unit of the exported fuel counter
 * `__dl_fuel`, and calls the `tick` import ("module.name") when it runs out.
 * The check is put in place as code, not as a call to inline: an inlining
 * pass would inline the learner's small functions too, and an oops could no
 * longer name them.
 */
export function addPreemptionPoints(b: Binaryen, mod: Module, tick: string, locate?: KernelCodePasses['locatePoint']): void {
  const [tickModule, tickBase] = tick.split('.') as [string, string];
  const fuel = '__dl_fuel';
  mod.addGlobal(fuel, b.i32, true, mod.i32.const(0));
  mod.addGlobalExport(fuel, fuel);
  mod.addFunctionImport('__dl_tick', tickModule, tickBase, b.none, b.none);
  const point = (fn: number, at: Ref | 'entry') => {
    const tickCall = mod.call('__dl_tick', [], b.none);
    locate?.(fn, at, tickCall);
    return mod.block(null, [
      mod.global.set(fuel, mod.i32.sub(mod.global.get(fuel, b.i32), mod.i32.const(1))),
      mod.if(mod.i32.lt_s(mod.global.get(fuel, b.i32), mod.i32.const(0)), tickCall),
    ], b.none);
  };
  const raw = b as unknown as BinaryenRaw;
  for (const fn of definedFunctions(b, mod)) {
    const loops: Ref[] = [];
    walk(b, fn.body, (e, info) => { if (info.id === b.LoopId) loops.push(e); });
    for (const loop of loops) raw._BinaryenLoopSetBody(loop, mod.block(null, [point(fn.ref, loop), raw._BinaryenLoopGetBody(loop)], b.auto));
    raw._BinaryenFunctionSetBody(fn.ref, mod.block(null, [point(fn.ref, 'entry'), b.getFunctionInfo(fn.ref).body], b.auto));
  }
}
