/**
 * The config file's JSON Schema (docs/streams.schema.json), generated from the zod schema that
 * validates it, so editors complete and check `streams.yaml` with the same rules. Regenerate with
 * `npm run schema`; test/unit/streams-schema.test.ts fails when the file is stale.
 */
import { z } from 'zod';
import { ConfigFileSchema } from './file-schema.js';

/** The JSON Schema document, as written to docs/streams.schema.json. */
export function configFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ConfigFileSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://unpkg.com/twitter-poller/docs/streams.schema.json',
    title: 'twitter-poller config file (streams.yaml / streams.json)',
    description:
      'Streams to poll and defaults of the command-line options. Reference: docs/configuration.md.',
    ...rest,
  };
}

/** The file's text: two-space JSON and a final newline. */
export function configFileJsonSchemaText(): string {
  return `${JSON.stringify(configFileJsonSchema(), null, 2)}\n`;
}
