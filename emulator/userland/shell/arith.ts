// Shell arithmetic (`$((...))`, POSIX XCU 2.6.4 with bash's operator set): signed 64-bit integers,
// C precedence, variables by bare name (a variable holding an expression is evaluated, as in
// bash), assignments, ++/--, short-circuit && || and ?:. Errors use bash's wording.

export interface ArithmeticVariables {
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
}

/** An arithmetic or other expansion-time failure; the message is bash's, without the `bash: ` prefix. */
export class ExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpansionError';
  }
}

type Node =
  | { kind: 'number'; value: bigint }
  | { kind: 'variable'; name: string }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'update'; op: '++' | '--'; prefix: boolean; name: string }
  | { kind: 'binary'; op: string; left: Node; right: Node; at: number }
  | { kind: 'logical'; op: '&&' | '||'; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; then: Node; otherwise: Node }
  | { kind: 'assign'; op: string; name: string; value: Node; at: number }
  | { kind: 'comma'; left: Node; right: Node };

const OPERATORS = [
  '<<=', '>>=', '**', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=',
  '+', '-', '*', '/', '%', '<', '>', '&', '^', '|', '!', '~', '?', ':', '=', '(', ')', ',',
];

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=']);

/** Binary operators by precedence level, loosest first. */
const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

const MAX_DEPTH = 256;

