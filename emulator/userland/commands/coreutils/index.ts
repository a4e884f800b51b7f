// The coreutils-style commands, by name. Each is `(proc, argv) => exit status`.
import type { Program } from '../../libc.js';
import { cat } from './cat.js';
import { ls } from './ls.js';
import { echo, printf } from './printf.js';
import { tee } from './tee.js';
import { egrep, fgrep, grep } from './grep.js';
import { head, tail } from './headtail.js';
import { wc } from './wc.js';
import { cut } from './cut.js';
import { tr } from './tr.js';
import { sort } from './sort.js';
import { uniq } from './uniq.js';
import { bracket, test } from './testcmd.js';
import { rm, rmdir } from './remove.js';
import { cp, mv } from './copy.js';
import { ln, mkdir, mknod, touch } from './create.js';
import { chgrp, chmod, chown } from './attrs.js';
import { basename, dirname, env, falseCommand, printenv, pwd, seq, sleep, trueCommand, yes } from './misc.js';
import { readlink, realpath, stat } from './stat.js';
import { date } from './date.js';
import { sed } from './sed.js';
import { sync } from './sync.js';
import { dd } from './dd.js';

export const COREUTILS: Record<string, Program> = {
  cat,
  sed,
  ls,
  echo,
  printf,
  tee,
  grep,
  egrep,
  fgrep,
  head,
  tail,
  wc,
  cut,
  tr,
  sort,
  uniq,
  test,
  '[': bracket,
  true: trueCommand,
  false: falseCommand,
  sleep,
  mkdir,
  rmdir,
  rm,
  cp,
  mv,
  ln,
  touch,
  mknod,
  chmod,
  chown,
  chgrp,
  basename,
  dirname,
  env,
  printenv,
  pwd,
  seq,
  yes,
  stat,
  readlink,
  realpath,
  date,
  sync,
  dd,
};
