import { describe, expect, it } from 'vitest';
import type {
  AndOrList, Command, FileRedirect, HereDoc, Literal, Param, Pipeline, Script, SimpleCommand, Word, WordPart,
} from './ast.js';
import { parseScript } from './parser.js';

function parse(src: string): Script {
  const result = parseScript(src);
  if (!result.ok) throw new Error(`parse of ${JSON.stringify(src)} failed: ${result.error.message}`);
  return result.script;
}

function failure(src: string): { message: string; incomplete: boolean; line: number } {
  const result = parseScript(src);
  if (result.ok) throw new Error(`parse of ${JSON.stringify(src)} unexpectedly succeeded`);
  return { message: result.error.message, incomplete: result.incomplete, line: result.error.line };
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index} in ${JSON.stringify(items)}`);
  return item;
}

function firstList(src: string): AndOrList {
  return at(parse(src).body, 0);
}

function firstCommand(src: string): Command {
  return at(firstList(src).first.commands, 0);
}

function simple(command: Command | undefined): SimpleCommand {
  if (command?.type !== 'SimpleCommand') throw new Error(`not a simple command: ${JSON.stringify(command)}`);
  return command;
}

/** The text of a word made only of literals (whatever their quoting). */
function text(word: Word): string {
  return word.parts.map((part) => {
    if (part.type !== 'Literal') throw new Error(`word ${word.raw} has a ${part.type} part`);
    return part.value;
  }).join('');
}

/** argv of each command of a pipeline, for literal-only words. */
function argvs(pipeline: Pipeline): string[][] {
  return pipeline.commands.map((command) => simple(command).words.map(text));
}

function lit(value: string, quoted = false): Literal {
  return { type: 'Literal', value, quoted };
}

function param(name: string, quoted = false): Param {
  return { type: 'Param', name, op: null, arg: null, quoted };
}

function parts(src: string, wordIndex = 1): WordPart[] {
  return at(simple(firstCommand(src)).words, wordIndex).parts;
}

function redirects(src: string): FileRedirect[] {
  return simple(firstCommand(src)).redirects as FileRedirect[];
}

describe('quoting', () => {
  it('keeps single-quoted text verbatim', () => {
    expect(parts("echo 'a $x \\n \"b\"'")).toEqual([lit('a $x \\n "b"', true)]);
  });

  it('expands parameters inside double quotes, marking them quoted', () => {
    expect(parts('echo "double $x"')).toEqual([lit('double ', true), param('x', true)]);
  });

  it('lets backslash quote one character outside quotes', () => {
    expect(parts('echo a\\ b\\$c')).toEqual([lit('a'), lit(' ', true), lit('b'), lit('$', true), lit('c')]);
  });

  it('gives backslash its special meaning in double quotes only before $ ` " \\ and newline', () => {
    expect(parts('echo "\\$ \\` \\" \\\\ \\n"')).toEqual([lit('$ ` " \\ \\n', true)]);
  });

  it('joins adjacent quoted and unquoted parts into one word', () => {
    const command = simple(firstCommand(`echo "a"'b'c`));
    expect(command.words).toHaveLength(2);
    expect(at(command.words, 1).parts).toEqual([lit('ab', true), lit('c')]);
  });

  it('keeps an empty quoted string as an (empty) word', () => {
    expect(parts("echo '' x")).toEqual([lit('', true)]);
    expect(parts('echo ""')).toEqual([lit('', true)]);
  });

  it("decodes bash's $'...' quoting", () => {
    expect(parts("echo $'a\\tb\\n\\x41\\101\\''")).toEqual([lit("a\tb\nAA'", true)]);
  });

  it("treats bash's $\"...\" as plain double quotes", () => {
    expect(parts('echo $"hi $x"')).toEqual([lit('hi ', true), param('x', true)]);
  });

  it('removes backslash-newline (line continuation) in and between words', () => {
    expect(simple(firstCommand('ec\\\nho a \\\n b')).words.map(text)).toEqual(['echo', 'a', 'b']);
  });

  it('treats metacharacters inside quotes as text', () => {
    expect(simple(firstCommand('echo "a | b; c && d > e"')).words.map(text)).toEqual(['echo', 'a | b; c && d > e']);
  });

  it('records the raw source text and offset of words', () => {
    const word = at(simple(firstCommand('echo  "x"y')).words, 1);
    expect(word).toMatchObject({ raw: '"x"y', offset: 6 });
  });
});