type Token = { kind: 'number' | 'name' | 'op'; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const number = /^[0-9][0-9A-Za-z_#@]*/.exec(rest)?.[0];
    const name = number === undefined ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0] : undefined;
    const word = number ?? name;
    if (word !== undefined) {
      tokens.push({ kind: number !== undefined ? 'number' : 'name', text: word, at: i });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (op === undefined) throw syntaxError(text, i, 'invalid arithmetic operator');
    tokens.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  return tokens;
}

function syntaxError(text: string, at: number, what: string): ExpansionError {
  return new ExpansionError(`${text}: syntax error: ${what} (error token is "${text.slice(at)}")`);
}

export function parseNumber(literal: string, expression: string): bigint {
  let base = 10;
  let digits = literal;
  const hash = literal.indexOf('#');
  if (hash >= 0) {
    base = Number(literal.slice(0, hash));
    digits = literal.slice(hash + 1);
    if (!Number.isInteger(base) || base < 2 || base > 64) {
      throw new ExpansionError(`${expression}: invalid arithmetic base (error token is "${literal}")`);
    }
  } else if (/^0[xX]/.test(literal)) {
    base = 16;
    digits = literal.slice(2);
  } else if (literal.length > 1 && literal.startsWith('0')) {
    base = 8;
    digits = literal.slice(1);
  }
  if (digits === '') throw new ExpansionError(`${expression}: invalid number (error token is "${literal}")`);
  let value = 0n;
  for (const digit of digits) {
    const d = digitValue(digit, base);
    if (d < 0 || d >= base) {
      throw new ExpansionError(`${expression}: value too great for base (error token is "${literal}")`);
    }
    value = BigInt.asIntN(64, value * BigInt(base) + BigInt(d));
  }
  return value;
}

/** bash's digits: 0-9, a-z, A-Z, @, _ (letters are case-insensitive up to base 36). */
function digitValue(digit: string, base: number): number {
  if (digit >= '0' && digit <= '9') return digit.charCodeAt(0) - 48;
  if (digit >= 'a' && digit <= 'z') return digit.charCodeAt(0) - 97 + 10;
  if (digit >= 'A' && digit <= 'Z') return digit.charCodeAt(0) - 65 + (base <= 36 ? 10 : 36);
  if (digit === '@') return 62;
  if (digit === '_') return 63;
  return -1;
}

class ArithParser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[], private readonly text: string) {}

  parse(): Node {
    const node = this.comma();
    const extra = this.tokens[this.index];
    if (extra !== undefined) {
      throw new ExpansionError(`${this.text}: syntax error in expression (error token is "${this.text.slice(extra.at)}")`);
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private acceptOp(...ops: string[]): Token | null {
    const token = this.tokens[this.index];
    if (token?.kind === 'op' && ops.includes(token.text)) {
      this.index++;
      return token;
    }
    return null;
  }

  /** bash names the token it choked on: the next one, or at the end the last one read. */
  private operandExpected(): ExpansionError {
    const at = this.peek()?.at ?? this.tokens[this.tokens.length - 1]?.at ?? this.text.length;
    return syntaxError(this.text, at, 'operand expected');
  }

  private comma(): Node {
    let left = this.assignment();
    while (this.acceptOp(',')) left = { kind: 'comma', left, right: this.assignment() };
    return left;
  }

  private assignment(): Node {
    const name = this.peek();
    const op = this.tokens[this.index + 1];
    if (name?.kind === 'name' && op?.kind === 'op' && ASSIGN_OPS.has(op.text)) {
      this.index += 2;
      this.enter();
      const value = this.assignment();
      this.depth--;
      return { kind: 'assign', op: op.text, name: name.text, value, at: op.at };
    }
    return this.conditional();
  }

  private conditional(): Node {
    const test = this.binary(-2);
    if (!this.acceptOp('?')) return test;
    this.enter();
    const then = this.comma();
    if (!this.acceptOp(':')) throw syntaxError(this.text, this.peek()?.at ?? this.text.length, "`:' expected for conditional expression");
    const otherwise = this.assignment();
    this.depth--;
    return { kind: 'conditional', test, then, otherwise };
  }

  /** Level -2 is ||, -1 is &&, then BINARY_LEVELS. */
  private binary(level: number): Node {
    if (level >= BINARY_LEVELS.length) return this.power();
    let left = this.binary(level + 1);
    while (true) {
      if (level < 0) {
        const op = this.acceptOp(level === -2 ? '||' : '&&');
        if (op === null) return left;
        left = { kind: 'logical', op: op.text as '&&' | '||', left, right: this.binary(level + 1) };
      } else {
        const op = this.acceptOp(...(BINARY_LEVELS[level] as string[]));
        if (op === null) return left;
        left = { kind: 'binary', op: op.text, left, right: this.binary(level + 1), at: op.at };
      }
    }
  }

  private power(): Node {
    const base = this.unary();
    const op = this.acceptOp('**');
    if (op === null) return base;
    this.enter();
    const exponent = this.power();
    this.depth--;
    return { kind: 'binary', op: '**', left: base, right: exponent, at: op.at };
  }

  private unary(): Node {
    const op = this.acceptOp('+', '-', '!', '~', '++', '--');
    if (op === null) return this.postfix();
    this.enter();
    let node: Node;
    if (op.text === '++' || op.text === '--') {
      const name = this.peek();
      if (name?.kind !== 'name') throw this.operandExpected();
      this.index++;
      node = { kind: 'update', op: op.text, prefix: true, name: name.text };
    } else {
      node = { kind: 'unary', op: op.text, operand: this.unary() };
    }
    this.depth--;
    return node;
  }

  private postfix(): Node {
    const token = this.peek();
    if (token === undefined) throw this.operandExpected();
    if (token.kind === 'number') {
      this.index++;
      return { kind: 'number', value: parseNumber(token.text, this.text) };
    }
    if (token.kind === 'name') {
      this.index++;
      const op = this.acceptOp('++', '--');
      if (op !== null) return { kind: 'update', op: op.text as '++' | '--', prefix: false, name: token.text };
      return { kind: 'variable', name: token.text };
    }
    if (this.acceptOp('(')) {
      this.enter();
      const inner = this.comma();
      this.depth--;
      if (!this.acceptOp(')')) throw syntaxError(this.text, this.peek()?.at ?? this.text.length, "missing `)'");
      return inner;
    }
    throw this.operandExpected();
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) throw new ExpansionError(`${this.text}: expression recursion level exceeded`);
  }
}

class Evaluator {
  constructor(
    private readonly vars: ArithmeticVariables,
    private readonly text: string,
    /** How many variables deep this evaluation is (`a=b; b=c; c=1`). */
    private readonly depth = 0,
  ) {}

