// The library API the CLI is a thin layer over: parse, check, compile, run, plus the helpers
// the CLI needs (the checkpoint fingerprint, graph rendering, message formatting). `check` is
// synchronous and never throws for user errors; `compile` throws a CompileError (user error,
// with messages); `run` returns a RunResult for every user error and throws only on internal
// errors (the CLI's exit code 2).

import { parse as parseSource, type ParseResult } from '../grammar/index.js';
import {
  frontEnd,
  type FrontEnd,
  compileProgram,
  readProgram,
  type CompileOptions,
  type CompiledProgram,
  type ProgramInput,
} from './compile.js';
import { CompileError, toMessages } from './messages.js';
import { LowerError } from './lower/lower.js';
import { sitePlan, type EstimatorEntry } from './analysis/site_plan.js';
import { nothingToRun } from './analysis/runnable.js';
import { samplerPlan } from './analysis/sampler_plan.js';
import { loadProgram, type ReadFile } from './front/modules.js';
import { platform } from '../runtime/index.js';
import { checkResult, type CheckResult, type RunResult } from './running/result.js';
import { runProgram, type RunOptions } from './running/run_program.js';

const { dirname, isAbsolute, join } = platform.path;

export interface CheckOptions {
  readFile?: ReadFile;
  /** The memory the program may need, in bytes (default: the machine's; compiler/front/size_check.ts). */
  maxMemory?: number;
  /** A program being written (the REPL's session): having nothing to run yet is no error. */
  partial?: boolean;
}

/** Parses one file (syntax only). */
export function parse(source: string, file: string): ParseResult {
  return parseSource(source, file);
}

/**
 * Names, types, shapes and the structural analysis, without data: the messages, the
 * objective's decomposition and the algorithm it implies. A string is a path to a .opt file.
 */
export function check(input: ProgramInput, opts: CheckOptions = {}): CheckResult {
  const read = opts.readFile ?? platform.readText;
  try {
    const fe = frontEnd(input, read, opts.maxMemory);
    // What `run` would refuse outright, `check` refuses too (unless the program is still partial).
    if (!opts.partial && fe.analysis && !fe.diagnostics.some((d) => d.severity === 'error')) {
      const none = nothingToRun(fe.checked, fe.analysis.algorithm);
      if (none) fe.diagnostics.push(none);
    }
    return checkFrontEnd(fe);
  } catch (e) {
    if (e instanceof CompileError) return checkResult(e.messages, null, null);
    throw e;
  }
}

/** The check result of a program already through the front end (tagged templates check their own). */
export function checkFrontEnd(fe: FrontEnd): CheckResult {
  const ok = !fe.diagnostics.some((d) => d.severity === 'error');
  let estimators: EstimatorEntry[] | null = null;
  const planErrors: typeof fe.diagnostics = [];
  if (ok && fe.checked) {
    try {
      estimators = sitePlan(fe.checked)?.entries ?? null;
    } catch (e) {
      if (!(e instanceof LowerError)) throw e;
      planErrors.push({ severity: 'error', message: e.message, span: e.span, ...(e.hint ? { hint: e.hint } : {}) });
    }
  }
  return checkResult(
    toMessages([...fe.diagnostics, ...planErrors]),
    fe.analysis?.decomposition ?? null,
    fe.analysis?.algorithm ?? null,
    estimators,
    ok && fe.checked ? samplerPlan(fe.checked, fe.analysis?.algorithm ?? null) : null,
  );
}

/** Compiles a program with its data bound. Throws CompileError on user errors. */
export function compile(input: ProgramInput, opts: CompileOptions = {}): Promise<CompiledProgram> {
  return compileProgram(input, opts);
}

/** Compiles (unless given a compiled program) and runs. User errors give status `error`. */
export function run(input: CompiledProgram | ProgramInput, opts: RunOptions = {}): Promise<RunResult> {
  return runProgram(input, opts);
}

/**
 * The `data from "..."` defaults of a program, resolved relative to the files that name them,
 * in order (later ones override earlier ones): the files `compile` reads when no data is given.
 */
export function dataSources(input: ProgramInput, opts: CheckOptions = {}): string[] {
  const read = opts.readFile ?? platform.readText;
  const { file, source } = readProgram(input, read);
  const out: string[] = [];
  for (const m of loadProgram(file, source, read).modules) {
    for (const st of m.program.body)
      if (st.kind === 'Data' && st.source !== null)
        out.push(isAbsolute(st.source) ? st.source : join(dirname(m.file), st.source));
  }
  return out;
}
