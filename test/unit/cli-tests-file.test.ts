import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTestsFile } from '../../cli/tests-file';
import { validateIngest } from '../../cli/validate-ingest';

const A = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const B = '8fdc898f-3b2b-4f45-91a2-2a6b618bc987';
const write = (text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tests-file-')), 'tests.txt');
  fs.writeFileSync(file, text);
  return file;
};

describe('--tests-file and several --test', () => {
  test('one id a line, blank lines and # comments ignored, ids lower-cased', () => {
    expect(readTestsFile(write(`# nightly\n${A.toUpperCase()}\n\n  ${B}  # checkout study\n`))).toEqual([A, B]);
  });

  test('a bad line names the file and line; an empty or missing file is an error', () => {
    const file = write(`${A}\nnot-a-test\n`);
    expect(() => readTestsFile(file)).toThrow(`--tests-file ${file}:2: "not-a-test" is not a test UUID`);
    expect(() => readTestsFile(write('# nothing\n'))).toThrow(/no test ids/);
    expect(() => readTestsFile('/nonexistent/tests.txt')).toThrow(/cannot read .*ENOENT/);
  });

  test('--test and --tests-file together, duplicates once; --session only with one test', () => {
    expect(validateIngest({ test: [A], testsFile: write(`${B}\n${A}\n`), dest: '/tmp/x' }).testIds).toEqual([A, B]);
    expect(() => validateIngest({ test: [A, B], dest: '/tmp/x', session: [A] })).toThrow(/--session belongs to one test/);
    expect(() => validateIngest({ dest: '/tmp/x' })).toThrow(/--test <testId> \(repeatable\) or --tests-file/);
  });
});
