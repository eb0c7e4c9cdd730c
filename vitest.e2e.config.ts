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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
