import { Type } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineProcessor, isDefinedProcessor } from '../../src/processors/define.js';
import type { ProcessorContext } from '../../src/processors/processor.js';
import { ProcessorRegistry } from '../../src/processors/registry.js';

const valid = {
  type: 'acme.echo',
  description: 'Returns its input.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  run: async (ctx: ProcessorContext) => ({ ...ctx.input }),
};

describe('defineProcessor', () => {
  it('returns a frozen processor that the registry takes and validates input with', () => {
    const p = defineProcessor(valid);
    expect(isDefinedProcessor(p)).toBe(true);
    expect(isDefinedProcessor({ ...valid })).toBe(false);
    expect(Object.isFrozen(p)).toBe(true);
    const registry = new ProcessorRegistry().register(p);
    expect(registry.checkInput('acme.echo', { text: 'hi' }, { simulateErrorRate: 0 }).ok).toBe(true);
    expect(registry.checkInput('acme.echo', { text: 1 }, { simulateErrorRate: 0 })).toMatchObject({
      ok: false,
      message: 'input.text must be a string',
    });
  });

  it.each([
    ['not an object', null, /pass one object/],
    ['a type with capitals', { ...valid, type: 'Acme.Echo' }, /type must be a job type name: dot-separated/],
    ['a type with a space', { ...valid, type: 'acme echo' }, /type must be a job type name/],
    ['a type too long', { ...valid, type: `a${'b'.repeat(64)}` }, /at most 64 characters/],
    ['no description', { ...valid, description: ' ' }, /description must be a sentence/],
    ['no schema', { ...valid, inputSchema: undefined }, /inputSchema must be a JSON Schema object/],
    ['a schema of a string', { ...valid, inputSchema: { type: 'string' } }, /must describe an object/],
    [
      'a schema with an unknown keyword',
      { ...valid, inputSchema: { type: 'object', properties: { n: { type: 'integer', minimun: 1 } } } },
      /inputSchema is not a valid JSON Schema: strict mode: unknown keyword: "minimun"/,
    ],
    [
      'a schema with a wrong type name',
      { ...valid, inputSchema: { type: 'object', properties: { n: { type: 'int' } } } },
      /inputSchema is not a valid JSON Schema: schema is invalid/,
    ],
    ['no run', { ...valid, run: undefined }, /run must be a function/],
    ['a bad queue name', { ...valid, queue: 'My Queue' }, /queue must be a queue name/],
    ['a bad kind of work', { ...valid, work: 'gpu' }, /work must be "cpu"/],
    ['a misspelt field', { ...valid, inputschema: {} }, /"inputschema" is not a field/],
  ])('refuses %s, saying why', (_, definition, message) => {
    expect(() => defineProcessor(definition as never)).toThrow(TypeError);
    expect(() => defineProcessor(definition as never)).toThrow(message);
  });

  it('names the type in its message', () => {
    expect(() => defineProcessor({ ...valid, run: undefined } as never)).toThrow(
      /^defineProcessor\(acme\.echo\): /,
    );
  });

  it('types ctx.input from a type argument, or from a TypeBox schema', () => {
    defineProcessor<{ text: string; times: number }>({
      ...valid,
      async run(ctx) {
        expectTypeOf(ctx.input).toEqualTypeOf<{ text: string; times: number }>();
        expectTypeOf(ctx).toEqualTypeOf<ProcessorContext<{ text: string; times: number }>>();
        return { text: ctx.input.text.repeat(ctx.input.times) };
      },
    });
    const typed = defineProcessor({
      ...valid,
      inputSchema: Type.Object({ text: Type.String(), times: Type.Optional(Type.Integer()) }),
      async run(ctx) {
        expectTypeOf(ctx.input).toEqualTypeOf<{ text: string; times?: number }>();
        return { text: ctx.input.text };
      },
    });
    // The TypeBox schema is plain JSON Schema to the registry.
    const registry = new ProcessorRegistry().register(typed);
    expect(registry.checkInput('acme.echo', {}, { simulateErrorRate: 0 })).toMatchObject({
      ok: false,
      message: 'input.text is required',
    });
  });
});