describe('parameters', () => {
  it('parses $name, ${name}, positional and special parameters', () => {
    const names = parts('echo $abc${def}$1$9$#$?$!$$$@$*$0$-', 1).map((part) => (part as Param).name);
    expect(names).toEqual(['abc', 'def', '1', '9', '#', '?', '!', '$', '@', '*', '0', '-']);
  });

  it('takes one digit for $10 but all digits for ${10}', () => {
    expect(parts('echo $10')).toEqual([param('1'), lit('0')]);
    expect(parts('echo ${10}')).toEqual([param('10')]);
  });

  it('leaves a lone $ as text', () => {
    expect(parts('echo $ a$ "$"')).toEqual([lit('$')]);
    expect(parts('echo "$"')).toEqual([lit('$', true)]);
  });

  it('parses the operator forms with their words', () => {
    const ops = ['-', ':-', '=', ':=', '+', ':+', '?', ':?', '#', '##', '%', '%%'] as const;
    for (const op of ops) {
      const [part] = parts(`echo \${name${op}word}`);
      expect(part).toMatchObject({ type: 'Param', name: 'name', op, arg: { parts: [lit('word')] } });
    }
  });

  it('parses ${#name} as a length', () => {
    expect(parts('echo ${#name}')).toEqual([{ type: 'Param', name: 'name', op: 'length', arg: null, quoted: false }]);
    expect(parts('echo ${#}')).toEqual([param('#')]);
  });

  it('parses nested expansions and quotes in the operator word', () => {
    const [part] = parts('echo ${x:-"a b"${y:-$(echo z)}}');
    expect(part).toMatchObject({
      op: ':-',
      arg: { parts: [lit('a b', true), { type: 'Param', name: 'y', op: ':-', arg: { parts: [{ type: 'CommandSubst' }] } }] },
    });
  });

  it('marks the operator word quoted inside double quotes', () => {
    const [, part] = parts('echo "x${y:-a b}"');
    expect(part).toMatchObject({ quoted: true, arg: { parts: [lit('a b', true)] } });
  });

  it('reports unsupported forms as bad substitutions', () => {
    expect(failure('echo ${x/a/b}')).toEqual({ message: '${x/a/b}: bad substitution', incomplete: false, line: 1 });
    expect(failure('echo ${}').message).toBe('${}: bad substitution');
  });
});

describe('tilde', () => {
  it('recognises ~ and ~user at the start of a word', () => {
    expect(parts('cd ~')).toEqual([{ type: 'Tilde', user: '' }]);
    expect(parts('cd ~/src')).toEqual([{ type: 'Tilde', user: '' }, lit('/src')]);
    expect(parts('cd ~root/x')).toEqual([{ type: 'Tilde', user: 'root' }, lit('/x')]);
  });

  it('does not expand quoted or mid-word tildes', () => {
    expect(parts('echo "~" a~ \\~')).toEqual([lit('~', true)]);
    expect(parts('echo a~', 1)).toEqual([lit('a~')]);
    expect(parts('echo ~"x"')).toEqual([lit('~'), lit('x', true)]);
  });

  it('expands after = and : in assignment values', () => {
    const [assignment] = simple(firstCommand('PATH=~/bin:~/sbin:/usr/bin')).assignments;
    expect(assignment?.value.parts).toEqual([
      { type: 'Tilde', user: '' }, lit('/bin:'), { type: 'Tilde', user: '' }, lit('/sbin:/usr/bin'),
    ]);
  });
});

