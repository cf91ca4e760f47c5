import { writeFileSync } from 'node:fs';
import { renderEnvExample } from '../config/settings.js';

/** Regenerates .env.example from the settings schema (a test fails when the two drift apart). */
writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample());
console.log('wrote .env.example');
