import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests: real browsers loading the built extension (`npm run build` first) against the HTTPS Bitrix24
 * emulator. One file at a time: each launches a browser, and the machine has 2 cores.
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    // One retry: a real browser on a busy 2-core machine now and then fails to show an extension page in time
    // (seen with Firefox ESR over WebDriver BiDi); a behaviour that is broken fails both tries.
    retry: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