  evaluate(node: Node): bigint {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'variable':
        return this.variable(node.name);
      case 'unary':
        return this.unary(node.op, this.evaluate(node.operand));
      case 'update': {
        const old = this.variable(node.name);
        const updated = BigInt.asIntN(64, node.op === '++' ? old + 1n : old - 1n);
        this.vars.setVar(node.name, updated.toString());
        return node.prefix ? updated : old;
      }
      case 'binary':
        return this.binary(node.op, this.evaluate(node.left), this.evaluate(node.right), node.at);
      case 'logical': {
        const left = this.evaluate(node.left) !== 0n;
        if (node.op === '&&' ? !left : left) return node.op === '&&' ? 0n : 1n;
        return this.evaluate(node.right) !== 0n ? 1n : 0n;
      }
      case 'conditional':
        return this.evaluate(node.test) !== 0n ? this.evaluate(node.then) : this.evaluate(node.otherwise);
      case 'assign': {
        const right = this.evaluate(node.value);
        const value = node.op === '=' ? right : this.binary(node.op.slice(0, -1), this.variable(node.name), right, node.at);
        this.vars.setVar(node.name, value.toString());
        return value;
      }
      case 'comma':
        this.evaluate(node.left);
        return this.evaluate(node.right);
    }
  }

  /** An unset or empty variable is 0; any other value is itself an expression (bash). */
  private variable(name: string): bigint {
    const value = this.vars.getVar(name)?.trim() ?? '';
    if (value === '') return 0n;
    if (/^-?[0-9]+$/.test(value) && !/^-?0[0-9]/.test(value)) return BigInt.asIntN(64, BigInt(value));
    if (this.depth >= MAX_DEPTH) throw new ExpansionError(`${name}: expression recursion level exceeded (error token is "${name}")`);
    return new Evaluator(this.vars, value, this.depth + 1).evaluate(parse(value));
  }

  private unary(op: string, value: bigint): bigint {
    switch (op) {
      case '-':
        return BigInt.asIntN(64, -value);
      case '!':
        return value === 0n ? 1n : 0n;
      case '~':
        return BigInt.asIntN(64, ~value);
      default:
        return value;
    }
  }

  private binary(op: string, left: bigint, right: bigint, at: number): bigint {
    const wrap = (value: bigint): bigint => BigInt.asIntN(64, value);
    const truth = (value: boolean): bigint => (value ? 1n : 0n);
    switch (op) {
      case '+': return wrap(left + right);
      case '-': return wrap(left - right);
      case '*': return wrap(left * right);
      case '/':
      case '%':
        if (right === 0n) {
          throw new ExpansionError(`${this.text}: division by 0 (error token is "${this.text.slice(at + 1).trim()}")`);
        }
        return wrap(op === '/' ? left / right : left % right);
      case '**':
        if (right < 0n) throw new ExpansionError(`${this.text}: exponent less than 0 (error token is "${this.text.slice(at + 2).trim()}")`);
        return power(left, right);
      case '<<': return wrap(left << (right & 63n));
      case '>>': return wrap(left >> (right & 63n));
      case '&': return left & right;
      case '|': return left | right;
      case '^': return left ^ right;
      case '<': return truth(left < right);
      case '<=': return truth(left <= right);
      case '>': return truth(left > right);
      case '>=': return truth(left >= right);
      case '==': return truth(left === right);
      case '!=': return truth(left !== right);
      default: throw syntaxError(this.text, at, 'invalid arithmetic operator');
    }
  }
}

/** Square-and-multiply, wrapping at 64 bits on every step so huge exponents stay cheap. */
function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let factor = base;
  let remaining = exponent;
  while (remaining > 0n) {
    if (remaining & 1n) result = BigInt.asIntN(64, result * factor);
    factor = BigInt.asIntN(64, factor * factor);
    remaining >>= 1n;
  }
  return result;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'number', value: 0n };
  return new ArithParser(tokens, text).parse();
}

/**
 * Evaluates an already-expanded arithmetic expression. An empty expression is 0, as in bash.
 * Throws ExpansionError for syntax errors, division by zero and runaway recursion.
 */
export function evaluateArithmetic(text: string, vars: ArithmeticVariables): bigint {
  return new Evaluator(vars, text).evaluate(parse(text));
}
