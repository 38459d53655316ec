// Writes docs/streams.schema.json from src/config/file-schema.ts (`npm run schema`).
import { writeFileSync } from 'node:fs';
import { configFileJsonSchemaText } from '../src/config/json-schema.js';

writeFileSync(new URL('../docs/streams.schema.json', import.meta.url), configFileJsonSchemaText());
process.stdout.write('wrote docs/streams.schema.json\n');