describe('command substitution', () => {
  it('parses $(...) into a nested script', () => {
    const [part] = parts('echo $(uname -r)');
    expect(part).toMatchObject({ type: 'CommandSubst', backquoted: false, quoted: false });
    const inner = (part as { script: Script }).script;
    expect(argvs(at(inner.body, 0).first)).toEqual([['uname', '-r']]);
  });

  it('nests $(...) and works inside double quotes', () => {
    const [part] = parts('echo "v=$(echo $(echo deep) | tr a-z A-Z)"').slice(1);
    expect(part).toMatchObject({ type: 'CommandSubst', quoted: true });
    const pipeline = at((part as { script: Script }).script.body, 0).first;
    expect(pipeline.commands).toHaveLength(2);
    const innerWord = at(simple(pipeline.commands[0]).words, 1);
    expect(innerWord.parts[0]).toMatchObject({ type: 'CommandSubst', quoted: false });
  });

  it('finds the right ) past a case pattern', () => {
    const [part] = parts('echo $(case x in x) echo yes;; esac)');
    expect((part as { script: Script }).script.body[0]?.first.commands[0]?.type).toBe('Case');
  });

  it('parses backquotes, with \\` nesting', () => {
    const [part] = parts('echo `echo \\`echo hi\\``');
    expect(part).toMatchObject({ type: 'CommandSubst', backquoted: true });
    const innerWord = at(simple((part as { script: Script }).script.body[0]?.first.commands[0]).words, 1);
    expect(innerWord.parts[0]).toMatchObject({ type: 'CommandSubst', backquoted: true });
  });

  it('tells $(( arithmetic from $( (subshell) )', () => {
    expect(parts('echo $((1 + 2))')).toMatchObject([{ type: 'Arithmetic', expression: { parts: [lit('1 + 2', true)] } }]);
    const [subst] = parts('echo $((echo a); echo b)');
    expect(subst).toMatchObject({ type: 'CommandSubst' });
    expect((subst as { script: Script }).script.body[0]?.first.commands[0]?.type).toBe('Subshell');
  });

  it('parses expansions inside arithmetic', () => {
    expect(parts('echo $(( $x * (y + ${z}) ))')).toMatchObject([{
      type: 'Arithmetic',
      expression: { parts: [lit(' ', true), param('x', true), lit(' * (y + ', true), param('z', true), lit(') ', true)] },
    }]);
  });
});

