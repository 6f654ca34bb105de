import fs from 'node:fs';
import { isUuid } from '../contract/ids';
import { CliError, EXIT } from './exit-codes';

/** `--tests-file`: one test UUID a line; blank lines and `#` comments (whole-line or trailing) ignored. */
export function readTestsFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--tests-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage);
  }
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const value = line.replace(/#.*$/, '').trim();
    if (!value) return;
    if (!isUuid(value)) throw new CliError(`--tests-file ${file}:${index + 1}: "${line.trim().slice(0, 60)}" is not a test UUID`, EXIT.usage);
    ids.push(value.toLowerCase());
  });
  if (!ids.length) throw new CliError(`--tests-file ${file}: no test ids in it`, EXIT.usage);
  return ids;
}

/** The test ids a command was given: every `--test`, then the lines of `--tests-file`. */
export function givenTestIds(flags: { test?: string | string[]; testsFile?: string }): string[] {
  const ids = [...(typeof flags.test === 'string' ? [flags.test] : (flags.test ?? [])), ...(flags.testsFile ? readTestsFile(flags.testsFile) : [])];
  if (!ids.length) throw new CliError('--test <testId> (repeatable) or --tests-file <file> is required', EXIT.usage);
  return ids;
}
