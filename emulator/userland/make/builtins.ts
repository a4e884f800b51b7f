// GNU make 4.3's built-in variables and implicit rules (the part of `make -p` a C
// learner meets), spelled exactly as GNU has them so echoed commands match to the space:
// `cc    -c -o hello.o hello.c`, `cc     test.c   -o test`.

export const MAKE_VERSION = '4.3';
export const MAKE_HOST = 'x86_64-pc-linux-gnu';

/** Recursive variables with origin "default". */
export const DEFAULT_VARIABLES: ReadonlyArray<readonly [string, string]> = [
  ['AR', 'ar'],
  ['ARFLAGS', 'rv'],
  ['AS', 'as'],
  ['CC', 'cc'],
  ['CXX', 'g++'],
  ['CPP', '$(CC) -E'],
  ['LD', 'ld'],
  ['RM', 'rm -f'],
  ['LEX', 'lex'],
  ['YACC', 'yacc'],
  ['OBJC', 'cc'],
  ['FC', 'f77'],
  ['F77', '$(FC)'],
  ['PC', 'pc'],
  ['MAKE', '$(MAKE_COMMAND)'],
  ['MAKEINFO', 'makeinfo'],
  ['TEX', 'tex'],
  ['OUTPUT_OPTION', '-o $@'],
  ['COMPILE.c', '$(CC) $(CFLAGS) $(CPPFLAGS) $(TARGET_ARCH) -c'],
  ['LINK.c', '$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH)'],
  ['LINK.o', '$(CC) $(LDFLAGS) $(TARGET_ARCH)'],
  ['COMPILE.cc', '$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(TARGET_ARCH) -c'],
  ['LINK.cc', '$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH)'],
  ['COMPILE.C', '$(COMPILE.cc)'],
  ['LINK.C', '$(LINK.cc)'],
  ['COMPILE.cpp', '$(COMPILE.cc)'],
  ['LINK.cpp', '$(LINK.cc)'],
  ['COMPILE.s', '$(AS) $(ASFLAGS) $(TARGET_MACH)'],
  ['LINK.s', '$(CC) $(ASFLAGS) $(LDFLAGS) $(TARGET_MACH)'],
  ['COMPILE.S', '$(CC) $(ASFLAGS) $(CPPFLAGS) $(TARGET_MACH) -c'],
  ['LINK.S', '$(CC) $(ASFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_MACH)'],
  ['PREPROCESS.S', '$(CC) -E $(CPPFLAGS)'],
  ['LEX.l', '$(LEX) $(LFLAGS) -t'],
  ['YACC.y', '$(YACC) $(YFLAGS)'],
];

/** GNU's default .SUFFIXES. A name ending in one of them is never matched by a `%:` rule. */
export const DEFAULT_SUFFIXES = (
  '.out .a .ln .o .c .cc .C .cpp .p .f .F .m .r .y .l .ym .yl .s .S .mod .sym .def .h ' +
  '.info .dvi .tex .texinfo .texi .txinfo .w .ch .web .sh .elc .el'
).split(' ');

export interface BuiltinRule {
  /** Target suffix ('' for `%: %.src`) and source suffix: the rule exists while both are in .SUFFIXES. */
  target: string;
  source: string;
  recipe: string[];
}

const LINK = (kind: string): string => `$(LINK.${kind}) $^ $(LOADLIBES) $(LDLIBS) -o $@`;
const COMPILE = (kind: string): string => `$(COMPILE.${kind}) $(OUTPUT_OPTION) $<`;

/** In GNU's search order (the order of .SUFFIXES): `%: %.o` is tried before `%: %.c`. */
export const BUILTIN_RULES: readonly BuiltinRule[] = [
  { target: '', source: '.o', recipe: [LINK('o')] },
  { target: '', source: '.c', recipe: [LINK('c')] },
  { target: '.o', source: '.c', recipe: [COMPILE('c')] },
  { target: '', source: '.cc', recipe: [LINK('cc')] },
  { target: '.o', source: '.cc', recipe: [COMPILE('cc')] },
  { target: '', source: '.C', recipe: [LINK('C')] },
  { target: '.o', source: '.C', recipe: [COMPILE('C')] },
  { target: '', source: '.cpp', recipe: [LINK('cpp')] },
  { target: '.o', source: '.cpp', recipe: [COMPILE('cpp')] },
  { target: '.c', source: '.y', recipe: ['$(YACC.y) $< ', ' mv -f y.tab.c $@'] },
  { target: '.c', source: '.l', recipe: ['@$(RM) $@ ', ' $(LEX.l) $< > $@'] },
  { target: '', source: '.s', recipe: [LINK('s')] },
  { target: '.o', source: '.s', recipe: ['$(COMPILE.s) -o $@ $<'] },
  { target: '', source: '.S', recipe: [LINK('S')] },
  { target: '.o', source: '.S', recipe: ['$(COMPILE.S) -o $@ $<'] },
  { target: '.s', source: '.S', recipe: ['$(PREPROCESS.S) $< > $@'] },
  { target: '', source: '.sh', recipe: ['cat $< >$@ ', ' chmod a+x $@'] },
];
