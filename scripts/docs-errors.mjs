#!/usr/bin/env node
// `npm run docs:errors`: writes docs/errors.md from the error table and the English messages
// (scripts/error-docs.ts). test/unit/error-docs.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { createJiti } from 'jiti';

const root = resolve(import.meta.dirname, '..');
// The messages answer the way the browser answers from _locales/en/messages.json (as in test/unit/setup.ts).
const messages = generateChromeMessages(await parseMessagesFile(resolve(root, 'locales/en.yml')));
globalThis.chrome = {
  runtime: { id: 'docs' },
  i18n: {
    getUILanguage: () => 'en',
    getMessage(name, substitutions) {
      const entry = messages[name];
      if (!entry) return '';
      const subs =
        substitutions == null ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
      return entry.message.replace(/\$(\d)/g, (_, n) => subs[Number(n) - 1] ?? '');
    },
  },
};
globalThis.browser = globalThis.chrome;

// jiti (WXT's own TypeScript loader) runs the TypeScript sources with the project's aliases.
const jiti = createJiti(import.meta.url, {
  alias: { '#i18n': resolve(root, '.wxt/i18n/index.ts'), '@': root },
});
const { DOC, renderErrorDocs } = await jiti.import(resolve(root, 'scripts/error-docs.ts'));
writeFileSync(DOC, renderErrorDocs());
console.log(`wrote ${DOC}`);
