#!/usr/bin/env node
// Entry point of the `labor-llm` command: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
