import { describe, expect, it } from 'vitest';
import { bundleFileOf, parseFrame, stacksIn } from '../../infra/admin/stack-trace.js';

// What `npm run admin -- stack-trace` reads: the stacks of the log lines as the functions and Lambda
// write them, and which frames are the bundle's. test/integration/stack-trace-admin-cli.test.ts maps
// a real bundle's stack.

const STACK = [
  'Error: boom',
  '    at xn (file:///var/task/chunk-LRHXVVYB.mjs:1:42386)',
  '    at async Kt.publish (file:///var/task/index.mjs:3:100)',
];

describe('stacksIn', () => {
  it("finds the request line's cause.stack and its route, after CloudWatch's prefix", () => {
    const line = JSON.stringify({
      level: 'error',
      message: 'request',
      route: 'update',
      status: 500,
      cause: { name: 'Error', message: 'boom', stack: STACK.join('\n') },
    });

    expect(stacksIn(`2026-12-02T13:13:54.859Z\tc0ffee\tERROR\t${line}\n`)).toEqual([{ stack: STACK.join('\n'), route: 'update' }]);
    expect(stacksIn(JSON.stringify(JSON.parse(line), null, 2))).toEqual([{ stack: STACK.join('\n'), route: 'update' }]);
  });

  it("finds Lambda's reports of an uncaught error: text format (stack), JSON format (stackTrace, our line in message), an answer (trace)", () => {
    const text = `2026-12-02T13:13:54.859Z\tc0ffee\tERROR\tInvoke Error \t${JSON.stringify({ errorType: 'Error', errorMessage: 'boom', stack: STACK })}`;
    const json = JSON.stringify({
      timestamp: 't',
      level: 'ERROR',
      requestId: 'c0ffee',
      message: 'Invoke Error',
      errorType: 'Error',
      stackTrace: STACK,
    });
    const wrapped = JSON.stringify({
      timestamp: 't',
      level: 'ERROR',
      message: JSON.stringify({ route: 'read', cause: { stack: STACK.join('\n') } }),
    });
    const answer = JSON.stringify({ errorType: 'Error', errorMessage: 'boom', trace: STACK });

    expect(stacksIn([text, 'START RequestId: c0ffee', json, wrapped, answer].join('\n'))).toEqual([
      { stack: STACK.join('\n') },
      { stack: STACK.join('\n') },
      { stack: STACK.join('\n'), route: 'read' },
      { stack: STACK.join('\n') },
    ]);
  });

  it('takes a stack as text (also with CR LF line ends), and finds nothing where there is no frame', () => {
    expect(stacksIn(`${STACK.join('\n')}\n`)).toEqual([{ stack: STACK.join('\n') }]);
    expect(stacksIn(`${STACK.join('\r\n')}\r\n`)).toEqual([{ stack: STACK.join('\n') }]);
    expect(stacksIn('{"level":"info","message":"request","status":200}\nno frames here')).toEqual([]);
  });
});

describe('parseFrame and bundleFileOf', () => {
  it('reads the forms of a V8 frame', () => {
    expect(parseFrame('    at xn (file:///var/task/chunk-LRHXVVYB.mjs:1:42386)')).toEqual({
      lead: '    at ',
      name: 'xn',
      alias: '',
      location: 'file:///var/task/chunk-LRHXVVYB.mjs',
      line: 1,
      column: 42386,
    });
    expect(parseFrame('    at async Kt.send [as publish] (/var/task/index.mjs:3:100)')).toMatchObject({
      lead: '    at async ',
      name: 'Kt.send',
      alias: ' [as publish]',
      location: '/var/task/index.mjs',
    });
    expect(parseFrame('    at new Qe (file:///var/task/index.mjs:1:2)')).toMatchObject({ lead: '    at new ', name: 'Qe' });
    expect(parseFrame('    at file:///var/task/index.mjs:3:151165')).toEqual({
      lead: '    at ',
      name: undefined,
      alias: '',
      location: 'file:///var/task/index.mjs',
      line: 3,
      column: 151165,
    });
    expect(parseFrame('    at async Promise.all (index 0)')).toBeUndefined();
    expect(parseFrame('Error: boom')).toBeUndefined();
  });

  it("names the bundle's files, not Node's nor the Lambda runtime's own index.mjs", () => {
    expect(bundleFileOf('file:///var/task/chunk-LRHXVVYB.mjs')).toBe('chunk-LRHXVVYB.mjs');
    expect(bundleFileOf('file:///var/task/kms-secret-sealer-E23RBAMH.mjs')).toBe('kms-secret-sealer-E23RBAMH.mjs');
    expect(bundleFileOf('/var/task/index.mjs')).toBe('index.mjs');
    expect(bundleFileOf('file:///var/runtime/index.mjs')).toBeUndefined();
    expect(bundleFileOf('node:internal/process/task_queues')).toBeUndefined();
    expect(bundleFileOf('file:///var/task/node_modules/x/lib.js')).toBeUndefined();
    expect(bundleFileOf('file:///var/task/%E0%A4%A/index.mjs')).toBeUndefined();
  });
});
