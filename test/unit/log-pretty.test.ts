import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../lib/log-pretty.ts';
import { createRootLogger, type LogOutput } from '../../lib/logger.ts';

function capture(isTTY: boolean): LogOutput & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}

describe('log lines', () => {
  it('are readable lines on a terminal: lists and errors below the message, no \\n escapes', () => {
    const out = capture(true);
    const log = createRootLogger({ level: 'info', format: 'auto' }, out).child({ ns: 'main' });
    log.fatal(
      { problems: ['PORT: too big', 'AUTH_SECRET: too short'] },
      'could not start: invalid configuration',
    );
    const err = new Error('boom');
    log.error({ err, terminalId: 'k1' }, 'failed');
    const lines = out.text().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} FATAL main: could not start: invalid configuration$/);
    expect(lines[1]).toBe('    problems:');
    expect(lines[2]).toBe('      - PORT: too big');
    expect(lines[3]).toBe('      - AUTH_SECRET: too short');
    expect(lines[4]).toMatch(/ERROR main: failed terminalId=k1$/);
    expect(lines[5]).toBe('    err:');
    expect(lines[6]).toBe('      Error: boom');
    expect(lines[7]).toMatch(/^ {6} {4}at /);
    expect(out.text()).not.toContain('\\n');
    expect(out.text()).not.toContain('{"level"');
  });

  it('are JSON when piped, and either format can be forced', () => {
    const piped = capture(false);
    createRootLogger({ level: 'info', format: 'auto' }, piped).info({ a: 1 }, 'hello');
    expect(JSON.parse(piped.text())).toMatchObject({ level: 30, msg: 'hello', a: 1 });

    const forcedJson = capture(true);
    createRootLogger({ level: 'info', format: 'json' }, forcedJson).info('hello');
    expect(JSON.parse(forcedJson.text())).toMatchObject({ msg: 'hello' });

    const forcedPretty = capture(false);
    createRootLogger({ level: 'info', format: 'pretty' }, forcedPretty).info('hello');
    expect(forcedPretty.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello\n$/);
  });

  it('keep the level', () => {
    const out = capture(false);
    const log = createRootLogger({ level: 'warn', format: 'json' }, out);
    log.info('not shown');
    log.warn('shown');
    expect(
      out
        .text()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['shown']);
  });

  it('show short values inline, quoted when they hold spaces, and long ones below', () => {
    const base = { level: 30, time: '2026-12-07T01:02:03.004Z', pid: 1, ns: 'api', msg: 'm' };
    const line = prettyLine(
      JSON.stringify({ ...base, url: 'mqtt://h:1', why: 'two words', n: 3, ok: true, o: { a: 1 } }),
    );
    expect(line).toMatch(/ INFO {2}api: m url=mqtt:\/\/h:1 why="two words" n=3 ok=true o=\{"a":1\}\n$/);
    const long = prettyLine(JSON.stringify({ ...base, big: { text: 'x'.repeat(120) } }));
    expect(long.split('\n')[1]).toBe('    big:');
    expect(prettyLine('not json')).toBe('not json\n');
  });
});