describe('lists and pipelines', () => {
  it('parses pipes', () => {
    const list = firstList('dmesg | tail -3 | cat');
    expect(argvs(list.first)).toEqual([['dmesg'], ['tail', '-3'], ['cat']]);
  });

  it('parses && and || chains left to right', () => {
    const list = firstList('a && b || c && d');
    expect(list.rest.map((link) => link.op)).toEqual(['&&', '||', '&&']);
    expect([list.first, ...list.rest.map((link) => link.pipeline)].map((p) => argvs(p)[0]?.[0])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('allows newlines after && || and |', () => {
    const list = firstList('a &&\n\n b ||\n c |\n d');
    expect(list.rest).toHaveLength(2);
    expect(argvs(at(list.rest, 1).pipeline)).toEqual([['c'], ['d']]);
  });

  it('separates with ; & and newline, marking background lists', () => {
    const script = parse('a; b & c\nd &');
    expect(script.body.map((list) => [argvs(list.first)[0]?.[0], list.separator, list.background])).toEqual([
      ['a', ';', false], ['b', '&', true], ['c', '\n', false], ['d', '&', true],
    ]);
  });

  it('parses ! as pipeline negation only in command position', () => {
    expect(firstList('! grep x f').first.bang).toBe(true);
    expect(firstList('echo !').first.bang).toBe(false);
  });

  it('accepts empty input, blank lines and comments', () => {
    expect(parse('').body).toEqual([]);
    expect(parse('\n\n  # just a comment\n').body).toEqual([]);
  });

  it('treats # as a comment only at the start of a word', () => {
    const script = parse('echo a#b # comment ; still comment\necho c;#x');
    expect(script.body.map((list) => argvs(list.first)[0])).toEqual([['echo', 'a#b'], ['echo', 'c']]);
  });

  it('keeps source offsets on lists, pipelines and commands', () => {
    const script = parse('a\n  b | c');
    const list = at(script.body, 1);
    expect(list.offset).toBe(4);
    expect(list.first.commands.map((command) => (command as SimpleCommand).offset)).toEqual([4, 8]);
  });
});

describe('assignments', () => {
  it('recognises NAME=value before the command name only', () => {
    const command = simple(firstCommand('A=1 B+=2 env C=3'));
    expect(command.assignments.map((a) => [a.name, text(a.value), a.append])).toEqual([['A', '1', false], ['B', '2', true]]);
    expect(command.words.map(text)).toEqual(['env', 'C=3']);
  });

  it('allows a command made only of assignments, and empty values', () => {
    const command = simple(firstCommand('x= y=""'));
    expect(command.words).toEqual([]);
    expect(command.assignments.map((a) => a.value.parts)).toEqual([[], [lit('', true)]]);
  });

  it('does not treat quoted names or invalid names as assignments', () => {
    expect(simple(firstCommand('"A"=1')).assignments).toEqual([]);
    expect(simple(firstCommand('1A=1')).assignments).toEqual([]);
  });
});

describe('redirections', () => {
  it('parses every operator with its default descriptor', () => {
    const cases: [string, number, string][] = [
      ['cat < in', 0, '<'], ['echo > out', 1, '>'], ['echo >> log', 1, '>>'], ['cat <> dev', 0, '<>'],
      ['echo >| out', 1, '>|'], ['echo >&2', 1, '>&'], ['cat <&3', 0, '<&'],
    ];
    for (const [src, fd, op] of cases) {
      const [redirect] = redirects(src);
      expect(redirect, src).toMatchObject({ type: 'Redirect', fd, op });
    }
  });

  it('parses descriptor numbers written before the operator', () => {
    expect(redirects('cmd 2>/dev/null 3<in 2>&1 4>&-')).toMatchObject([
      { fd: 2, op: '>', target: { raw: '/dev/null' } },
      { fd: 3, op: '<', target: { raw: 'in' } },
      { fd: 2, op: '>&', target: { raw: '1' } },
      { fd: 4, op: '>&', target: { raw: '-' } },
    ]);
  });

  it('keeps redirections in source order, so 2>&1 >f differs from >f 2>&1', () => {
    expect(redirects('cmd >f 2>&1').map((r) => `${r.fd}${r.op}${r.target.raw}`)).toEqual(['1>f', '2>&1']);
    expect(redirects('cmd 2>&1 >f').map((r) => `${r.fd}${r.op}${r.target.raw}`)).toEqual(['2>&1', '1>f']);
  });

  it("rewrites bash's &> and &>> as >file 2>&1", () => {
    expect(redirects('make &>build.log').map((r) => `${r.fd}${r.op}${r.target.raw}`)).toEqual(['1>build.log', '2>&1']);
    expect(redirects('make &>> build.log').map((r) => `${r.fd}${r.op}${r.target.raw}`)).toEqual(['1>>build.log', '2>&1']);
  });

  it("rewrites bash's |& as 2>&1 |", () => {
    const pipeline = firstList('make |& tee log').first;
    expect(simple(pipeline.commands[0]).redirects).toMatchObject([{ fd: 2, op: '>&', target: { raw: '1' } }]);
  });

  it('does not take digits that are part of a word as a descriptor', () => {
    const command = simple(firstCommand('echo a2>f 2 >g'));
    expect(command.words.map(text)).toEqual(['echo', 'a2', '2']);
    expect(command.redirects.map((r) => r.fd)).toEqual([1, 1]);
  });

  it('allows redirections anywhere in a simple command', () => {
    const command = simple(firstCommand('>out echo <in hi'));
    expect(command.words.map(text)).toEqual(['echo', 'hi']);
    expect(command.redirects.map((r) => (r as FileRedirect).op)).toEqual(['>', '<']);
  });

  it('attaches redirections to compound commands', () => {
    const command = firstCommand('{ echo a; echo b; } > out 2>&1');
    expect(command).toMatchObject({ type: 'BraceGroup', redirects: [{ fd: 1, op: '>' }, { fd: 2, op: '>&' }] });
    expect(firstCommand('while read l; do echo $l; done < file')).toMatchObject({ type: 'While', redirects: [{ op: '<' }] });
  });

  it('allows a redirect-only command', () => {
    expect(simple(firstCommand('> empty'))).toMatchObject({ words: [], redirects: [{ op: '>' }] });
  });
});

describe('here-documents', () => {
  function heredoc(src: string, index = 0): HereDoc {
    const redirect = simple(firstCommand(src)).redirects[index];
    if (redirect?.type !== 'HereDoc') throw new Error('no here-document');
    return redirect;
  }

  it('reads the body after the end of the line and parses expansions in it', () => {
    const doc = heredoc('cat <<EOF | wc -l\nhello $name\n`date`\nEOF\necho after');
    expect(doc).toMatchObject({ fd: 0, op: '<<', delimiter: 'EOF', quoted: false });
    expect(doc.body.parts).toMatchObject([
      lit('hello ', true), param('name', true), lit('\n', true), { type: 'CommandSubst', backquoted: true }, lit('\n', true),
    ]);
    expect(parse('cat <<EOF | wc -l\nhello $name\n`date`\nEOF\necho after').body).toHaveLength(2);
  });

  it('takes the body literally when any part of the delimiter is quoted', () => {
    for (const src of ["cat <<'EOF'\n$x `y` \\$\nEOF", 'cat <<"EOF"\n$x `y` \\$\nEOF', 'cat <<\\EOF\n$x `y` \\$\nEOF', 'cat <<E"O"F\n$x `y` \\$\nEOF']) {
      expect(heredoc(src), src).toMatchObject({ delimiter: 'EOF', quoted: true, body: { parts: [lit('$x `y` \\$\n', true)] } });
    }
  });

  it('strips leading tabs with <<-', () => {
    const doc = heredoc('cat <<-END\n\tindented\n\t\tmore\n\tEND\n');
    expect(doc.body.parts).toEqual([lit('indented\nmore\n', true)]);
  });

  it('reads several here-documents of one line in order', () => {
    const src = 'cat <<A 3<<B\nbody a\nA\nbody b\nB\n';
    expect(text(heredoc(src, 0).body)).toBe('body a\n');
    expect(heredoc(src, 1)).toMatchObject({ fd: 3, delimiter: 'B' });
    expect(text(heredoc(src, 1).body)).toBe('body b\n');
  });

  it('accepts a delimiter on the last line without a newline, and an empty body', () => {
    expect(text(heredoc('cat <<EOF\nx\nEOF').body)).toBe('x\n');
    expect(text(heredoc('cat <<EOF\nEOF\n').body)).toBe('');
  });

  it('handles backslash escapes in unquoted bodies like bash', () => {
    expect(text(heredoc('cat <<EOF\n\\$HOME \\"q\\" a\\\nb\nEOF').body)).toBe('$HOME \\"q\\" ab\n');
  });

  it('reads the body after the line when the << is inside $(...)', () => {
    const script = parse('echo $(cat <<EOF) tail\nbody\nEOF\necho next');
    expect(script.body).toHaveLength(2);
    const [part] = at(simple(at(script.body, 0).first.commands[0]).words, 1).parts;
    const inner = simple((part as { script: Script }).script.body[0]?.first.commands[0]);
    expect(text((inner.redirects[0] as HereDoc).body)).toBe('body\n');
  });

  it('works inside command substitution', () => {
    const [part] = parts('echo $(cat <<EOF\ninside\nEOF\n)');
    const inner = simple((part as { script: Script }).script.body[0]?.first.commands[0]);
    expect(text((inner.redirects[0] as HereDoc).body)).toBe('inside\n');
  });
});

describe('compound commands', () => {
  it('parses if / elif / else', () => {
    const command = firstCommand('if a; then b; elif c\nthen d; else e; fi');
    expect(command.type).toBe('If');
    if (command.type !== 'If') return;
    expect(command.clauses.map((clause) => [argvs(at(clause.condition.body, 0).first), argvs(at(clause.body.body, 0).first)]))
      .toEqual([[[['a']], [['b']]], [[['c']], [['d']]]]);
    expect(argvs(at(command.elseBody?.body ?? [], 0).first)).toEqual([['e']]);
  });

  it('parses while and until loops', () => {
    expect(firstCommand('while true; do echo x; done')).toMatchObject({ type: 'While', until: false });
    expect(firstCommand('until false\ndo\n  echo x\ndone')).toMatchObject({ type: 'While', until: true });
  });

  it('parses for loops with and without a word list', () => {
    const loop = firstCommand('for f in a "b c" $d; do echo $f; done');
    expect(loop).toMatchObject({ type: 'For', variable: 'f' });
    if (loop.type !== 'For') return;
    expect(loop.items?.map((word) => word.raw)).toEqual(['a', '"b c"', '$d']);
    expect(firstCommand('for arg; do echo $arg; done')).toMatchObject({ type: 'For', items: null });
    expect(firstCommand('for arg\ndo echo; done')).toMatchObject({ type: 'For', items: null });
    expect(firstCommand('for x in; do echo; done')).toMatchObject({ type: 'For', items: [] });
  });

  it('treats keywords as words in a for list', () => {
    const loop = firstCommand('for w in do done if; do echo; done');
    expect(loop.type === 'For' && loop.items?.map(text)).toEqual(['do', 'done', 'if']);
  });

  it('parses case with | alternatives, optional (, and a last arm without ;;', () => {
    const command = firstCommand('case $1 in\n  start|restart) go;;\n  (stop) halt ;;\n  *) usage\nesac');
    expect(command.type).toBe('Case');
    if (command.type !== 'Case') return;
    expect(command.subject.raw).toBe('$1');
    expect(command.arms.map((arm) => arm.patterns.map((p) => p.raw))).toEqual([['start', 'restart'], ['stop'], ['*']]);
    expect(command.arms.map((arm) => argvs(at(arm.body.body, 0).first)[0])).toEqual([['go'], ['halt'], ['usage']]);
  });

  it('parses empty case statements and empty arms', () => {
    expect(firstCommand('case x in esac')).toMatchObject({ type: 'Case', arms: [] });
    expect(firstCommand('case x in a) ;; b) esac')).toMatchObject({ arms: [{ body: { body: [] } }, { body: { body: [] } }] });
  });

  it('parses subshells and brace groups', () => {
    expect(firstCommand('(cd /tmp; ls)')).toMatchObject({ type: 'Subshell', body: { body: [{}, {}] } });
    expect(firstCommand('{ echo a; echo b; }')).toMatchObject({ type: 'BraceGroup', body: { body: [{}, {}] } });
  });

  it('recognises } only in command position', () => {
    expect(firstCommand('{ echo }; }')).toMatchObject({ type: 'BraceGroup' });
    expect(failure('{ echo }')).toMatchObject({ incomplete: true });
  });

  it('recognises keywords only in command position', () => {
    expect(simple(firstCommand('echo if then fi done')).words.map(text)).toEqual(['echo', 'if', 'then', 'fi', 'done']);
    expect(simple(firstCommand('"if" true')).words.map(text)).toEqual(['if', 'true']);
  });

  it('parses function definitions in both syntaxes', () => {
    expect(firstCommand('greet() { echo hi $1; }')).toMatchObject({ type: 'FunctionDef', name: 'greet', body: { type: 'BraceGroup' } });
    expect(firstCommand('greet ()\n{\n echo hi\n}')).toMatchObject({ type: 'FunctionDef', name: 'greet' });
    expect(firstCommand('function load_module { insmod $1; }')).toMatchObject({ type: 'FunctionDef', name: 'load_module' });
    expect(firstCommand('function f() ( echo sub )')).toMatchObject({ type: 'FunctionDef', body: { type: 'Subshell' } });
    expect(firstCommand('f() { echo; } > log')).toMatchObject({ body: { redirects: [{ op: '>' }] } });
  });

  it('nests compound commands', () => {
    const script = parse('for i in 1 2; do\n  if [ $i = 1 ]; then\n    while false; do :; done\n  fi\ndone | cat');
    const pipeline = at(script.body, 0).first;
    expect(pipeline.commands.map((command) => command.type)).toEqual(['For', 'SimpleCommand']);
  });
});

describe('syntax errors use bash wording', () => {
  const cases: [string, string][] = [
    [';;', "syntax error near unexpected token `;;'"],
    ['echo a ;;', "syntax error near unexpected token `;;'"],
    ['echo a; ;', "syntax error near unexpected token `;'"],
    ['| cat', "syntax error near unexpected token `|'"],
    ['a && || b', "syntax error near unexpected token `||'"],
    ['echo )', "syntax error near unexpected token `)'"],
    ['fi', "syntax error near unexpected token `fi'"],
    ['if true; then fi', "syntax error near unexpected token `fi'"],
    ['if then', "syntax error near unexpected token `then'"],
    ['( )', "syntax error near unexpected token `)'"],
    ['{ }', "syntax error near unexpected token `}'"],
    ['while true; done', "syntax error near unexpected token `done'"],
    ['echo >', "syntax error near unexpected token `newline'"],
    ['echo > ;', "syntax error near unexpected token `;'"],
    ['cat <<', "syntax error near unexpected token `newline'"],
    ['echo a (b)', "syntax error near unexpected token `('"],
    ['{ echo; } x', "syntax error near unexpected token `x'"],
    ['case x in ;; esac', "syntax error near unexpected token `;;'"],
    ['case x in a) echo;; esac fi', "syntax error near unexpected token `fi'"],
    ['for 1x in a; do :; done', "`1x': not a valid identifier"],
  ];
  for (const [src, message] of cases) {
    it(`rejects ${JSON.stringify(src)}`, () => {
      expect(failure(src)).toMatchObject({ message, incomplete: false });
    });
  }

  it('reports the line of the error', () => {
    expect(failure('echo a\necho b\nfi')).toMatchObject({ line: 3 });
  });
});

describe('incomplete input (for the PS2 prompt)', () => {
  const cases: [string, string][] = [
    ["echo 'abc", "unexpected EOF while looking for matching `''"],
    ['echo "abc', 'unexpected EOF while looking for matching `"\''],
    ['echo "abc\ndef', 'unexpected EOF while looking for matching `"\''],
    ['echo `date', "unexpected EOF while looking for matching ``'"],
    ['echo $(uname', "unexpected EOF while looking for matching `)'"],
    ['echo $(uname\n', "unexpected EOF while looking for matching `)'"],
    ['echo $(if true', "unexpected EOF while looking for matching `)'"],
    ['echo $((1 +', "unexpected EOF while looking for matching `)'"],
    ['echo $((1 + (2)', "unexpected EOF while looking for matching `)'"],
    ['echo ${x:-abc', "unexpected EOF while looking for matching `}'"],
    ['make &&', 'syntax error: unexpected end of file'],
    ['make &&\n', 'syntax error: unexpected end of file'],
    ['make ||', 'syntax error: unexpected end of file'],
    ['dmesg |', 'syntax error: unexpected end of file'],
    ['dmesg |\n', 'syntax error: unexpected end of file'],
    ['if true', 'syntax error: unexpected end of file'],
    ['if true; then', 'syntax error: unexpected end of file'],
    ['if true; then echo; else', 'syntax error: unexpected end of file'],
    ['if true; then echo\n', 'syntax error: unexpected end of file'],
    ['while true; do', 'syntax error: unexpected end of file'],
    ['while true; do echo x; ', 'syntax error: unexpected end of file'],
    ['until false', 'syntax error: unexpected end of file'],
    ['for i in 1 2 3', 'syntax error: unexpected end of file'],
    ['for i in 1 2 3; do', 'syntax error: unexpected end of file'],
    ['for i in 1 2 3; do echo $i\n', 'syntax error: unexpected end of file'],
    ['case x in', 'syntax error: unexpected end of file'],
    ['case x in a) echo;;', 'syntax error: unexpected end of file'],
    ['{ echo', 'syntax error: unexpected end of file'],
    ['( echo', 'syntax error: unexpected end of file'],
    ['f()', 'syntax error: unexpected end of file'],
    ['f() {', 'syntax error: unexpected end of file'],
    ['echo \\', 'syntax error: unexpected end of file'],
    ['echo a \\\n', 'syntax error: unexpected end of file'],
    ['cat <<EOF', "warning: here-document at line 1 delimited by end-of-file (wanted `EOF')"],
    ['cat <<EOF\nline one\n', "warning: here-document at line 1 delimited by end-of-file (wanted `EOF')"],
  ];
  for (const [src, message] of cases) {
    it(`asks for more after ${JSON.stringify(src)}`, () => {
      expect(failure(src)).toMatchObject({ message, incomplete: true });
    });
  }

  it('completes once the next lines arrive', () => {
    expect(parseScript('echo "abc\ndef"').ok).toBe(true);
    expect(parseScript('make &&\nsudo insmod hello.ko').ok).toBe(true);
    expect(parseScript('for i in 1 2 3\ndo\necho $i\ndone').ok).toBe(true);
    expect(parseScript('cat <<EOF\nline one\nEOF').ok).toBe(true);
    expect(parseScript('echo a \\\nb').ok).toBe(true);
  });

  it('does not ask for more when the unterminated text is inside complete backquotes', () => {
    expect(failure('echo `echo "`')).toMatchObject({ incomplete: false });
  });
});

describe('the seed commands', () => {
  it('parses the build-load-test-unload chain', () => {
    const src = 'make && sudo insmod hello.ko && cat /proc/hello_proc && echo "Test message" | sudo tee /proc/hello_proc && dmesg | tail -3 && sudo rmmod hello && dmesg | tail -1';
    const script = parse(src);
    expect(script.body).toHaveLength(1);
    const list = at(script.body, 0);
    expect(list.background).toBe(false);
    expect(list.rest.every((link) => link.op === '&&')).toBe(true);
    expect([list.first, ...list.rest.map((link) => link.pipeline)].map(argvs)).toEqual([
      [['make']],
      [['sudo', 'insmod', 'hello.ko']],
      [['cat', '/proc/hello_proc']],
      [['echo', 'Test message'], ['sudo', 'tee', '/proc/hello_proc']],
      [['dmesg'], ['tail', '-3']],
      [['sudo', 'rmmod', 'hello']],
      [['dmesg'], ['tail', '-1']],
    ]);
    const echo = simple(at(list.rest, 2).pipeline.commands[0]);
    expect(at(echo.words, 1).parts).toEqual([lit('Test message', true)]);
  });

  it('parses a background read with an output redirect', () => {
    const list = firstList('head -c 6 /dev/x > out &');
    expect(list).toMatchObject({ background: true, separator: '&' });
    const command = simple(list.first.commands[0]);
    expect(command.words.map(text)).toEqual(['head', '-c', '6', '/dev/x']);
    expect(command.redirects).toMatchObject([{ type: 'Redirect', fd: 1, op: '>', target: { raw: 'out' } }]);
  });

  it('parses ls -l and gcc', () => {
    expect(argvs(firstList('ls -l /dev/advanced_dev').first)).toEqual([['ls', '-l', '/dev/advanced_dev']]);
    expect(argvs(firstList('gcc -o test_device test_device.c').first)).toEqual([['gcc', '-o', 'test_device', 'test_device.c']]);
  });

  it('parses echo piped into sudo tee', () => {
    const list = firstList('echo "Hello from userspace!" | sudo tee /proc/hello_proc');
    expect(argvs(list.first)).toEqual([['echo', 'Hello from userspace!'], ['sudo', 'tee', '/proc/hello_proc']]);
  });

  it('parses an assignment with a command substitution, then its use', () => {
    const script = parse('KERNEL_DIR=/lib/modules/$(uname -r)/build; echo $KERNEL_DIR');
    expect(script.body).toHaveLength(2);
    const assign = simple(at(script.body, 0).first.commands[0]);
    expect(assign.words).toEqual([]);
    expect(assign.assignments).toHaveLength(1);
    const value = at(assign.assignments, 0);
    expect(value.name).toBe('KERNEL_DIR');
    expect(value.value.parts).toMatchObject([lit('/lib/modules/'), { type: 'CommandSubst', quoted: false }, lit('/build')]);
    const subst = value.value.parts[1] as { script: Script };
    expect(argvs(at(subst.script.body, 0).first)).toEqual([['uname', '-r']]);
    const echo = simple(at(script.body, 1).first.commands[0]);
    expect(echo.words.map((word) => word.parts)).toEqual([[lit('echo')], [param('KERNEL_DIR')]]);
  });

  it('parses the mknod loop', () => {
    const loop = firstCommand('for i in 0 1 2 3; do mknod /dev/my_device$i c 125 $i; done');
    expect(loop.type).toBe('For');
    if (loop.type !== 'For') return;
    expect(loop.variable).toBe('i');
    expect(loop.items?.map(text)).toEqual(['0', '1', '2', '3']);
    const mknod = simple(at(loop.body.body, 0).first.commands[0]);
    expect(mknod.words.map((word) => word.parts)).toEqual([
      [lit('mknod')], [lit('/dev/my_device'), param('i')], [lit('c')], [lit('125')], [param('i')],
    ]);
  });

  it('parses chown with a glob', () => {
    const command = simple(firstCommand('chown root.root /dev/my_device?'));
    expect(command.words.map((word) => word.parts)).toEqual([[lit('chown')], [lit('root.root')], [lit('/dev/my_device?')]]);
  });

  it('gives the documented AST for echo "a $x" | tee f 2>&1 &', () => {
    expect(parse('echo "a $x" | tee f 2>&1 &')).toEqual({
      type: 'Script',
      body: [{
        type: 'AndOrList',
        first: {
          type: 'Pipeline',
          bang: false,
          commands: [
            {
              type: 'SimpleCommand',
              assignments: [],
              words: [
                { type: 'Word', parts: [lit('echo')], raw: 'echo', offset: 0 },
                { type: 'Word', parts: [lit('a ', true), param('x', true)], raw: '"a $x"', offset: 5 },
              ],
              redirects: [],
              offset: 0,
            },
            {
              type: 'SimpleCommand',
              assignments: [],
              words: [
                { type: 'Word', parts: [lit('tee')], raw: 'tee', offset: 14 },
                { type: 'Word', parts: [lit('f')], raw: 'f', offset: 18 },
              ],
              redirects: [{ type: 'Redirect', fd: 2, op: '>&', target: { type: 'Word', parts: [lit('1')], raw: '1', offset: 23 }, offset: 20 }],
              offset: 14,
            },
          ],
          offset: 0,
        },
        rest: [],
        background: true,
        separator: '&',
        offset: 0,
      }],
    });
  });
});
