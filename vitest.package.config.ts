import { defineConfig } from 'vitest/config';

/** Packaging tests: the store archives and the reproducible Firefox build from the sources zip. */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/package/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
