import { describe, expect, it } from 'vitest';
import { defineType, isWorkerType } from '../src/index.js';

const schema = { type: 'object', properties: { url: { type: 'string' } } };
const run = async () => ({});

describe('defineType', () => {
  it('marks a valid definition, frozen', () => {
    const t = defineType({
      type: 'acme.upscale',
      description: 'Upscale',
      inputSchema: schema,
      queue: 'gpu',
      run,
    });
    expect(isWorkerType(t)).toBe(true);
    expect(Object.isFrozen(t)).toBe(true);
    expect(isWorkerType({ type: 'acme.upscale', inputSchema: schema, run })).toBe(false);
    // Recognised across copies of the package: the mark is a registered symbol.
    expect(isWorkerType({ ...t })).toBe(true);
  });

  it('says what is wrong with a definition, naming the type', () => {
    const cases: [unknown, RegExp][] = [
      [null, /pass one object/],
      [{ type: 'Acme', inputSchema: schema, run }, /defineType\(Acme\): type must be dot-separated/],
      [{ type: `a${'b'.repeat(64)}`, inputSchema: schema, run }, /at most 64/],
      [{ type: 'a.b', inputSchema: [], run }, /inputSchema must be a JSON Schema object/],
      [{ type: 'a.b', inputSchema: { type: 'string' }, run }, /must describe an object/],
      [{ type: 'a.b', inputSchema: schema }, /run must be a function/],
      [{ type: 'a.b', inputSchema: schema, run, queue: 'Bad Queue' }, /queue must be named like a type/],
      [{ type: 'a.b', inputSchema: schema, run, queue: '1gpu' }, /queue must be named like a type/],
      [{ type: 'a.b', inputSchema: schema, run, description: 5 }, /description must be a string/],
      [{ type: 'a.b', inputSchema: schema, run, handler: run }, /"handler" is not a field/],
    ];
    for (const [definition, message] of cases)
      expect(() => defineType(definition as Parameters<typeof defineType>[0])).toThrow(message);
  });
});
