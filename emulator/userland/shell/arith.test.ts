import { describe, expect, it } from 'vitest';
import { ExpansionError, evaluateArithmetic, type ArithmeticVariables } from './arith.js';

function vars(initial: Record<string, string> = {}): ArithmeticVariables & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return { values, getVar: (name) => values.get(name), setVar: (name, value) => void values.set(name, value) };
}

function evaluate(text: string, scope = vars()): string {
  return evaluateArithmetic(text, scope).toString();
}

describe('evaluateArithmetic', () => {
  it('follows C precedence and associativity', () => {
    expect(evaluate('1 + 2 * 3')).toBe('7');
    expect(evaluate('(1 + 2) * 3')).toBe('9');
    expect(evaluate('10 - 4 - 3')).toBe('3');
    expect(evaluate('2 ** 3 ** 2')).toBe('512');
    expect(evaluate('-2 ** 2')).toBe('4');
    expect(evaluate('1 + 2 == 3 && 4 > 3')).toBe('1');
    expect(evaluate('1 << 4 | 1')).toBe('17');
  });

  it('truncates division toward zero like C', () => {
    expect(evaluate('7 / 2')).toBe('3');
    expect(evaluate('-7 / 2')).toBe('-3');
    expect(evaluate('-7 % 3')).toBe('-1');
  });

  it('compares', () => {
    expect(['1 < 2', '2 <= 2', '3 > 4', '4 >= 5', '5 == 5', '5 != 5'].map((e) => evaluate(e))).toEqual(['1', '1', '0', '0', '1', '0']);
  });

  it('has unary operators, the conditional operator and commas', () => {
    expect(evaluate('!0 + !5 + ~0 + -(-3)')).toBe('3');
    expect(evaluate('0 ? 10 : 1 ? 20 : 30')).toBe('20');
    expect(evaluate('1, 2, 3')).toBe('3');
  });

  it('reads numbers in bash bases', () => {
    expect(evaluate('0x1F + 017 + 2#101 + 16#ff')).toBe(String(31 + 15 + 5 + 255));
    expect(() => evaluate('08')).toThrow('08: value too great for base (error token is "08")');
  });

  it('reads variables, unset or empty as 0, and values that are expressions', () => {
    const scope = vars({ a: '5', empty: '', expr: 'a * 2', ref: 'expr' });
    expect(evaluate('a + unset + empty', scope)).toBe('5');
    expect(evaluate('ref + 1', scope)).toBe('11');
  });

  it('assigns, updates and short-circuits', () => {
    const scope = vars({ i: '1' });
    expect(evaluate('i += 4', scope)).toBe('5');
    expect(evaluate('i++', scope)).toBe('5');
    expect(evaluate('++i', scope)).toBe('7');
    expect(evaluate('j = i * 2', scope)).toBe('14');
    expect(evaluate('0 && (k = 1)', scope)).toBe('0');
    expect(evaluate('1 || (k = 1)', scope)).toBe('1');
    expect(scope.values.get('i')).toBe('7');
    expect(scope.values.get('j')).toBe('14');
    expect(scope.values.has('k')).toBe(false);
  });

  it('wraps at 64 bits', () => {
    expect(evaluate('9223372036854775807 + 1')).toBe('-9223372036854775808');
    expect(evaluate('2 ** 64')).toBe('0');
  });

  it('treats an empty expression as 0', () => {
    expect(evaluate('  ')).toBe('0');
  });

  it('reports errors with bash wording', () => {
    expect(() => evaluate('1 / 0')).toThrow(new ExpansionError('1 / 0: division by 0 (error token is "0")'));
    expect(() => evaluate('5 % 0')).toThrow('division by 0');
    expect(() => evaluate('1 +')).toThrow('1 +: syntax error: operand expected (error token is "+")');
    expect(() => evaluate('(1')).toThrow("missing `)'");
    expect(() => evaluate('1 2')).toThrow('1 2: syntax error in expression (error token is "2")');
    expect(() => evaluate('2 ** -1')).toThrow('exponent less than 0');
  });

  it('stops runaway recursion instead of overflowing the stack', () => {
    expect(() => evaluate('a', vars({ a: 'a' }))).toThrow('expression recursion level exceeded');
    expect(() => evaluate('('.repeat(5000) + '1' + ')'.repeat(5000))).toThrow('expression recursion level exceeded');
  });
});
